import { ConnectorError, ConnectorErrorCode } from '../connector-error';
import { accountConnections, refusedAsInternal } from './internal-address';

/**
 * fetch with a deadline; a network failure or a timeout becomes Temporary. Whether the remote side acted on the
 * request is another matter (transportError's `outcomeUnknown`). It connects as an account's connections do
 * (`accountConnections`) unless `init` names its own dispatcher.
 */
export async function fetchWithTimeout(
  what: string,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetch(url, {
      dispatcher: accountConnections.dispatcher,
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
    } as RequestInit);
  } catch (error) {
    throw transportError(what, error);
  }
}

/** Failures to open a connection (undici's `cause.code`): the request never left, so it cannot have been acted on. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * A call that got no answer, Temporary. `outcomeUnknown` unless the connection was never opened: a call given up on
 * time, or cut once the request was on its way, may have been carried out all the same (an OK message posted while
 * we stopped waiting); the core sends such a message again only through a channel that drops a repeat.
 */
export function transportError(what: string, error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  // Never asked again: the name points inside our network (see internal-address.ts).
  if (refusedAsInternal(error))
    return new ConnectorError(
      ConnectorErrorCode.InvalidPayload,
      `${what}: host resolves to an internal address`,
    );
  const e = (error && typeof error === 'object' ? error : {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
  const code = e.cause?.code;
  const notConnected = typeof code === 'string' && NOT_CONNECTED.has(code);
  return new ConnectorError(
    ConnectorErrorCode.Temporary,
    `${what}: ${timedOut ? 'timed out' : 'network error'}`,
    {
      outcomeUnknown: !notConnected,
    },
  );
}

/** What a connector reads of one HTTP answer unless its account says otherwise (`maxResponseBytes`). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** An answer over the size limit: InvalidPayload with status 413 (see `isTooLarge`). */
export function responseTooLarge(what: string, maxBytes: number): ConnectorError {
  return new ConnectorError(
    ConnectorErrorCode.InvalidPayload,
    `${what}: response larger than ${maxBytes} bytes`,
    {
      status: 413,
    },
  );
}

export function isTooLarge(error: unknown): error is ConnectorError {
  return (
    error instanceof ConnectorError &&
    error.code === ConnectorErrorCode.InvalidPayload &&
    error.details.status === 413
  );
}

/**
 * Why a file the remote side only referenced cannot be had, for good: gone (404; 410 Gone, a file removed by
 * moderation or expired), over the answer limit, or refused outright (another 4xx: blocked by an antivirus, a
 * malformed id). Undefined for what a later try may fix: the network, a 5xx, a rate limit, the credentials.
 */
export function remoteFileRefusal(error: unknown): 'not-found' | 'too-large' | 'refused' | undefined {
  if (!(error instanceof ConnectorError)) return undefined;
  if (error.code === ConnectorErrorCode.NotFound || error.details.status === 410) return 'not-found';
  if (error.code !== ConnectorErrorCode.InvalidPayload) return undefined;
  return error.details.status === 413 ? 'too-large' : 'refused';
}

/**
 * Reads an answer's body, at most `maxBytes` of it: a declared Content-Length over the limit is refused before
 * reading, a longer stream is cut there (the rest is not downloaded). Over the limit → `responseTooLarge`; a
 * connection cut mid-body → Temporary.
 */
export async function readBodyCapped(what: string, response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw responseTooLarge(what, maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        // Leaving the loop by throwing cancels the stream.
        if (size > maxBytes) throw responseTooLarge(what, maxBytes);
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (error) {
    throw transportError(what, error);
  }
  return Buffer.concat(chunks);
}

/** An account's `maxResponseBytes` setting, or the default. */
export function maxResponseBytesOf(settings: Record<string, unknown> | undefined): number {
  const value = settings?.maxResponseBytes;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1024
    ? value
    : DEFAULT_MAX_RESPONSE_BYTES;
}

/** `raw` as an http(s) URL; otherwise a ConnectorError of `code` saying that `what` is not one. */
export function httpUrl(raw: string, code: ConnectorErrorCode, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConnectorError(code, `${what} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConnectorError(code, `${what} must be http(s)`);
  }
  return url;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, fallbackMs: number): number {
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? fallbackMs : Math.max(0, at - Date.now());
}

/** Maps a non-2xx HTTP status; returns undefined for 2xx. */
export function httpStatusError(what: string, response: Response): ConnectorError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) {
    return new ConnectorError(ConnectorErrorCode.RateLimited, `${what}: HTTP 429`, {
      status,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), 1000),
    });
  }
  if (status === 401 || status === 403) {
    return new ConnectorError(ConnectorErrorCode.AuthFailed, `${what}: HTTP ${status}`, { status });
  }
  // A server down for maintenance may say when to come back (503 with Retry-After): not asked again sooner.
  const header = response.headers.get('retry-after');
  return new ConnectorError(ConnectorErrorCode.Temporary, `${what}: HTTP ${status}`, {
    status,
    ...(header && status >= 500 ? { retryAfterMs: retryAfterMs(header, 1000) } : {}),
  });
}

/**
 * Reads a JSON body. A body that does not parse is Temporary: gateways answer failures with HTML or cut-off bodies,
 * and the core retries with back-off. Of unknown outcome, as the request was answered by something that may have
 * passed it on before the answer broke (a 200 with a proxy's page, a body cut short).
 */
export async function readJson(what: string, response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportError(what, error);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ConnectorError(ConnectorErrorCode.Temporary, `${what}: unreadable response (not JSON)`, {
      status: response.status,
      outcomeUnknown: true,
    });
  }
}

/** One call to a JSON API: fetch with a deadline, the HTTP status mapped, the body read as JSON. */
export async function fetchJson(
  what: string,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<unknown> {
  const response = await fetchWithTimeout(what, url, init, timeoutMs);
  const statusError = httpStatusError(what, response);
  if (statusError) throw statusError;
  return readJson(what, response);
}

/** fetchJson for an API whose every answer is an object: anything else is Temporary. */
export async function fetchJsonRecord(
  what: string,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const json = await fetchJson(what, url, init, timeoutMs);
  if (!isRecord(json))
    throw new ConnectorError(ConnectorErrorCode.Temporary, `${what}: unexpected response shape`);
  return json;
}

/**
 * The `{ error_code, error_msg }` object in which OK and VK report a failed call (with HTTP 200); undefined when it
 * carries no code. A code that is not a number becomes `unknownCode`.
 */
export function remoteErrorEnvelope(
  error: Record<string, unknown>,
  unknownCode: number,
): { code: number; message: string } | undefined {
  if (error.error_code === undefined || error.error_code === null) return undefined;
  const code = Number(error.error_code);
  return {
    code: Number.isFinite(code) ? code : unknownCode,
    message: typeof error.error_msg === 'string' ? error.error_msg : 'no message',
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
