import { createHash } from 'node:crypto';
import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { fetchJson, isRecord } from '@inbox/integrations/contract';
import { okErrorIn } from './ok-api';
import { type OkSettings, type OkWallSettings } from './ok-settings';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * OK's REST API signature: md5 of the parameters sorted by name as `name=value` (without access_token and sig),
 * followed by the session secret key, itself md5(access_token + application secret key). Lower-case hex.
 */
export function okSignature(
  params: Record<string, string>,
  accessToken: string,
  applicationSecretKey: string,
): string {
  const sessionSecretKey = md5(accessToken + applicationSecretKey);
  const signed = Object.keys(params)
    .filter((k) => k !== 'access_token' && k !== 'sig')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('');
  return md5(signed + sessionSecretKey);
}

/**
 * The REST API (`fb.do?method=…`), for what the Bot API cannot do: the group's wall (mediatopic.getTopics,
 * discussions.getComments, discussions.comment). Errors come as HTTP 200 `{ error_code, error_msg }`, as in the
 * Graph API; an answer may also be a bare JSON value (a new comment's id).
 */
export class OkRest {
  constructor(
    private readonly settings: OkSettings,
    private readonly wall: OkWallSettings,
  ) {}

  async call(method: string, params: Record<string, string>): Promise<unknown> {
    const what = `OK REST ${method}`;
    const all: Record<string, string> = {
      ...params,
      application_key: this.wall.applicationKey,
      format: 'json',
      method,
    };
    all.sig = okSignature(all, this.settings.accessToken, this.wall.applicationSecretKey);
    all.access_token = this.settings.accessToken;
    // A form POST rather than a query string: an answer's text (up to OK_TEXT_MAX_CHARS of Cyrillic, six times as
    // long percent-encoded) would overflow a URL, and servers refuse long request lines (HTTP 414/431).
    const json = await fetchJson(
      what,
      this.wall.restUrl,
      { method: 'POST', body: new URLSearchParams(all) },
      this.settings.requestTimeoutMs,
    );
    const error = isRecord(json) ? okErrorIn(json, what) : undefined;
    if (error) throw error;
    return json;
  }

  async record(method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const json = await this.call(method, params);
    if (!isRecord(json))
      throw new ConnectorError(ConnectorErrorCode.Temporary, `OK REST ${method}: unexpected response shape`);
    return json;
  }
}
