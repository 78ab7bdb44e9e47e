import { ConnectorErrorCode } from '@inbox/integrations/contract';
import { TelegramError } from 'telegraf';
import { toConnectorError } from './errors';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('Telegram errors: whether a failed send may have reached the chat', () => {
  it('calls a call given up on time, or cut after the request went, of unknown outcome', () => {
    for (const error of [
      named('TimeoutError', 'The operation was aborted due to timeout'),
      named('AbortError', 'This operation was aborted'),
      named(
        'FetchError',
        'request to http://127.0.0.1/bot[token]/sendMessage failed, reason: socket hang up',
      ),
      named('FetchError', 'request failed, reason: read ECONNRESET'),
      // The answer's headers came, its body did not (cut, or too slow): Telegram has carried the call out.
      named(
        'FetchError',
        'Invalid response body while trying to fetch http://127.0.0.1/bot[token]/sendMessage: aborted',
      ),
      named(
        'FetchError',
        'Response timeout while trying to fetch http://127.0.0.1/bot[token]/sendMessage (over 500000ms)',
      ),
      named('FetchError', 'network timeout at: http://127.0.0.1/bot[token]/sendMessage'),
    ]) {
      const mapped = toConnectorError(error, 'sendMessage');
      expect(mapped.code).toBe(ConnectorErrorCode.Temporary);
      expect(mapped.details.outcomeUnknown).toBe(true);
    }
  });

  it("calls an answer that is not the Bot API's (a body not JSON, or JSON without ok) of unknown outcome", () => {
    const notJson = toConnectorError(
      named(
        'FetchError',
        'invalid json response body at http://127.0.0.1/bot[token]/sendMessage reason: Unexpected token < in JSON at position 0',
      ),
      'sendMessage',
    );
    expect(notJson).toMatchObject({ code: ConnectorErrorCode.Temporary, details: { outcomeUnknown: true } });
    const notBotApi = toConnectorError(
      new TelegramError({ error_code: undefined as unknown as number, description: '' }),
      'sendMessage',
    );
    expect(notBotApi).toMatchObject({
      code: ConnectorErrorCode.Temporary,
      details: { outcomeUnknown: true },
    });
  });

  it('knows a refused connection never carried the request', () => {
    const mapped = toConnectorError(
      named('FetchError', 'request failed, reason: connect ECONNREFUSED 127.0.0.1:443'),
      'sendMessage',
    );
    expect(mapped.code).toBe(ConnectorErrorCode.Temporary);
    expect(mapped.details.outcomeUnknown).toBe(false);
  });
});
