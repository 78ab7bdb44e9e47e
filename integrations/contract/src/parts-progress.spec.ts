import { firstUnsentPart } from './connector';
import { ConnectorError, ConnectorErrorCode, laterPartFailed } from './connector-error';

const progress = (sent: string[], total?: number) => ({ sent, total, partSent: async () => undefined });

describe('firstUnsentPart', () => {
  it('starts after the parts an earlier attempt got out, at the first part when none did', () => {
    expect(firstUnsentPart(undefined, 3, 'send')).toBe(0);
    expect(firstUnsentPart(progress([]), 3, 'send')).toBe(0);
    expect(firstUnsentPart(progress(['11'], 3), 3, 'send')).toBe(1);
    expect(firstUnsentPart(progress(['11', '12']), 3, 'send')).toBe(2);
  });

  it('refuses a message that no longer splits as the parts out did: nothing is sent', () => {
    for (const p of [progress(['11'], 2), progress(['11', '12', '13', '14'])]) {
      let error: unknown;
      try {
        firstUnsentPart(p, 3, 'Telegram send');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).code).toBe(ConnectorErrorCode.InvalidPayload);
      expect((error as ConnectorError).retryable).toBe(false);
      expect((error as ConnectorError).details.partsChanged).toBe(true);
    }
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
