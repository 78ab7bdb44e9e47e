import {
  ConnectorError,
  ConnectorErrorCode,
  remoteApiError,
  type RemoteErrorCodes,
} from '@inbox/integrations/contract';
import { fetchJson, fetchJsonRecord, isRecord, remoteErrorEnvelope } from '@inbox/integrations/contract';
import { type VkSettings } from './vk-settings';

/*
 * The VK HTTP API spoken directly with fetch. vk-io's API object was tried and left out at runtime, because:
 *  - its request worker swallows error 6 ("too many requests per second") and re-queues the call forever, and
 *    retries network failures itself after 3 s waits, so the core would never see RateLimited / Temporary;
 *  - it ignores the HTTP status and always uses https.globalAgent, which refuses http:// base URLs (local fakes);
 *  - its Updates long-poll loop runs on its own and cannot be driven one page at a time from a stored cursor;
 *  - loading it starts `import('node-fetch')` at module load, which kills Jest runs (no --experimental-vm-modules).
 * Its method parameter schemas are still used, as types only (erased at build), to check our parameter names.
 */

/** VK API error codes the connector treats specially (https://dev.vk.com/ru/reference/errors). */
export const VkErrorCode = {
  Unknown: 1,
  AuthFailed: 5,
  TooManyPerSecond: 6,
  PermissionDenied: 7,
  Flood: 9,
  Internal: 10,
  Captcha: 14,
  AccessDenied: 15,
  UserDeleted: 18,
  GroupAuthFailed: 27,
  AppAuthFailed: 28,
  RateLimitReached: 29,
  InvalidParam: 100,
  InvalidUserId: 113,
  CommentsDenied: 212,
  NoAccessToComments: 213,
  Blacklisted: 900,
  NoPermissionToWrite: 901,
  PrivacySettings: 902,
  KeyboardFormatInvalid: 911,
  MessageTooLong: 914,
} as const;

/**
 * VK reports errors as HTTP 200 `{ error: { error_code, error_msg } }`. Permanent failures towards one recipient
 * (901: the citizen has not allowed the community to write, 900/902 blacklist and privacy, 18 deleted user, comments
 * closed) map to NotFound: "this recipient cannot be reached in VK" — the core marks the delivery failed and shows it,
 * so a clerk answers by another route; retrying would not help and the account itself is fine.
 */
const VK_ERROR_CODES: RemoteErrorCodes = {
  rateLimited: {
    [VkErrorCode.TooManyPerSecond]: 1000,
    [VkErrorCode.Flood]: 1000,
    // The method's daily quota: it refills over the day, not in a second.
    [VkErrorCode.RateLimitReached]: 3_600_000,
    [VkErrorCode.Captcha]: 60_000,
  },
  authFailed: [
    VkErrorCode.AuthFailed,
    VkErrorCode.GroupAuthFailed,
    VkErrorCode.AppAuthFailed,
    VkErrorCode.PermissionDenied,
  ],
  notFound: [
    VkErrorCode.NoPermissionToWrite,
    VkErrorCode.Blacklisted,
    VkErrorCode.PrivacySettings,
    VkErrorCode.UserDeleted,
    VkErrorCode.AccessDenied,
    VkErrorCode.CommentsDenied,
    VkErrorCode.NoAccessToComments,
  ],
  invalidPayload: [
    VkErrorCode.InvalidParam,
    VkErrorCode.InvalidUserId,
    VkErrorCode.KeyboardFormatInvalid,
    VkErrorCode.MessageTooLong,
  ],
};

export function vkApiError(code: number, message: string, method: string): ConnectorError {
  // 1 (unknown), 10 (internal) and anything new: Temporary, worth another try with back-off.
  return remoteApiError(VK_ERROR_CODES, code, `VK error ${code} in ${method}: ${message.slice(0, 200)}`);
}

/** VK's error 914 «Message is too long», as vkApiError reports it. */
export function isMessageTooLong(error: unknown): boolean {
  return (
    error instanceof ConnectorError && error.message.startsWith(`VK error ${VkErrorCode.MessageTooLong} `)
  );
}

export type VkParamValue = string | number | boolean | string[] | number[] | undefined;

export interface LongPollState {
  server: string;
  key: string;
  ts: string;
}

export type LongPollAnswer = { failed: number; ts?: string } | { ts: string; updates: unknown[] };

/** One community's view of the API; built per call from the account, so no credentials outlive a request. */
export class VkApi {
  constructor(private readonly settings: VkSettings) {}

  async call<T = unknown>(method: string, params: Record<string, VkParamValue> = {}): Promise<T> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      body.set(
        name,
        Array.isArray(value)
          ? value.join(',')
          : typeof value === 'boolean'
            ? value
              ? '1'
              : '0'
            : String(value),
      );
    }
    body.set('access_token', this.settings.token);
    body.set('v', this.settings.apiVersion);
    const what = `VK ${method}`;
    const json = await fetchJsonRecord(
      what,
      `${this.settings.apiBaseUrl}/${method}`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      this.settings.requestTimeoutMs,
    );
    if (isRecord(json.error)) {
      // An error object without a code is still an error: Unknown, as VK's own code 1.
      const error = remoteErrorEnvelope(json.error, VkErrorCode.Unknown) ?? {
        code: VkErrorCode.Unknown,
        message: 'no message',
      };
      throw vkApiError(error.code, error.message, method);
    }
    if (!('response' in json))
      throw new ConnectorError(ConnectorErrorCode.Temporary, `${what}: no "response" field`);
    return json.response as T;
  }

  /** One Bots Long Poll request: `<server>?act=a_check&key=…&ts=…&wait=…`. */
  async longPoll(state: LongPollState): Promise<LongPollAnswer> {
    const what = 'VK long poll';
    let url: URL;
    try {
      url = new URL(/^https?:\/\//.test(state.server) ? state.server : `https://${state.server}`);
    } catch {
      throw new ConnectorError(ConnectorErrorCode.CursorInvalid, `${what}: the stored server is not a URL`);
    }
    url.searchParams.set('act', 'a_check');
    url.searchParams.set('key', state.key);
    url.searchParams.set('ts', state.ts);
    url.searchParams.set('wait', String(this.settings.longPollWaitSeconds));
    // The server is VK's answer (or a cursor stored from one): connected to as the account's other connections
    // are, an IP literal inside our network refused as a name resolving there is (accountConnections).
    const json = await fetchJsonRecord(
      what,
      url,
      { method: 'GET' },
      this.settings.longPollWaitSeconds * 1000 + this.settings.requestTimeoutMs,
    );
    if (json.failed !== undefined) {
      const ts = json.ts === undefined || json.ts === null ? undefined : String(json.ts);
      return { failed: Number(json.failed), ts };
    }
    if ((typeof json.ts !== 'string' && typeof json.ts !== 'number') || !Array.isArray(json.updates)) {
      throw new ConnectorError(ConnectorErrorCode.Temporary, `${what}: answer without ts or updates`);
    }
    return { ts: String(json.ts), updates: json.updates };
  }

  /** POSTs a file to an upload URL VK handed out (docs.get…UploadServer) and returns the opaque `file` string. */
  async upload(uploadUrl: string, fileName: string, contentType: string, content: Buffer): Promise<string> {
    const what = 'VK upload';
    const form = new FormData();
    form.append('file', new Blob([content], { type: contentType }), fileName);
    const json = await fetchJson(
      what,
      uploadUrl,
      { method: 'POST', body: form },
      this.settings.requestTimeoutMs,
    );
    if (isRecord(json) && typeof json.error === 'string' && json.error !== '') {
      throw uploadRefusal(what, fileName, json.error);
    }
    if (!isRecord(json) || typeof json.file !== 'string' || json.file === '') {
      throw new ConnectorError(
        ConnectorErrorCode.Temporary,
        `${what}: the upload server did not return a file`,
      );
    }
    return json.file;
  }
}

/** What an upload server's `error` says when the trouble is on its side and another try may well succeed. */
const TRANSIENT_UPLOAD_ERROR =
  /timeout|timed out|temporar|try (again|later)|internal|unavailable|overload|busy|expired/i;

/**
 * The upload server answered HTTP 200 with `{ error }` instead of a file. A refusal of the file itself (its type, its
 * size, an empty or broken file) is permanent: every retry would get the same answer, so the answer fails with a
 * reason in Russian for the clerk. A fault on VK's side (a timeout, an internal error, an expired upload address —
 * a retry asks for a new one) stays Temporary.
 */
export function uploadRefusal(what: string, fileName: string, error: string): ConnectorError {
  const said = error.slice(0, 200);
  if (TRANSIENT_UPLOAD_ERROR.test(error)) {
    return new ConnectorError(ConnectorErrorCode.Temporary, `${what}: the upload server failed (${said})`);
  }
  return new ConnectorError(
    ConnectorErrorCode.InvalidPayload,
    `${what}: the upload server refused the file (${said})`,
    {
      fields: {
        attachments: `ВКонтакте не принял файл «${fileName}» (${said}): отправьте ответ без него, приложите файл другого формата или меньшего размера`,
      },
    },
  );
}
