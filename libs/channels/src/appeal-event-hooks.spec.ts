import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { hookBackoffMs, isPermanentHookError, PermanentHookError } from './appeal-event-hooks.service';

describe('history outbox retry policy', () => {
  it('doubles the back-off from the first one and caps it at five minutes', () => {
    expect([1, 2, 3, 4].map((n) => hookBackoffMs(n, 2000))).toEqual([2000, 4000, 8000, 16_000]);
    expect(hookBackoffMs(9, 2000)).toBe(5 * 60_000);
    expect(hookBackoffMs(500, 2000)).toBe(5 * 60_000);
  });

  it('takes an outage for transient and a refusal no retry can cure for permanent', () => {
    const connector = (code: ConnectorErrorCode) => new ConnectorError(code, 'x');
    // Channels down, rate-limited, an account staff must put right, our database away: retried.
    expect(isPermanentHookError(connector(ConnectorErrorCode.Temporary))).toBe(false);
    expect(isPermanentHookError(connector(ConnectorErrorCode.RateLimited))).toBe(false);
    expect(isPermanentHookError(connector(ConnectorErrorCode.AuthFailed))).toBe(false);
    expect(
      isPermanentHookError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isPermanentHookError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      false,
    );
    expect(isPermanentHookError(new Error('the remote side is down'))).toBe(false);
    // A malformed request, an addressee gone, data Postgres refuses, a hook's own verdict: a dead letter at once.
    expect(isPermanentHookError(connector(ConnectorErrorCode.InvalidPayload))).toBe(true);
    expect(isPermanentHookError(connector(ConnectorErrorCode.NotFound))).toBe(true);
    expect(isPermanentHookError(Object.assign(new Error('invalid input syntax'), { code: '22P02' }))).toBe(
      true,
    );
    expect(isPermanentHookError(new PermanentHookError('no such recipient'))).toBe(true);
  });
});
