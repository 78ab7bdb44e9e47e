import { type ConnectorError, remoteApiError, type RemoteErrorCodes } from '@inbox/integrations/contract';
import { fetchJsonRecord, remoteErrorEnvelope } from '@inbox/integrations/contract';
import { type OkSettings } from './ok-settings';

/*
 * The OK Graph API (Bot API part): `<apiBaseUrl>/<node>/<edge>?access_token=…`, JSON bodies with
 * `Content-Type: application/json;charset=utf-8` as OK requires. Errors come in OK's traditional form
 * `{ error_code, error_msg, error_data }`; the codes below are OK's general error list.
 */

export const OkErrorCode = {
  Unknown: 1,
  Service: 2,
  Method: 3,
  Request: 4,
  ActionBlocked: 7,
  FloodBlocked: 8,
  IpBlocked: 9,
  PermissionDenied: 10,
  LimitReached: 11,
  TotalLimitReached: 18,
  Network: 19,
  NetworkTimeout: 20,
  Param: 100,
  ParamApiKey: 101,
  SessionExpired: 102,
  SessionKey: 103,
  Signature: 104,
  ParamPermission: 200,
  NotFound: 300,
  System: 9999,
} as const;

/**
 * OK error → ConnectorError. Flood and limits → RateLimited (OK gives no retry-after: the waits are ours); token
 * problems → AuthFailed; a chat we may not write to or that is gone → NotFound (permanent for that recipient, the
 * account is fine); a request OK refuses as malformed → InvalidPayload; service/network/system errors → Temporary.
 */
const OK_ERROR_CODES: RemoteErrorCodes = {
  rateLimited: {
    [OkErrorCode.FloodBlocked]: 5_000,
    [OkErrorCode.LimitReached]: 60_000,
    [OkErrorCode.TotalLimitReached]: 3_600_000,
  },
  authFailed: [
    OkErrorCode.ParamApiKey,
    OkErrorCode.SessionExpired,
    OkErrorCode.SessionKey,
    OkErrorCode.Signature,
    OkErrorCode.ParamPermission,
    OkErrorCode.IpBlocked,
  ],
  notFound: [OkErrorCode.NotFound, OkErrorCode.PermissionDenied, OkErrorCode.ActionBlocked],
  invalidPayload: [OkErrorCode.Param, OkErrorCode.Method, OkErrorCode.Request],
};

export function okApiError(code: number, message: string, what: string): ConnectorError {
  return remoteApiError(OK_ERROR_CODES, code, `OK error ${code} in ${what}: ${message.slice(0, 200)}`);
}

/** The error an answer of either OK API (Graph or REST) carries, if it carries one. */
export function okErrorIn(json: Record<string, unknown>, what: string): ConnectorError | undefined {
  const error = remoteErrorEnvelope(json, OkErrorCode.Unknown);
  return error && okApiError(error.code, error.message, what);
}

/** One group's view of the Graph API; built per call from the account. */
export class OkApi {
  constructor(private readonly settings: OkSettings) {}

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const what = `OK ${method} ${path.replace(/chat:[\w.-]+/, 'chat:…')}`;
    const url = new URL(`${this.settings.apiBaseUrl}${path}`);
    url.searchParams.set('access_token', this.settings.accessToken);
    const json = await fetchJsonRecord(
      what,
      url,
      method === 'POST'
        ? {
            method,
            headers: { 'content-type': 'application/json;charset=utf-8' },
            body: JSON.stringify(body ?? {}),
          }
        : { method },
      this.settings.requestTimeoutMs,
    );
    const error = okErrorIn(json, what);
    if (error) throw error;
    return json as T;
  }
}
