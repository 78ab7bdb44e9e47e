import {
  attemptsText,
  deliveryErrorText,
  deliveryFailureText,
  feedActionFailureText,
  resumedDeliveryText,
} from './delivery-errors';

describe('deliveryErrorText (the «Недоставленные» page)', () => {
  it('names a channel that is not set up by its Russian name, not its code', () => {
    expect(deliveryErrorText('канал доставки для «website» не настроен')).toEqual({
      reason: 'Канал «Сайт» не подключён: повторите отправку, когда администратор его настроит',
    });
    expect(deliveryErrorText('канал доставки для «pos» не настроен').reason).toContain('«ПОС»');
  });

  it("says what a connector's error code means in Russian and keeps the channel's own words as detail", () => {
    expect(
      deliveryErrorText('NotFound: Telegram sendMessage: Forbidden: bot was blocked by the user'),
    ).toEqual({
      reason: 'Получатель недоступен в канале (заблокировал бота, удалил переписку или адрес неверен)',
      detail: 'Telegram sendMessage: Forbidden: bot was blocked by the user',
    });
    expect(deliveryErrorText('AuthFailed: VK token belongs to another community').reason).toBe(
      'Канал отказал в доступе: проверьте ключи учётной записи канала',
    );
  });

  it("says a failure after every retry by its code too, with how many tries, the channel's words beneath", () => {
    expect(
      deliveryErrorText('после 8 попыток: Temporary: VK error 10 in messages.send: Internal server error'),
    ).toEqual({
      reason: 'Канал временно недоступен (после 8 попыток)',
      detail: 'VK error 10 in messages.send: Internal server error',
    });
    expect(
      deliveryErrorText('после 3 попыток: ещё не доставлено предыдущее сообщение по этому обращению'),
    ).toEqual({
      reason: 'ещё не доставлено предыдущее сообщение по этому обращению (после 3 попыток)',
    });
  });

  it('says why a message was never tried instead of «0» attempts', () => {
    expect(attemptsText(0, 'канал доставки для «website» не настроен')).toBe(
      'не отправлялось: канал не подключён',
    );
    expect(attemptsText(0, 'у заявителя нет адреса для ответа в этом канале')).toBe('не отправлялось');
    expect(attemptsText(3, 'Temporary: 502')).toBe('3');
  });

  it('keeps a reason already written in Russian, and a dash for none', () => {
    expect(deliveryErrorText('у заявителя нет адреса для ответа в этом канале')).toEqual({
      reason: 'у заявителя нет адреса для ответа в этом канале',
    });
    expect(deliveryErrorText(null)).toEqual({ reason: '—' });
  });
});

describe("feedActionFailureText (the card's history: a ПОС or МЭДО action failed for good)", () => {
  it("says what was not done and why in Russian, the remote side's words as detail", () => {
    expect(
      feedActionFailureText({
        feedActionId: 'f1',
        kind: 'pos-status',
        reason: 'AuthFailed: ПОС refused a fresh token (status)',
      }),
    ).toEqual({
      reason:
        'Статус обращения не передан в ПОС. Причина: Канал отказал в доступе: проверьте ключи учётной записи канала',
      detail: 'ПОС refused a fresh token (status)',
    });
    expect(
      feedActionFailureText({ kind: 'pos-files', reason: 'NotFound: ПОС file 7: HTTP 404' }).reason,
    ).toMatch(/^Файлы обращения не получены из ПОС\. Причина: Получатель недоступен/);
  });

  it('keeps a message written for the administrator as it is, and names an unexpected error as internal', () => {
    expect(
      feedActionFailureText({
        kind: 'medo-receipt',
        reason: 'МЭДО не подключён: нет работающей учётной записи МЭДО',
      }),
    ).toEqual({
      reason:
        'Уведомление о регистрации не отправлено в МЭДО. Причина: МЭДО не подключён: нет работающей учётной записи МЭДО',
    });
    expect(
      feedActionFailureText({
        kind: 'pos-status',
        reason: 'Cannot read properties of undefined (reading "id")',
      }),
    ).toEqual({
      reason:
        'Статус обращения не передан в ПОС. Причина: Внутренняя ошибка системы, повторные попытки исчерпаны',
      detail: 'Cannot read properties of undefined (reading "id")',
    });
  });

  it('reads an unknown kind and a missing reason in Russian too', () => {
    for (const data of [{}, { kind: 'max-status', reason: '' }, { kind: 'constructor' }]) {
      const text = feedActionFailureText(data);
      expect(text.reason).toMatch(/^[^A-Za-z]*$/);
      expect(text.detail).toBeUndefined();
    }
  });
});

describe("deliveryFailureText (the card's history: a message to the citizen not delivered)", () => {
  const LATIN = /[A-Za-z]/;

  it("says what the channel's refusal means for that channel, in Russian, without the channel's words", () => {
    expect(
      deliveryFailureText({
        outboundMessageId: 'm1',
        reason:
          'NotFound: SMTP RCPT: EENVELOPE 550 550 5.1.1 <ivanov@mail.example>: Recipient address rejected',
        channel: 'email',
      }),
    ).toBe('Адрес электронной почты отклонён почтовым сервером: уточните адрес у заявителя');
    expect(
      deliveryFailureText({
        reason: 'NotFound: Telegram sendMessage: 403 Forbidden: bot was blocked by the user',
        channel: 'telegram',
      }),
    ).toBe('Пользователь заблокировал бота или удалил переписку: свяжитесь с заявителем иначе');
    expect(
      deliveryFailureText({ reason: 'AuthFailed: VK token belongs to another community', channel: 'vk' }),
    ).toBe('Канал отказал в доступе: сообщите администратору');
    // An event written before the connector was named: the code's meaning for any channel.
    expect(deliveryFailureText({ reason: 'NotFound: OK error 455: PermissionDenied' })).toBe(
      'Заявитель недоступен в канале: свяжитесь с ним иначе',
    );
    expect(deliveryFailureText({ reason: 'InvalidPayload: Telegram send: 400 Bad Request' })).toBe(
      'Канал не принял сообщение в таком виде: сообщите администратору',
    );
  });

  it('says a passing failure will be tried again while a round is to come, and what to do once none is', () => {
    const retried = 'после 8 попыток: Temporary: VK error 10 in messages.send: Internal server error';
    expect(deliveryFailureText({ reason: retried, retrying: true })).toBe('Канал недоступен, повторим позже');
    expect(deliveryFailureText({ reason: retried })).toBe(
      'Канал недоступен, автоматические попытки исчерпаны: повторите отправку на странице «Недоставленные»',
    );
    expect(
      deliveryFailureText({ reason: 'после 3 попыток: connect ECONNREFUSED 10.0.0.5:465', retrying: true }),
    ).toBe('Канал недоступен, повторим позже');
  });

  it('keeps a reason of ours as it is, and names an unexpected error as internal', () => {
    expect(deliveryFailureText({ reason: 'у заявителя нет адреса для ответа в этом канале' })).toBe(
      'У заявителя нет адреса для ответа в этом канале',
    );
    expect(deliveryFailureText({ reason: 'канал доставки для «ok» не настроен' })).toBe(
      'Канал «Одноклассники» не подключён: повторите отправку, когда администратор его настроит',
    );
    expect(
      deliveryFailureText({
        reason: 'после 2 попыток: ещё не доставлено предыдущее сообщение по этому обращению',
        retrying: true,
      }),
    ).toBe('Ещё не доставлено предыдущее сообщение по этому обращению; повторим позже');
    expect(deliveryFailureText({ reason: 'Cannot read properties of undefined (reading "chatId")' })).toBe(
      'Внутренняя ошибка системы при отправке: сообщите администратору',
    );
  });

  it('says which parts of a send in several had reached the citizen, and that a retry sends only the rest', () => {
    const blocked = 'NotFound: Telegram sendMessage: part 2 of 2 failed after 1 went out (403 Forbidden)';
    expect(
      deliveryFailureText({ reason: blocked, channel: 'telegram', partsSent: { sent: 1, total: 2 } }),
    ).toBe(
      'Пользователь заблокировал бота или удалил переписку: свяжитесь с заявителем иначе. ' +
        'Гражданину уже ушла часть 1 из 2; повторная отправка отправит только остальные',
    );
    expect(
      deliveryFailureText({
        reason: 'Temporary: OK /me/messages: part 3 of 4 failed after 2 went out (HTTP 502)',
        channel: 'ok',
        retrying: true,
        partsSent: { sent: 2, total: 4 },
      }),
    ).toBe(
      'Канал недоступен, повторим позже. Гражданину уже ушли части 1–2 из 4; остальные уйдут при следующей попытке',
    );
    // A held send's own reason says it already; a send of one message, or none of it out, says nothing more.
    const held =
      'Доставка прервана: гражданину ушла часть 1 из 2, а 2-я могла дойти или нет — канал не ответил. …';
    expect(deliveryFailureText({ reason: held, partsSent: { sent: 1, total: 2 } })).toBe(held);
    expect(
      deliveryFailureText({ reason: blocked, channel: 'telegram', partsSent: { sent: 0, total: 2 } }),
    ).toBe('Пользователь заблокировал бота или удалил переписку: свяжитесь с заявителем иначе');
  });

  it('shows no Latin letters whatever the event holds', () => {
    for (const data of [
      {},
      { reason: '' },
      { reason: 'HTTP 502 Bad Gateway', channel: 'pos' },
      { reason: 'constructor: x', channel: 'constructor' },
      { reason: 'NotFound: x', channel: 'toString' },
      { reason: 'CursorInvalid: offset 17', channel: 'telegram' },
      { reason: 'Temporary: x', partsSent: { sent: 1, total: 3 } },
      { reason: 'Temporary: x', partsSent: { sent: 'constructor', total: {} } },
    ]) {
      expect(deliveryFailureText(data)).not.toMatch(LATIN);
    }
  });
});

describe("resumedDeliveryText (the card's history: a send in several delivered after a failure)", () => {
  it('says which parts had gone out before and that none went twice', () => {
    expect(resumedDeliveryText({ sent: 1, total: 2 })).toBe(
      'Доставлено после сбоя: часть 1 из 2 ушла раньше, отправлены только остальные — без повторов',
    );
    expect(resumedDeliveryText({ sent: 2, total: 3 })).toBe(
      'Доставлено после сбоя: части 1–2 из 3 ушли раньше, отправлены только остальные — без повторов',
    );
    expect(resumedDeliveryText(undefined)).toBeNull();
    expect(resumedDeliveryText({ sent: 2, total: 2 })).toBeNull();
  });
});
