import { type BodyOf, ENDPOINTS, type EndpointName, fillPath, type ResponseOf } from './endpoints';

/** An API error with the server's Russian message and per-field messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

/** Whether the server answered the last request at all (a lost connection is not a signed-out user). */
type ConnectionListener = (online: boolean) => void;
let online = true;
const connectionListeners = new Set<ConnectionListener>();

function setOnline(value: boolean): void {
  if (online === value) return;
  online = value;
  for (const listener of connectionListeners) listener(value);
}

export function isOnline(): boolean {
  return online;
}

export function onConnectionChange(listener: ConnectionListener): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/** True for an error that means "no answer from the server" rather than a refusal. */
export function isConnectionError(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504)
  );
}

let token: string | null = null;
let onUnauthorized: (message: string) => void = () => undefined;

export function setToken(value: string | null): void {
  token = value;
}

export function getToken(): string | null {
  return token;
}

/** What to do when the server refuses the session (401), with its Russian message (why, when it says). */
export function setUnauthorizedHandler(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

export function buildUrl(
  name: EndpointName,
  params?: Record<string, string | number>,
  query?: Query,
): string {
  const url = fillPath(ENDPOINTS[name].path, params);
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const qs = search.toString();
  return qs ? `${url}?${qs}` : url;
}

export interface CallOptions<N extends EndpointName> {
  params?: Record<string, string | number>;
  query?: Query;
  body?: BodyOf<N>;
  /** A multipart body (files) instead of JSON; the browser sets its content type and boundary. */
  form?: FormData;
}

/**
 * Calls one endpoint of ENDPOINTS: the method and path come from there, never from the caller; the body and
 * the answer are typed by the server's OpenAPI document (schema.gen.ts).
 */
export async function call<N extends EndpointName>(
  name: N,
  options: CallOptions<N> = {},
): Promise<ResponseOf<N>> {
  const res = await send(name, options);
  if (res.status === 204) return undefined as ResponseOf<N>;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as ResponseOf<N>;
}

/** Statuses that say "not now" rather than "no": the api's database busy or away (503), a gateway's upstream. */
const NOT_NOW = [502, 503, 504];
/** A read that met one of them is asked again after these pauses before the caller hears of it. */
const READ_RETRY_MS = [500, 1500];
const OVERLOADED =
  'Сервер перегружен, действие не выполнено. Введённое осталось на экране: повторите через минуту.';

/**
 * The raw response (for binary content such as attachments). A read (GET changes nothing) that finds the server
 * overloaded or unreachable is asked again a moment later, so one busy moment of the api never reaches the screen;
 * a write is never repeated here: the caller says it failed and keeps what was typed.
 */
export async function send<N extends EndpointName>(name: N, options: CallOptions<N> = {}): Promise<Response> {
  const endpoint = ENDPOINTS[name];
  const read = endpoint.method === 'GET' && name !== 'health';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const url = buildUrl(name, options.params, options.query);
  const init = {
    method: endpoint.method,
    headers,
    body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  };
  for (let attempt = 0; ; attempt++) {
    const again = read && attempt < READ_RETRY_MS.length;
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch {
      if (again) {
        await pause(READ_RETRY_MS[attempt]);
        continue;
      }
      setOnline(false);
      throw new ApiError(0, 'Нет связи с сервером. Проверьте подключение и повторите.');
    }
    if (again && NOT_NOW.includes(res.status)) {
      await res.body?.cancel().catch(() => undefined);
      await pause(READ_RETRY_MS[attempt]);
      continue;
    }
    // A gateway's "upstream down" is a lost connection too; any other answer means the server is there. An
    // overloaded api refusing a write is there as well: the form says so, not the banner.
    const away = NOT_NOW.includes(res.status) && !(res.status === 503 && !read);
    setOnline(!away || name === 'health');
    if (res.ok) return res;
    throw await refusal(name, res.status, () => res.json());
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error for an answer that is not 2xx: the server's Russian message, or one for its status. */
async function refusal(name: EndpointName, status: number, body: () => Promise<unknown>): Promise<ApiError> {
  let message = `Ошибка ${status}`;
  let fields: Record<string, string> = {};
  try {
    const parsed = (await body()) as { message?: string | string[]; errors?: Record<string, string> };
    if (parsed.message) message = Array.isArray(parsed.message) ? parsed.message.join('; ') : parsed.message;
    fields = parsed.errors ?? {};
  } catch {
    // not JSON: keep the status text
  }
  if (status === 401 && name !== 'login') onUnauthorized(message);
  if (status === 403 && message.startsWith('Ошибка')) message = 'Недостаточно прав для этого действия';
  if (status === 503 && ENDPOINTS[name].method !== 'GET') message = OVERLOADED;
  else if (NOT_NOW.includes(status) && name !== 'health')
    message = 'Нет связи с сервером. Проверьте подключение и повторите.';
  else if (status >= 500) message = 'Сервер временно не может выполнить запрос. Повторите позже.';
  return new ApiError(status, message, fields);
}

/**
 * Sends files (multipart) to one endpoint and reports how much of the upload has gone (0…1): fetch cannot
 * tell, XMLHttpRequest can. Errors as call() has them.
 */
export function upload<N extends EndpointName>(
  name: N,
  form: FormData,
  onProgress: (fraction: number) => void,
  params?: Record<string, string | number>,
): Promise<ResponseOf<N>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ENDPOINTS[name].method, buildUrl(name, params));
    xhr.setRequestHeader('accept', 'application/json');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => {
      setOnline(false);
      reject(new ApiError(0, 'Нет связи с сервером. Проверьте подключение и повторите.'));
    };
    xhr.onload = () => {
      setOnline(!NOT_NOW.includes(xhr.status) || xhr.status === 503);
      const body = async () => JSON.parse(xhr.responseText) as unknown;
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as ResponseOf<N>);
      } else void refusal(name, xhr.status, body).then(reject);
    };
    xhr.send(form);
  });
}

/** Russian text for any error thrown by the client. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const details = Object.values(error.fields).filter((v) => v && v !== error.message);
    return details.length ? `${error.message}: ${details.join('; ')}` : error.message;
  }
  return 'Непредвиденная ошибка. Обновите страницу.';
}
