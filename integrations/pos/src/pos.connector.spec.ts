import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import {
  fileNameFrom,
  mergeRubricator,
  type PosRubricator,
  retryAfterMs,
  toInboundItem,
  toPosEvent,
  toRatingEvent,
  toWithdrawalEvent,
} from './pos.connector';
import {
  comparePositions,
  decodeFeedPage,
  decodeMessage,
  eventRequest,
  IDEMPOTENCY_HEADER,
  isCursor,
  undatedPosition,
} from './pos-wire';

function wireMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    posId: 563006508,
    description: '  Не работает уличное освещение на ул. Ленина от дома 1 до дома 15.  ',
    attachmentIds: ['a1', 42],
    location: 'г. Иркутск, ул. Ленина, 1–15',
    subjectId: 101,
    subsubjectId: 1012,
    customFieldValues: [{ id: 3, name: 'Район', value: 'Кировский' }, { id: 4 }],
    opaId: 220512,
    organizationInfo: { name: 'Администрация г. Иркутска', inn: '3808131271', oktmo: '25701000' },
    createdAt: '2025-02-01T10:00:00+08:00',
    updatedAt: '2025-02-03T10:00:00.123456Z',
    status: 'TAKE_TO_WORK',
    statusText: 'Взято в работу',
    answerAt: '2025-03-03T10:00:00+08:00',
    regime: 'MESSAGE',
    fastTrack: true,
    history: [],
    applicant: {
      epguId: 1000299353,
      surname: 'Кузнецов',
      name: 'Иван',
      patronymic: 'Петрович',
      email: 'kuznetsov@example.ru',
      phone: '+79025551234',
      postAddress: '664003, г. Иркутск, ул. Ленина, 5',
      snils: '123-456-789 64',
    },
    ...overrides,
  };
}

describe('ПОС wire decoding', () => {
  it("decodes a message, keeping the feed position verbatim and the applicant's СНИЛС", () => {
    const decoded = decodeMessage(wireMessage());
    if (!decoded.ok) throw new Error(decoded.reason);
    const m = decoded.message;
    expect(m.posId).toBe('563006508');
    expect(m.text).toBe('Не работает уличное освещение на ул. Ленина от дома 1 до дома 15.');
    expect(m.createdAt).toBe('2025-02-01T02:00:00.000Z');
    expect(m.position).toEqual({ updatedAfter: '2025-02-03T10:00:00.123456Z', afterId: '563006508' });
    expect(m.attachmentIds).toEqual(['a1', '42']);
    expect(m.customFields).toEqual({ '3': 'Кировский' });
    expect(m.regime).toBe('message');
    expect(m.fastTrack).toBe(true);
    expect(m.applicant.snils).toBe('123-456-789 64');
    expect(m.warnings).toEqual([]);
  });

  it('reads a status in any case or as an object { code, name }, so a decline is one however ПОС writes it', () => {
    for (const status of [
      'moderation_decline',
      { code: 'MODERATION_DECLINE', name: 'Отклонено модератором' },
    ]) {
      const decoded = decodeMessage(wireMessage({ status, statusText: undefined }));
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.message.status).toBe('MODERATION_DECLINE');
      expect(toWithdrawalEvent(decoded.message)).toMatchObject({ kind: 'withdrawal', by: 'channel' });
    }
    const named = decodeMessage(
      wireMessage({ status: { code: 'take_to_work', name: 'Взято в работу' }, statusText: undefined }),
    );
    if (!named.ok) throw new Error(named.reason);
    expect([named.message.status, named.message.statusText]).toEqual(['TAKE_TO_WORK', 'Взято в работу']);
    const history = decodeMessage(
      wireMessage({ history: [{ status: { code: 'send_response' }, createdAt: 1 }] }),
    );
    if (!history.ok) throw new Error(history.reason);
    expect(history.message.history[0].status).toBe('SEND_RESPONSE');
  });

  it('writes СНИЛС the usual way whatever form ПОС gave it in, and says so (without it) when it is none', () => {
    const snilsOf = (snils: unknown) => {
      const decoded = decodeMessage(wireMessage({ applicant: { epguId: 1000299353, snils } }));
      if (!decoded.ok) throw new Error(decoded.reason);
      return [decoded.message.applicant.snils, decoded.message.warnings];
    };
    for (const form of ['12345678964', '123 456 789 64', ' 123-456-789-64 ', 12345678964])
      expect(snilsOf(form)).toEqual(['123-456-789 64', []]);
    // A number loses its leading zeros in JSON.
    expect(snilsOf(1234567894)).toEqual(['012-345-678 94', []]);
    expect(snilsOf(null)).toEqual([undefined, []]);
    for (const broken of ['123-456', 'не указан', { value: '12345678964' }, 1.5]) {
      const [snils, warnings] = snilsOf(broken);
      expect(snils).toBeUndefined();
      expect(warnings).toEqual(['СНИЛС заявителя не распознан и не сохранён']);
    }
  });

  it.each([
    ['without posId', { posId: undefined }, 'В сообщении ПОС нет идентификатора (posId)'],
    [
      'with neither a description nor files, a place or a category',
      { description: '   ', attachmentIds: [], location: null, subjectId: undefined },
      'В сообщении ПОС нет ни текста (description), ни вложений, ни места, ни категории',
    ],
  ])('rejects a message %s, with a reason', (_label, override, reason) => {
    const decoded = decodeMessage(wireMessage(override));
    expect(decoded).toMatchObject({ ok: false, reason });
  });

  it('reads one attachment id given alone, and says which files it could not read instead of rejecting the message', () => {
    const one = decodeMessage(wireMessage({ attachmentIds: 'a1' }));
    if (!one.ok) throw new Error(one.reason);
    expect(one.message.attachmentIds).toEqual(['a1']);
    for (const key of ['attachments', 'files']) {
      const named = decodeMessage(
        wireMessage({ attachmentIds: undefined, [key]: [{ fileId: 7, fileName: 'яма.jpg' }] }),
      );
      if (!named.ok) throw new Error(named.reason);
      expect([named.message.attachmentIds, named.message.attachmentNames]).toEqual([
        ['7'],
        { '7': 'яма.jpg' },
      ]);
    }
    const odd = decodeMessage(wireMessage({ attachmentIds: [{ name: 'без id.pdf' }, true, '42'] }));
    if (!odd.ok) throw new Error(odd.reason);
    expect(odd.message.attachmentIds).toEqual(['42']);
    expect(odd.message.warnings).toContain('Вложения ПОС не распознаны: 2');
  });

  it.each([
    [
      'its first history entry',
      { createdAt: undefined },
      [
        { status: 'TAKE_TO_WORK', createdAt: '2025-02-02T09:00:00+08:00' },
        { status: 'MODERATION_NEW', createdAt: '01.02.2025 05:30' },
      ],
      '2025-02-01T02:30:00.000Z',
      'ПОС не передал дату создания сообщения (createdAt): принята дата первой записи его истории в ПОС',
    ],
    [
      'its last change in ПОС',
      { createdAt: null },
      [{ status: 'MODERATION_NEW' }],
      '2025-02-03T10:00:00.123Z',
      'ПОС не передал дату создания сообщения (createdAt): принята дата последнего изменения сообщения в ПОС',
    ],
    [
      'the moment we read it',
      { createdAt: 'вчера', updatedAt: undefined },
      [],
      '2025-02-05T06:07:08.000Z',
      'Дата создания сообщения в ПОС (createdAt) не распознана: принято время получения сообщения из ПОС',
    ],
  ])(
    'registers a message without a readable createdAt at %s, and says so on it',
    (_label, override, history, at, note) => {
      const decoded = decodeMessage(
        wireMessage({ ...override, history, warnings: ['Заявитель указал неполный адрес'] }),
        new Date('2025-02-05T06:07:08Z'),
      );
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.message.createdAt).toBe(at);
      expect(decoded.message.warnings).toEqual(['Заявитель указал неполный адрес', note]);
      const item = toInboundItem(decoded.message);
      expect(item.receivedAt).toBe(at);
      expect(JSON.parse(item.features!['pos.warnings'])).toContain(note);
    },
  );

  it('still positions a rejected message that has an id and an update instant, so it cannot block the feed', () => {
    const decoded = decodeMessage(
      wireMessage({ description: null, attachmentIds: [], location: null, subjectId: null }),
    );
    expect(decoded).toMatchObject({ ok: false, posId: '563006508', position: { afterId: '563006508' } });
    expect(decodeMessage(wireMessage({ posId: null }))).toMatchObject({ ok: false, position: undefined });
  });

  it('keeps a message whose rating it cannot read, with a warning, and one without text but with files', () => {
    const rated = decodeMessage(wireMessage({ rating: { value: 9, ratedAt: '2025-02-10T00:00:00Z' } }));
    if (!rated.ok) throw new Error(rated.reason);
    expect(rated.message.rating).toBeUndefined();
    expect(rated.message.warnings).toEqual([
      'Оценка ПОС не распознана: значение оценки (rating.value) должно быть от 1 до 5',
    ]);
    const untold = decodeMessage(wireMessage({ description: null }));
    if (!untold.ok) throw new Error(untold.reason);
    expect(untold.message.text).toBe('Текст сообщения не передан ПОС: см. вложения и сведения о сообщении.');
  });

  it.each([
    ['epoch milliseconds', 1738404000000, '2025-02-01T10:00:00.000Z'],
    ['epoch seconds as digits', '1738404000', '2025-02-01T10:00:00.000Z'],
    [
      'a Jackson LocalDateTime array (Moscow time)',
      [2025, 2, 1, 13, 0, 0, 500000000],
      '2025-02-01T10:00:00.500Z',
    ],
    ['a Russian date and time (Moscow time)', '01.02.2025 13:00', '2025-02-01T10:00:00.000Z'],
  ])('reads createdAt given as %s, and positions the feed by it', (_label, createdAt, iso) => {
    const decoded = decodeMessage(
      wireMessage({ createdAt, updatedAt: undefined, history: [{ status: 'MODERATION_NEW', createdAt }] }),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.createdAt).toBe(iso);
    expect(isCursor(decoded.message.position)).toBe(true);
    expect(Date.parse(decoded.message.position!.updatedAfter)).toBe(Date.parse(iso));
  });

  it('reads file objects for attachmentIds, the applicant under another name or at the top, a numeric phone', () => {
    const files = decodeMessage(
      wireMessage({
        attachmentIds: [
          { id: 77, name: 'фото ямы.jpg' },
          { fileId: 'f2' },
          // Folders and a bidi override («…exe.pdf» on screen) are not part of a name a clerk reads and saves.
          { id: 78, fileName: 'C:\\Users\\Иван\\Заявление.pdf' },
          { id: 79, name: 'фото\u202Egpj.exe' },
          { id: 80, name: '..' },
        ],
      }),
    );
    if (!files.ok) throw new Error(files.reason);
    expect(toInboundItem(files.message).attachments).toEqual([
      { fileName: 'фото ямы.jpg', contentType: 'image/jpeg', remoteRef: '77' },
      { fileName: 'pos-file-f2', contentType: 'application/octet-stream', remoteRef: 'f2' },
      { fileName: 'Заявление.pdf', contentType: 'application/pdf', remoteRef: '78' },
      { fileName: 'фотоgpj.exe', contentType: expect.any(String), remoteRef: '79' },
      { fileName: 'pos-file-80', contentType: 'application/octet-stream', remoteRef: '80' },
    ]);
    const person = { epguId: 1000299354, surname: 'Орлова', name: 'Анна', phone: 79025550000 };
    for (const override of [
      { applicant: undefined, author: person },
      { applicant: undefined, ...person },
    ]) {
      const decoded = decodeMessage(wireMessage(override));
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.message.applicant).toMatchObject({
        epguId: '1000299354',
        surname: 'Орлова',
        firstName: 'Анна',
        phone: '79025550000',
      });
    }
  });

  it("keeps what the citizen filled in on the form's own fields, whatever the value's shape", () => {
    const decoded = decodeMessage(
      wireMessage({
        customFieldValues: [
          { id: 3, name: 'Район', value: 'Кировский' },
          // A multiple choice, a dictionary entry, an address object, a list under `values`, a number.
          { id: 5, name: 'Что повреждено', value: ['Асфальт', 'Бордюр', null] },
          { id: 6, name: 'Тип дороги', value: { id: 17, name: 'Дворовый проезд' } },
          { id: 7, name: 'Адрес', value: { value: 'ул. Ленина, 5', fiasId: 'c2f1', geo: [52.28, 104.28] } },
          { fieldId: 8, name: 'Подъезды', values: [1, 2] },
          { id: 9, name: 'Площадь, м²', value: 12.5 },
          { id: 10, name: 'Координаты', value: { lat: 52.28, lon: 104.28 } },
          { id: 11, name: 'Пусто', value: [] },
          { id: 12 },
        ],
      }),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.customFields).toEqual({
      '3': 'Кировский',
      '5': 'Асфальт, Бордюр',
      '6': 'Дворовый проезд',
      '7': 'ул. Ленина, 5',
      '8': '1, 2',
      '9': '12.5',
      '10': '{"lat":52.28,"lon":104.28}',
    });
    // A plain map of the same.
    const map = decodeMessage(
      wireMessage({ customFieldValues: { district: ['Кировский'], road: { name: 'Двор' } } }),
    );
    if (!map.ok) throw new Error(map.reason);
    expect(map.message.customFields).toEqual({ district: 'Кировский', road: 'Двор' });
  });

  it('maps the regime and leaves an unknown one to the core', () => {
    const regime = (value: unknown) => {
      const d = decodeMessage(wireMessage({ regime: value }));
      return d.ok ? d.message.regime : 'rejected';
    };
    expect(regime('APPEAL')).toBe('appeal');
    expect(regime('MESSAGE')).toBe('message');
    expect(regime('SOMETHING')).toBeUndefined();
    expect(regime('appeal')).toBe('appeal');
    expect(regime('Обращение')).toBe('appeal');
    expect(regime('СООБЩЕНИЕ')).toBe('message');
    const fast = decodeMessage(wireMessage({ fastTrack: 'true' }));
    expect(fast.ok && fast.message.fastTrack).toBe(true);
  });

  it('maps 1–5 stars onto satisfied / partially / not satisfied', () => {
    const satisfaction = (value: number) => {
      const d = decodeMessage(wireMessage({ rating: { value, ratedAt: '2025-02-10T00:00:00Z' } }));
      return d.ok ? d.message.rating?.satisfaction : 'rejected';
    };
    expect([1, 2, 3, 4, 5].map(satisfaction)).toEqual([
      'not-satisfied',
      'not-satisfied',
      'partially',
      'satisfied',
      'satisfied',
    ]);
  });

  it('orders positions by instant, then by numeric posId', () => {
    const at = '2025-02-03T10:00:00Z';
    expect(comparePositions({ updatedAfter: at, afterId: '9' }, { updatedAfter: at, afterId: '10' })).toBe(
      -1,
    );
    expect(comparePositions({ updatedAfter: at, afterId: '10' }, { updatedAfter: at, afterId: '10' })).toBe(
      0,
    );
    expect(
      comparePositions(
        { updatedAfter: '2025-02-03T10:00:01Z', afterId: '1' },
        { updatedAfter: at, afterId: '99' },
      ),
    ).toBe(1);
  });

  it('places a message with no date at all after the position the feed stands at, or at its beginning', () => {
    const raw = {
      posId: 77,
      description: 'Нет света в подъезде',
      history: [{ status: 'MODERATION_ACCEPT' }],
    };
    const decoded = decodeMessage(raw);
    expect(decoded.ok && decoded.message.position).toBeUndefined();
    expect(undatedPosition('77', undefined)).toEqual({
      updatedAfter: '1970-01-01T00:00:00.000Z',
      afterId: '77',
    });
    const at = { updatedAfter: '2025-02-03T10:00:00Z', afterId: '12' };
    expect(undatedPosition('77', at)).toEqual({ updatedAfter: at.updatedAfter, afterId: '77' });
    expect(isCursor(undatedPosition('77', undefined))).toBe(true);
  });

  it('accepts only cursors it wrote', () => {
    expect(isCursor({ updatedAfter: '2025-02-03T10:00:00Z', afterId: '1' })).toBe(true);
    expect(isCursor({ updatedAfter: 'soon', afterId: '1' })).toBe(false);
    expect(isCursor('2025-02-03')).toBe(false);
  });

  it('refuses a feed page without content, and reads a bare array as a page', () => {
    expect(() => decodeFeedPage({ items: [] })).toThrow('content');
    expect(decodeFeedPage({ content: [], last: true })).toEqual({ entries: [], last: true });
    expect(decodeFeedPage([wireMessage()])).toEqual({ entries: [wireMessage()] });
  });

  it('reads a description and place the portal HTML-escaped as the citizen typed them', () => {
    const decoded = decodeMessage(
      wireMessage({
        description: 'Яма у дома &quot;5А&quot; &mdash; &laquo;опасно&raquo;',
        location: 'д. &#8470;5',
      }),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    expect([decoded.message.text, decoded.message.location]).toEqual(['Яма у дома "5А" — «опасно»', 'д. №5']);
  });

  it('registers a description longer than an appeal takes: its beginning as the text, the whole as a file', () => {
    const long = 'Прошу разобраться. '.repeat(3000).trim();
    const decoded = decodeMessage(wireMessage({ description: long }));
    if (!decoded.ok) throw new Error(decoded.reason);
    const item = toInboundItem(decoded.message);
    expect(item.text.length).toBeLessThan(long.length);
    expect(item.text).toContain('полностью — во вложении «obrashchenie.txt»');
    expect(item.attachments![0]).toMatchObject({ fileName: 'obrashchenie.txt', contentType: 'text/plain' });
    expect(Buffer.from(item.attachments![0].contentBase64!, 'base64').toString('utf8')).toBe(long);
    expect(item.attachments!.slice(1).map((f) => f.remoteRef)).toEqual(['a1', '42']);
  });

  it('reads the category as an object, and a history author written as one name', () => {
    const decoded = decodeMessage(
      wireMessage({
        subjectId: undefined,
        subsubjectId: undefined,
        subject: { id: 102, name: 'ЖКХ' },
        subsubject: { id: '1022', name: 'Вывоз мусора' },
        history: [
          { status: 'TAKE_TO_WORK', createdAt: '2025-02-02T09:00:00+08:00', createdBy: ' Кравцова Д. О. ' },
        ],
      }),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    expect([decoded.message.subject, decoded.message.subsubject]).toEqual([
      { id: '102', name: 'ЖКХ' },
      { id: '1022', name: 'Вывоз мусора' },
    ]);
    expect(decoded.message.history[0].createdBy).toBe('Кравцова Д. О.');
  });
});

describe('ПОС mapping', () => {
  const decoded = decodeMessage(wireMessage({ rating: { value: 3, ratedAt: '2025-02-10T05:00:00Z' } }));
  if (!decoded.ok) throw new Error(decoded.reason);
  const message = decoded.message;

  it('builds the inbound item with thread key and reply address', () => {
    const item = toInboundItem(message);
    expect(item.externalId).toBe('563006508');
    expect(item.thread).toEqual({ key: 'pos:563006508' });
    expect(item.replyAddress).toEqual({ posId: '563006508' });
    expect(item.channelCategory).toEqual({ id: '101', subcategoryId: '1012' });
    expect(item.features).toMatchObject({ 'pos.status': 'TAKE_TO_WORK', 'pos.custom.3': 'Кировский' });
    expect(item.attachments?.map((a) => a.remoteRef)).toEqual(['a1', '42']);
  });

  it("keeps what a real appeal response carries beyond the text: statusText, history, factId, warnings, the organisation's requisites", () => {
    const decoded = decodeMessage(
      wireMessage({
        factId: 90817,
        warnings: ['Заявитель указал неполный адрес', { message: 'Повторное обращение' }],
        organizationInfo: {
          name: 'Администрация г. Иркутска',
          address: '664025, г. Иркутск, ул. Ленина, 14',
          inn: '3808131271',
          kpp: 380801001,
          ogrn: '1053808211610',
          oktmo: '25701000',
        },
        history: [
          {
            status: 'MODERATION_ACCEPT',
            statusText: 'Принято модератором',
            createdAt: '2025-02-01T11:00:00+08:00',
            createdBy: null,
            answer: null,
          },
          {
            status: 'SEND_RESPONSE',
            statusText: 'Дан ответ',
            createdAt: '2025-02-03T10:00:00+08:00',
            createdBy: { surname: 'Петрова', name: 'Анна', patronymic: 'Сергеевна', position: 'специалист' },
            answer: { answerType: 'RESPONSE', comment: 'Освещение восстановлено', rejectReason: null },
          },
        ],
      }),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    const item = toInboundItem(decoded.message);
    expect(item.features).toMatchObject({
      'pos.statusText': 'Взято в работу',
      'pos.factId': '90817',
      'pos.organisation.inn': '3808131271',
      'pos.organisation.kpp': '380801001',
      'pos.organisation.ogrn': '1053808211610',
      'pos.organisation.oktmo': '25701000',
      'pos.organisation.address': '664025, г. Иркутск, ул. Ленина, 14',
    });
    expect(JSON.parse(item.features!['pos.warnings'])).toEqual([
      'Заявитель указал неполный адрес',
      'Повторное обращение',
    ]);
    expect(JSON.parse(item.features!['pos.history'])).toEqual([
      {
        status: 'MODERATION_ACCEPT',
        statusText: 'Принято модератором',
        createdAt: '2025-02-01T03:00:00.000Z',
      },
      {
        status: 'SEND_RESPONSE',
        statusText: 'Дан ответ',
        createdAt: '2025-02-03T02:00:00.000Z',
        createdBy: 'Петрова Анна Сергеевна',
        answer: { answerType: 'RESPONSE', comment: 'Освещение восстановлено' },
      },
    ]);
  });

  it('builds a rating event keyed by message and rating instant', () => {
    expect(toRatingEvent(message)).toMatchObject({
      externalId: 'rating:563006508:2025-02-10T05:00:00.000Z',
      satisfaction: 'partially',
      channelScore: { value: 3, max: 5 },
      answered: undefined,
    });
    expect(toRatingEvent({ ...message, rating: undefined })).toBeUndefined();
  });
});

describe('ПОС status events', () => {
  const at = '2025-03-04T03:00:00.000Z';

  it('maps our statuses onto ПОС event codes', () => {
    const code = (status: Parameters<typeof toPosEvent>[0]) => {
      const event = toPosEvent(status);
      return event ? JSON.parse(String(eventRequest('1', event, 'k').body)).eventType : undefined;
    };
    expect(code({ externalId: '1', status: 'taken-to-work', at })).toBe('TAKE_TO_WORK');
    expect(code({ externalId: '1', status: 'postponed', at, plannedAnswerAt: at })).toBe('POSTPONE');
    expect(code({ externalId: '1', status: 'forwarded-up', at })).toBe('FORWARD_TO_PARENT');
    expect(code({ externalId: '1', status: 'forwarded-down', at, organisationExternalId: '5' })).toBe(
      'FORWARD_TO_SUBORDINATE',
    );
    expect(code({ externalId: '1', status: 'refused', at, comment: 'Не подлежит рассмотрению' })).toBe(
      'SEND_RESPONSE',
    );
    expect(code({ externalId: '1', status: 'answered', at })).toBeUndefined();
  });

  it('refuses a postponement without a date and a forward down without an organisation', () => {
    for (const update of [
      { externalId: '1', status: 'postponed' as const, at },
      { externalId: '1', status: 'forwarded-down' as const, at },
    ]) {
      expect(() => toPosEvent(update)).toThrow(ConnectorError);
      try {
        toPosEvent(update);
      } catch (error) {
        expect((error as ConnectorError).code).toBe(ConnectorErrorCode.InvalidPayload);
      }
    }
  });

  it('puts the answer, its files and the idempotency key on the wire', () => {
    const spec = eventRequest(
      '77',
      { kind: 'answer', at, comment: 'Ответ', attachmentIds: ['f1'], registrationNumber: 'Н-1' },
      'out-1',
    );
    expect(spec.path).toBe('/appeal-service/external-appeal-system/appeals/77/events');
    expect(spec.headers?.[IDEMPOTENCY_HEADER]).toBe('out-1');
    expect(JSON.parse(String(spec.body))).toEqual({
      eventType: 'SEND_RESPONSE',
      createdAt: at,
      regNumber: 'Н-1',
      answer: { answerType: 'SOLVED', comment: 'Ответ', attachmentIds: ['f1'] },
    });
  });
});

describe('ПОС rubricator merge', () => {
  const previous: PosRubricator = {
    regionId: '54',
    regions: [{ id: '54', name: 'Новосибирская область', deleted: false }],
    categories: [
      {
        id: '1',
        name: 'Дороги',
        deleted: false,
        subcategories: [
          { id: '11', name: 'Ямы', deleted: false },
          { id: '12', name: 'Освещение', deleted: false },
        ],
      },
      {
        id: '2',
        name: 'Транспорт',
        deleted: false,
        subcategories: [{ id: '21', name: 'Автобусы', deleted: false }],
      },
    ],
  };

  it('marks vanished categories and subcategories deleted and keeps the rest as ПОС says', () => {
    const current: PosRubricator = {
      regionId: '54',
      regions: [],
      categories: [
        {
          id: '1',
          name: 'Дороги',
          deleted: false,
          subcategories: [{ id: '11', name: 'Ямы', deleted: false }],
        },
      ],
    };
    const merged = mergeRubricator(previous, current);
    expect(merged.categories).toEqual([
      {
        id: '1',
        name: 'Дороги',
        deleted: false,
        subcategories: [
          { id: '11', name: 'Ямы', deleted: false },
          { id: '12', name: 'Освещение', deleted: true },
        ],
      },
      {
        id: '2',
        name: 'Транспорт',
        deleted: true,
        subcategories: [{ id: '21', name: 'Автобусы', deleted: true }],
      },
    ]);
    expect(merged.regions).toEqual([{ id: '54', name: 'Новосибирская область', deleted: true }]);
  });
});

describe('HTTP details', () => {
  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(null)).toBe(60_000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(inTenSeconds)).toBeGreaterThan(8000);
    expect(retryAfterMs('garbage')).toBe(60_000);
  });

  it('reads Cyrillic file names from Content-Disposition', () => {
    expect(
      fileNameFrom(`attachment; filename="___.pdf"; filename*=UTF-8''${encodeURIComponent('Ответ.pdf')}`),
    ).toBe('Ответ.pdf');
    expect(fileNameFrom('attachment; filename="photo.jpg"')).toBe('photo.jpg');
    expect(fileNameFrom(null)).toBeUndefined();
  });
});
