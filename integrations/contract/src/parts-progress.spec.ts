import { firstUnsentPart, partDigest } from './connector';
import { ConnectorError, ConnectorErrorCode, laterPartFailed } from './connector-error';

const progress = (sent: string[], total?: number, digests?: string[]) => ({
  sent,
  total,
  digests,
  partSent: async () => undefined,
});
const parts = (...texts: string[]) => texts.map((t) => partDigest(t));

/** The refusal of `run`: a message that no longer splits as its parts out did is not resumed, and nothing is sent. */
function refusal(run: () => unknown): ConnectorError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).code).toBe(ConnectorErrorCode.InvalidPayload);
  expect((error as ConnectorError).retryable).toBe(false);
  expect((error as ConnectorError).details.partsChanged).toBe(true);
  return error as ConnectorError;
}

describe('firstUnsentPart', () => {
  const three = parts('Часть первая', 'Часть вторая', 'Часть третья');

  it('starts after the parts an earlier attempt got out, at the first part when none did', () => {
    expect(firstUnsentPart(undefined, three, 'send')).toBe(0);
    expect(firstUnsentPart(progress([]), three, 'send')).toBe(0);
    expect(firstUnsentPart(progress(['11'], 3), three, 'send')).toBe(1);
    expect(firstUnsentPart(progress(['11', '12']), three, 'send')).toBe(2);
    // The parts out read as they do now: resumed.
    expect(firstUnsentPart(progress(['11', '12'], 3, three.slice(0, 2)), three, 'send')).toBe(2);
  });

  it('refuses a message that no longer splits as the parts out did: nothing is sent', () => {
    for (const p of [progress(['11'], 2), progress(['11', '12', '13', '14'])]) {
      refusal(() => firstUnsentPart(p, three, 'Telegram send'));
    }
  });

  it('refuses a message whose part out now reads otherwise, though it splits into as many parts', () => {
    // The first part went out with other words (the answer's text edited, a link made anew): the second part of
    // the message as it is now would not follow the citizen's first.
    const before = parts('Часть первая, как она ушла', 'Часть вторая', 'Часть третья');
    const error = refusal(() =>
      firstUnsentPart(progress(['11'], 3, before.slice(0, 1)), three, 'Telegram send'),
    );
    expect(error.message).toBe(
      'Telegram send: 1 of 3 parts went out earlier, and part 1 now reads otherwise than the part that went out',
    );
    // Only the parts out are compared: a changed part not yet sent (the last, with its link) is sent as it is now.
    const lastChanged = parts('Часть первая', 'Часть вторая', 'Часть третья, со ссылкой');
    expect(firstUnsentPart(progress(['11', '12'], 3, three.slice(0, 2)), lastChanged, 'send')).toBe(2);
    // Parts recorded before digests were kept: checked by their count alone.
    expect(firstUnsentPart(progress(['11'], 3), parts('a', 'b', 'c'), 'send')).toBe(1);
  });

  it('digests a part by its content: the same text the same, another text another, bytes as their text', () => {
    expect(partDigest('Ответ')).toBe(partDigest('Ответ'));
    expect(partDigest('Ответ')).not.toBe(partDigest('Ответ.'));
    expect(partDigest(Buffer.from('Ответ'))).toBe(partDigest('Ответ'));
  });
});

describe('laterPartFailed', () => {
  it('says how far the send got and keeps the failure as it was: a 502 is retried, a timeout stays in doubt', () => {
    const bad = new ConnectorError(ConnectorErrorCode.Temporary, 'HTTP 502', { status: 502 });
    const later = laterPartFailed(bad, 'OK /me/messages', 1, 3);
    expect(later).toMatchObject({
      code: 'Temporary',
      details: { status: 502, partsSent: { sent: 1, total: 3 } },
    });
    expect(later.retryable).toBe(true);
    expect(later.details.outcomeUnknown).toBeUndefined();
    expect(later.message).toBe('OK /me/messages: part 2 of 3 failed after 1 went out (HTTP 502)');
    const slow = new ConnectorError(ConnectorErrorCode.Temporary, 'timeout', { outcomeUnknown: true });
    expect(laterPartFailed(slow, 'send', 2, 3).details).toEqual({
      outcomeUnknown: true,
      partsSent: { sent: 2, total: 3 },
    });
    // The first part failing left nothing out: the error as it is.
    expect(laterPartFailed(bad, 'send', 0, 3)).toBe(bad);
  });
});
