import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  type InboundItem,
  isTooLarge,
  type OutboundMessage,
} from '@inbox/integrations/contract';
import { PosConnector, type PosPullPage } from '@inbox/integrations/pos';
import { nestedMarker } from '../fakes/nested-json';
import { PosFake } from '../fakes/pos/pos-fake';

const quiet = new JsonLogger('pos-connector-test', 'error');

async function codeOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError, the call succeeded');
}

describe('ПОС connector against the fake ПОС (integration)', () => {
  let fake: PosFake;
  let connector: PosConnector;
  let account: ChannelAccountRef;

  beforeEach(async () => {
    fake = new PosFake();
    const baseUrl = await fake.start();
    connector = new PosConnector({ logger: quiet, timeoutMs: 5000 });
    account = {
      id: 'pos-nsk',
      channel: Channel.Pos,
      settings: { baseUrl, regionId: 54, opaIds: [220511, 220512] },
      secrets: { ...fake.credentials },
    };
  });

  afterEach(async () => {
    await fake.stop();
  });

  /** Pulls until ПОС says there is no more, as the core would, storing the cursor after each page. */
  async function drain(cursor: unknown, limit: number): Promise<{ pages: PosPullPage[]; cursor: unknown }> {
    const pages: PosPullPage[] = [];
    for (let i = 0; i < 100; i++) {
      const page = await connector.pull(account, cursor, limit);
      pages.push(page);
      cursor = page.nextCursor;
      if (!page.hasMore) return { pages, cursor };
    }
    throw new Error('the feed never ended');
  }

  const ids = (pages: PosPullPage[]) => pages.flatMap((p) => p.items.map((i) => i.externalId));

  describe('token', () => {
    it('gets a token by password grant with HTTP Basic client credentials, and caches it per account', async () => {
      await connector.check(account);
      const [tokenCall] = fake.requestsTo('/user-service/oauth/token', 'POST');
      const form = new URLSearchParams(tokenCall.body.toString('utf8'));
      expect(form.get('grant_type')).toBe('password');
      expect(form.get('username')).toBe(fake.credentials.username);
      expect(form.get('password')).toBe(fake.credentials.password);
      expect(form.get('scope')).toBeTruthy();
      expect(tokenCall.headers.authorization).toBe(
        `Basic ${Buffer.from(`${fake.credentials.clientId}:${fake.credentials.clientSecret}`).toString('base64')}`,
      );

      fake.addMessage();
      await connector.pull(account, null, 10);
      await connector.pull(account, null, 10);
      expect(fake.tokensIssued).toBe(1);
      expect(fake.requestsTo('/appeal-service/')[0].headers.authorization).toMatch(/^Bearer /);
    });

    it('refuses wrong credentials with AuthFailed', async () => {
      const error = await codeOf(
        connector.check({ ...account, secrets: { ...account.secrets, password: 'wrong' } }),
      );
      expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
      const client = await codeOf(
        connector.check({ ...account, secrets: { ...account.secrets, clientSecret: 'x' } }),
      );
      expect(client.code).toBe(ConnectorErrorCode.AuthFailed);
    });

    it('re-authenticates once when ПОС expires the token, and the call succeeds', async () => {
      fake.addMessage();
      await connector.pull(account, null, 10);
      fake.expireAllTokens();
      const page = await connector.pull(account, null, 10);
      expect(page.items).toHaveLength(1);
      expect(fake.tokensIssued).toBe(2);
      // first pull, the refused one, the retry
      expect(fake.requestsTo('/appeal-service/external-appeal-system/appeals', 'GET')).toHaveLength(3);
    });

    it('gives up with AuthFailed when a fresh token is refused too', async () => {
      await connector.check(account);
      fake.setScenario('reject-tokens');
      const error = await codeOf(connector.pull(account, null, 10));
      expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
      expect(fake.tokensIssued).toBe(2);
    });

    it('refuses an account without settings with AuthFailed naming the fields', async () => {
      const error = await codeOf(
        connector.pull({ ...account, settings: { baseUrl: account.settings.baseUrl } }, null, 1),
      );
      expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
      expect(Object.keys(error.details.fields ?? {})).toEqual(expect.arrayContaining(['regionId', 'opaIds']));
      // The administrator reads it as is (the account's last error): in Russian, each setting by label and key.
      expect(error.details.toAdministrator).toBe(true);
      expect(error.message).toBe(
        'ПОС не настроен: «Код региона» (regionId): не задан; «ID организаций в ПОС» (opaIds): укажите хотя бы ' +
          'один, без пустых',
      );
      const unsure = await codeOf(
        connector.pull(
          { ...account, settings: { ...account.settings, startFrom: 'с начала года' }, secrets: {} },
          null,
          1,
        ),
      );
      expect(unsure.message).toBe(
        'ПОС не настроен: «Начать с даты» (startFrom): дата ISO 8601, например 2026-01-01T00:00:00+03:00; ' +
          '«Логин» (username): не задан; «Пароль» (password): не задан; «Client ID» (clientId): не задан; ' +
          '«Client secret» (clientSecret): не задан',
      );
    });
  });

  describe('rubricator', () => {
    it('lists categories and subcategories of the region, and marks vanished and deleted ones deleted', async () => {
      const first = await connector.syncRubricator(account);
      expect(first.regions.map((r) => r.id)).toEqual(['54', '38']);
      expect(first.categories.map((c) => [c.id, c.name, c.deleted])).toEqual([
        ['101', 'Дороги', false],
        ['102', 'ЖКХ', false],
        ['103', 'Благоустройство', true],
      ]);
      const roads = first.categories.find((c) => c.id === '101')!;
      expect(roads.subcategories).toEqual([
        { id: '1011', name: 'Ямы и выбоины на дорогах', deleted: false },
        { id: '1012', name: 'Уличное освещение', deleted: false },
      ]);
      // A deleted category takes its subcategories with it.
      expect(first.categories.find((c) => c.id === '103')!.subcategories).toEqual([
        { id: '1031', name: 'Детские площадки', deleted: true },
      ]);

      fake.subsubjects = fake.subsubjects.filter((s) => s.id !== 1012);
      fake.subsubjects.find((s) => s.id === 1021)!.deleted = true;
      fake.subjects = fake.subjects.filter((s) => s.id !== 103);

      const second = await connector.syncRubricator(account, first);
      const sub = (id: string) => second.categories.flatMap((c) => c.subcategories).find((s) => s.id === id);
      expect(sub('1012')).toEqual({ id: '1012', name: 'Уличное освещение', deleted: true });
      expect(sub('1021')?.deleted).toBe(true);
      expect(sub('1011')?.deleted).toBe(false);
      expect(second.categories.find((c) => c.id === '103')?.deleted).toBe(true);
      expect(fake.requestsTo('/inbox-service/subsubjects/subject/101/region/54')).toHaveLength(2);
    });
  });

  describe('feed', () => {
    it('pages through the feed by cursor, ties on updatedAt included, every message exactly once', async () => {
      const tie = '2025-03-03T05:00:00.000Z';
      const added = [
        fake.addMessage(),
        fake.addMessage({ updatedAt: tie }),
        fake.addMessage({ updatedAt: tie }),
        fake.addMessage({ updatedAt: tie }),
        fake.addMessage({ updatedAt: tie }),
        fake.addMessage(),
        fake.addMessage(),
      ];
      fake.addMessage({ opaId: 999001 }); // someone else's
      const { pages, cursor } = await drain(null, 2);
      expect(ids(pages).sort()).toEqual(added.map((m) => String(m.posId)).sort());
      expect(new Set(ids(pages)).size).toBe(added.length);
      expect(pages.length).toBeGreaterThanOrEqual(4);

      const again = await connector.pull(account, cursor, 10);
      expect(again.items).toEqual([]);
      expect(again.nextCursor).toEqual(cursor);
    });

    it('moves the cursor over messages that carry no updatedAt: each read once, the next pull finds nothing', async () => {
      // A ПОС that does not stamp updates sends its appeals as the public client shows them: no updatedAt.
      const added = Array.from({ length: 5 }, () => fake.addMessage({}, { withoutUpdatedAt: true }));
      expect(added.every((m) => m.updatedAt === undefined)).toBe(true);
      const { pages, cursor } = await drain(null, 2);
      expect(ids(pages).sort()).toEqual(added.map((m) => String(m.posId)).sort());
      expect(new Set(ids(pages)).size).toBe(added.length);
      expect(cursor).not.toBeNull();

      const again = await connector.pull(account, cursor, 10);
      expect(again.items).toEqual([]);
      // A status event on one of them (a new history entry) brings that one back, and only it.
      fake.tick(60_000);
      await connector.pushStatus(account, {
        externalId: String(added[1].posId),
        status: 'taken-to-work',
        at: new Date(Date.parse(added[4].createdAt!) + 60_000).toISOString(),
      });
      const changed = await connector.pull(account, cursor, 10);
      expect(changed.items.map((i) => i.externalId)).toEqual([String(added[1].posId)]);
    });

    it('moves the cursor over messages with no date at all: a page of them does not hold the feed back', async () => {
      // No updatedAt, no createdAt, history entries with createdAt null: ПОС lists them first, in posId order.
      const undated = Array.from({ length: 3 }, () => fake.addMessage({}, { withoutDates: true }));
      const dated = Array.from({ length: 2 }, () => fake.addMessage());
      const { pages, cursor } = await drain(null, 2);
      expect(ids(pages)).toEqual([...undated, ...dated].map((m) => String(m.posId)));
      expect(pages[0].nextCursor).toEqual({
        updatedAfter: '1970-01-01T00:00:00.000Z',
        afterId: String(undated[1].posId),
      });
      // Registered, each with the note that ПОС gave no date (read at the time of reading).
      expect(JSON.parse(pages[0].items[0].features!['pos.warnings'])).toEqual([
        expect.stringContaining('ПОС не передал дату создания сообщения (createdAt)'),
      ]);
      expect((await connector.pull(account, cursor, 10)).items).toEqual([]);
    });

    it('returns an updated message again under the same externalId, so the core dedupes it', async () => {
      const m = fake.addMessage();
      const first = await connector.pull(account, null, 10);
      fake.updateMessage(m.posId, { statusText: 'Проверено модератором' });
      const second = await connector.pull(account, first.nextCursor, 10);
      expect(second.items.map((i) => i.externalId)).toEqual([String(m.posId)]);
      expect(second.items[0].externalId).toBe(first.items[0].externalId);
    });

    it('after a page cut mid-way throws Temporary; the retry from the stored cursor yields everything once', async () => {
      const added = Array.from({ length: 7 }, () => fake.addMessage());
      const firstPage = await connector.pull(account, null, 3);
      expect(firstPage.hasMore).toBe(true);

      fake.setScenario('cut-mid-page', { times: 1 });
      const cut = await codeOf(connector.pull(account, firstPage.nextCursor, 3));
      expect(cut.code).toBe(ConnectorErrorCode.Temporary);
      expect(cut.retryable).toBe(true);

      const rest = await drain(firstPage.nextCursor, 3);
      const all = [...ids([firstPage]), ...ids(rest.pages)];
      expect(all.sort()).toEqual(added.map((m) => String(m.posId)).sort());
      expect(new Set(all).size).toBe(all.length);
    });

    it('asks for fewer messages a page while ПОС answers over maxResponseBytes; every message comes once', async () => {
      // About 7.5 KB a message: two fit in 20 000 bytes, three do not.
      const long = (n: number) => ({ description: `Сообщение ${n}. ${'Мусор не вывозят. '.repeat(180)}` });
      const added = Array.from({ length: 5 }, (_, n) => fake.addMessage(long(n)));
      const capped = { ...account, settings: { ...account.settings, maxResponseBytes: 20_000 } };
      const pages: PosPullPage[] = [];
      let cursor: unknown = null;
      for (let i = 0; i < 10; i++) {
        const page = await connector.pull(capped, cursor, 5);
        pages.push(page);
        cursor = page.nextCursor;
        if (!page.hasMore) break;
      }
      expect(ids(pages).sort()).toEqual(added.map((m) => String(m.posId)).sort());
      expect(new Set(ids(pages)).size).toBe(added.length);
      // 5 refused, then 2 that fit.
      expect(
        fake
          .requestsTo('/appeal-service/external-appeal-system/appeals', 'GET')
          .slice(0, 2)
          .map((r) => r.query.size),
      ).toEqual(['5', '2']);

      // One message alone over the limit: a clear error naming sizes only, the cursor where it was.
      fake.addMessage({ description: 'Очень длинное сообщение. '.repeat(2000) });
      const error = await codeOf(connector.pull(capped, cursor, 5));
      expect(error.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(error.message).toBe(
        'ПОС feed: one message is larger than 20000 bytes (maxResponseBytes, POS_MAX_RESPONSE_BYTES)',
      );
    });

    it('refuses a file over maxResponseBytes as too large, without reading it whole', async () => {
      const fileId = fake.addFile('video.mp4', 'video/mp4', Buffer.alloc(50_000, 1));
      const capped = { ...account, settings: { ...account.settings, maxResponseBytes: 20_000 } };
      const error = await codeOf(connector.fetchAttachment(capped, fileId));
      expect(isTooLarge(error)).toBe(true);
      expect((await connector.fetchAttachment(account, fileId)).content.length).toBe(50_000);
    });

    it('maps a fast-track 59-ФЗ appeal with its category, addressee, applicant and attachments', async () => {
      const fileId = fake.addFile('Фото контейнерной площадки.jpg', 'image/jpeg', Buffer.from('JPEGDATA'));
      const m = fake.addMessage({
        regime: 'APPEAL',
        fastTrack: true,
        opaId: 220512,
        subjectId: 101,
        subjectName: 'Дороги',
        subsubjectId: 1011,
        subsubjectName: 'Ямы и выбоины на дорогах',
        attachmentIds: [fileId],
        description:
          'На Красном проспекте у дома 50 глубокая яма на проезжей части, повреждено уже несколько машин.',
        location: 'г. Новосибирск, Красный проспект, 50',
      });
      const plain = fake.addMessage();
      const page = await connector.pull(account, null, 10);
      const item = page.items.find((i) => i.externalId === String(m.posId))!;
      expect(item).toMatchObject<Partial<InboundItem>>({
        channel: Channel.Pos,
        regime: 'appeal',
        fastTrack: true,
        text: 'На Красном проспекте у дома 50 глубокая яма на проезжей части, повреждено уже несколько машин.',
        address: 'г. Новосибирск, Красный проспект, 50',
        receivedAt: m.createdAt,
        channelCategory: {
          id: '101',
          name: 'Дороги',
          subcategoryId: '1011',
          subcategoryName: 'Ямы и выбоины на дорогах',
        },
        addressee: {
          externalId: '220512',
          name: 'Министерство транспорта и дорожного хозяйства Новосибирской области',
        },
        author: {
          externalId: '1000299353',
          surname: 'Смирнова',
          firstName: 'Ольга',
          patronymic: 'Викторовна',
          email: 'o.smirnova@example.ru',
          phone: '+79131234567',
          postalAddress: '630099, г. Новосибирск, ул. Кирова, д. 12, кв. 45',
          snils: '112-233-445 95',
        },
        thread: { key: `pos:${m.posId}` },
        replyAddress: { posId: String(m.posId) },
      });
      expect(item.features?.['pos.custom.7']).toBe('Многоквартирный дом');
      expect(item.attachments).toEqual([expect.objectContaining({ remoteRef: fileId })]);

      const other = page.items.find((i) => i.externalId === String(plain.posId))!;
      expect(other.regime).toBe('message');
      expect(other.fastTrack).toBe(false);

      const file = await connector.fetchAttachment(account, fileId);
      expect(file).toEqual({
        fileName: 'Фото контейнерной площадки.jpg',
        contentType: 'image/jpeg',
        content: Buffer.from('JPEGDATA'),
      });
      expect((await codeOf(connector.fetchAttachment(account, 'no-such-file'))).code).toBe(
        ConnectorErrorCode.NotFound,
      );
    });

    it('turns a new rating of an answered message into a RatingEvent', async () => {
      const m = fake.addMessage();
      const first = await connector.pull(account, null, 10);
      expect(first.events).toEqual([]);

      const ratedAt = fake.rateMessage(m.posId, {
        value: 2,
        answered: true,
        comment: 'Мусор так и не вывезли',
      });
      const second = await connector.pull(account, first.nextCursor, 10);
      expect(second.items.map((i) => i.externalId)).toEqual([String(m.posId)]);
      expect(second.events).toEqual([
        {
          kind: 'rating',
          channel: Channel.Pos,
          externalId: `rating:${m.posId}:${ratedAt}`,
          receivedAt: ratedAt,
          target: { externalId: String(m.posId), threadKey: `pos:${m.posId}` },
          answered: true,
          satisfaction: 'not-satisfied',
          channelScore: { value: 2, max: 5 },
          comment: 'Мусор так и не вывезли',
          author: { externalId: '1000299353' },
        },
      ]);

      // Pulled again from the old cursor: the same rating id, which the core dedupes.
      const replay = await connector.pull(account, first.nextCursor, 10);
      expect(replay.events?.[0].externalId).toBe(`rating:${m.posId}:${ratedAt}`);
    });

    it('a message declined by moderation is no item: skipped with the reason, and a withdrawal by the channel', async () => {
      const kept = fake.addMessage();
      const declined = fake.addMessage();
      fake.declineMessage(declined.posId, 'Сообщение содержит нецензурную лексику');
      const page = await connector.pull(account, null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([String(kept.posId)]);
      expect(page.skipped).toEqual([
        { externalId: String(declined.posId), reason: 'ПОС: сообщение отклонено модератором' },
      ]);
      expect(page.events).toEqual([
        expect.objectContaining({
          kind: 'withdrawal',
          channel: Channel.Pos,
          externalId: `declined:${declined.posId}`,
          target: { externalId: String(declined.posId), threadKey: `pos:${declined.posId}` },
          by: 'channel',
          reason: 'Сообщение содержит нецензурную лексику',
        }),
      ]);

      // Declined after we had it: the update comes as the same withdrawal, for the core to note on the appeal.
      fake.declineMessage(kept.posId, 'Дубликат');
      const later = await connector.pull(account, page.nextCursor, 10);
      expect(later.items).toEqual([]);
      expect(later.events?.map((e) => e.externalId)).toEqual([`declined:${kept.posId}`]);
    });

    it('registers a message ПОС sent without createdAt at its first history entry, saying so on the item', async () => {
      const undated = fake.addMessage({ createdAt: undefined });
      expect(undated.createdAt).toBeUndefined();
      const page = await connector.pull(account, null, 10);
      expect(page.rejected).toEqual([]);
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({
        externalId: String(undated.posId),
        receivedAt: new Date(undated.history[0].createdAt!).toISOString(),
      });
      expect(JSON.parse(page.items[0].features!['pos.warnings'])).toEqual([
        'ПОС не передал дату создания сообщения (createdAt): принята дата первой записи его истории в ПОС',
      ]);
    });

    it('reads a feed page whose JSON begins with a byte order mark', async () => {
      const added = fake.addMessage();
      fake.setScenario('bom', { times: 1 });
      const page = await connector.pull(account, null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([String(added.posId)]);
    });

    it('rejects a malformed message with a reason and returns the rest of the page', async () => {
      const added = Array.from({ length: 5 }, () => fake.addMessage());
      fake.setScenario('malformed', { times: 1 });
      const page = await connector.pull(account, null, 10);
      expect(page.items).toHaveLength(4);
      expect(page.rejected).toHaveLength(1);
      expect(page.rejected[0]).toMatchObject({
        externalId: String(added[2].posId),
        reason: 'В сообщении ПОС нет ни текста (description), ни вложений, ни места, ни категории',
      });
      expect(page.rejected[0].raw).toMatchObject({ posId: added[2].posId });
      // The cursor moved past the broken message: it does not block the feed.
      const next = await connector.pull(account, page.nextCursor, 10);
      expect(next.items).toEqual([]);
      expect(next.rejected).toEqual([]);
    });

    it('quarantines a message its reading throws on, with the reason, and goes on past it', async () => {
      const before = fake.addMessage();
      // A warning nested deeper than our reading goes: writing it out for the clerk threw (RangeError).
      const odd = fake.addMessage({ warnings: [nestedMarker(6000)] } as unknown as Parameters<
        PosFake['addMessage']
      >[0]);
      // An epoch beyond what a Date holds in its history threw too, and stopped the page; it is read as no time now.
      const far = fake.addMessage({
        history: [{ status: 'MODERATION_ACCEPT', createdAt: 8_700_000_000_000_000 }],
      } as unknown as Parameters<PosFake['addMessage']>[0]);
      const after = fake.addMessage();
      const page = await connector.pull(account, null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([
        String(before.posId),
        String(far.posId),
        String(after.posId),
      ]);
      expect(page.rejected).toEqual([
        {
          externalId: String(odd.posId),
          reason: expect.stringMatching(
            /^Сообщение ПОС не удалось разобрать: сбой программы чтения канала \(RangeError/,
          ),
          raw: expect.objectContaining({ posId: odd.posId }),
        },
      ]);
      // Last on the next page, it still moves the cursor: not read again, not retried forever.
      const only = fake.addMessage({ warnings: [nestedMarker(6000)] } as unknown as Parameters<
        PosFake['addMessage']
      >[0]);
      const second = await connector.pull(account, page.nextCursor, 10);
      expect(second.rejected.map((r) => r.externalId)).toEqual([String(only.posId)]);
      const third = await connector.pull(account, second.nextCursor, 10);
      expect([...third.items, ...third.rejected]).toEqual([]);
    });

    it('refuses a cursor it did not write, and one ПОС refuses, with CursorInvalid', async () => {
      expect((await codeOf(connector.pull(account, { since: 'yesterday' }, 10))).code).toBe(
        ConnectorErrorCode.CursorInvalid,
      );
      const remote = await codeOf(
        connector.pull(account, { updatedAfter: '2025-03-03T00:00:00Z', afterId: 'x1' }, 10),
      );
      expect(remote.code).toBe(ConnectorErrorCode.CursorInvalid);
      expect(remote.details.status).toBe(400);
    });
  });

  describe('status and answers', () => {
    it('pushes status events with their codes, each update recorded once however often it is pushed', async () => {
      const m = fake.addMessage();
      const posId = String(m.posId);
      await connector.pushStatus(account, {
        externalId: posId,
        status: 'taken-to-work',
        at: '2025-03-04T03:00:00.000Z',
      });
      const postpone = {
        externalId: posId,
        status: 'postponed' as const,
        at: '2025-03-05T03:00:00.000Z',
        plannedAnswerAt: '2025-04-30T10:00:00.000Z',
        comment: 'Требуется выезд на место',
      };
      await connector.pushStatus(account, postpone);
      await connector.pushStatus(account, postpone);
      await connector.pushStatus(account, {
        externalId: posId,
        status: 'forwarded-down',
        at: '2025-03-06T03:00:00.000Z',
        organisationExternalId: '220512',
      });
      // The answer goes through send; 'answered' adds nothing.
      await connector.pushStatus(account, {
        externalId: posId,
        status: 'answered',
        at: '2025-03-07T03:00:00.000Z',
      });

      expect(fake.events.map((e) => e.body.eventType)).toEqual([
        'TAKE_TO_WORK',
        'POSTPONE',
        'FORWARD_TO_SUBORDINATE',
      ]);
      expect(fake.events[1].body).toMatchObject({
        answerAt: '2025-04-30T10:00:00.000Z',
        comment: 'Требуется выезд на место',
      });
      expect(fake.events[2].body).toMatchObject({ opaId: 220512 });
      expect(fake.message(m.posId)?.answerAt).toBe('2025-04-30T10:00:00.000Z');

      const missing = await codeOf(
        connector.pushStatus(account, {
          externalId: '1',
          status: 'taken-to-work',
          at: '2025-03-04T03:00:00.000Z',
        }),
      );
      expect(missing.code).toBe(ConnectorErrorCode.NotFound);
    });

    it('sends the answer with its files once, however often the same outbound message is sent', async () => {
      const m = fake.addMessage();
      const outbound: OutboundMessage = {
        id: 'out-7f3c2a',
        kind: 'answer',
        text: 'Уважаемая Ольга Викторовна! Вывоз мусора по ул. Кирова, 12 выполнен 05.03.2025, график восстановлен.',
        replyAddress: { posId: String(m.posId) },
        references: { registrationNumber: 'НСО-2025-000123' },
        attachments: [
          {
            fileName: 'Ответ на обращение.pdf',
            contentType: 'application/pdf',
            contentBase64: Buffer.from('%PDF-1.4 answer').toString('base64'),
          },
        ],
      };
      const first = await connector.send(account, outbound);
      const second = await connector.send(account, outbound);

      expect(fake.uploads).toHaveLength(1);
      expect(fake.uploads[0]).toMatchObject({
        fileName: 'Ответ на обращение.pdf',
        contentType: 'application/pdf',
      });
      expect(fake.uploads[0].content.toString()).toBe('%PDF-1.4 answer');
      expect(fake.events).toHaveLength(1);
      expect(fake.events[0]).toMatchObject({
        posId: m.posId,
        idempotencyKey: 'out-7f3c2a',
        body: {
          eventType: 'SEND_RESPONSE',
          regNumber: 'НСО-2025-000123',
          answer: { answerType: 'SOLVED', comment: outbound.text, attachmentIds: [fake.uploads[0].id] },
        },
      });
      expect(first.remoteId).toBe(fake.events[0].eventId);
      expect(second.remoteId).toBe(first.remoteId);
      expect(fake.message(m.posId)?.status).toBe('SEND_RESPONSE');
    });

    it('an upload answered 200 with a page that is not JSON is a temporary failure, and the retry sends the file once', async () => {
      const m = fake.addMessage();
      const outbound: OutboundMessage = {
        id: 'out-garbled-upload',
        kind: 'answer',
        text: 'Ответ по существу обращения.',
        replyAddress: { posId: String(m.posId) },
        attachments: [
          {
            fileName: 'Ответ.pdf',
            contentType: 'application/pdf',
            contentBase64: Buffer.from('%PDF-1.4 garbled').toString('base64'),
          },
        ],
      };
      fake.setScenario('garbled-upload', { times: 1 });
      const error = await connector.send(account, outbound).catch((e: unknown) => e);
      // Not a refusal of the answer: the gateway's page says nothing of it, and ПОС drops a repeat.
      expect(error).toMatchObject({ code: ConnectorErrorCode.Temporary });
      await connector.send(account, outbound);
      expect(fake.uploads.filter((u) => u.fileName === 'Ответ.pdf')).toHaveLength(1);
      expect(fake.events.filter((e) => e.idempotencyKey === 'out-garbled-upload')).toHaveLength(1);
    });

    it('refuses an answer without a ПОС reply address', async () => {
      const error = await codeOf(
        connector.send(account, { id: 'out-1', kind: 'answer', text: 'Ответ', replyAddress: {} }),
      );
      expect(error.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('when ПОС misbehaves', () => {
    it('maps 429 to RateLimited with the Retry-After delay', async () => {
      await connector.check(account);
      fake.setScenario('rate-limited');
      const error = await codeOf(connector.pull(account, null, 10));
      expect(error.code).toBe(ConnectorErrorCode.RateLimited);
      expect(error.details.retryAfterMs).toBe(7000);
    });

    it('maps 503 to Temporary, not asked again before its Retry-After when it names one', async () => {
      fake.setScenario('server-error');
      const error = await codeOf(connector.pull(account, null, 10));
      expect(error.code).toBe(ConnectorErrorCode.Temporary);
      expect(error.details.status).toBe(503);
      expect(error.details.retryAfterMs).toBeUndefined();
      fake.unavailableRetryAfterSec = 120;
      try {
        const maintenance = await codeOf(connector.pull(account, null, 10));
        expect(maintenance).toMatchObject({
          code: ConnectorErrorCode.Temporary,
          details: { retryAfterMs: 120_000 },
        });
      } finally {
        fake.unavailableRetryAfterSec = undefined;
      }
    });

    it('maps a call that takes too long to Temporary', async () => {
      fake.slowMs = 1500;
      fake.setScenario('slow');
      const error = await codeOf(
        connector.pull({ ...account, settings: { ...account.settings, timeoutMs: 200 } }, null, 10),
      );
      expect(error.code).toBe(ConnectorErrorCode.Temporary);
    });

    it('maps a refused connection to Temporary', async () => {
      const down = { ...account, settings: { ...account.settings, baseUrl: 'http://127.0.0.1:9' } };
      expect((await codeOf(connector.pull(down, null, 10))).code).toBe(ConnectorErrorCode.Temporary);
    });
  });
});
