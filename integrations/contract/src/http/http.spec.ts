import { ConnectorErrorCode } from '../connector-error';
import { httpStatusError } from './http';

describe('httpStatusError', () => {
  const answer = (status: number, headers: Record<string, string> = {}) =>
    httpStatusError('test call', new Response(null, { status, headers }));

  it('takes a 503 with Retry-After as Temporary, not to be asked again before it', () => {
    expect(answer(503, { 'retry-after': '120' })).toMatchObject({
      code: ConnectorErrorCode.Temporary,
      details: { status: 503, retryAfterMs: 120_000 },
    });
    expect(answer(502)?.details.retryAfterMs).toBeUndefined();
    expect(answer(429, { 'retry-after': '3' })).toMatchObject({
      code: ConnectorErrorCode.RateLimited,
      details: { retryAfterMs: 3000 },
    });
    expect(answer(200)).toBeUndefined();
  });
});
