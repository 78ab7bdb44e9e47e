import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';

/*
 * A local VK: the API at /method/<name> (form or query parameters, access_token, v), the Bots Long Poll server at
 * /wh<groupId>?act=a_check&key&ts&wait, document upload at /upload/<slot>, files at /files/<name>, and a helper that
 * POSTs Callback API events to a URL. Payloads are our own, in VK's shapes (test/fixtures/vk).
 */

export const VK_FIXTURES_DIR = path.resolve(__dirname, '../../fixtures/vk');

/** A VK fixture as stored (BOM and all). */
export function vkSampleText(name: string): string {
  return readFileSync(path.join(VK_FIXTURES_DIR, name), 'utf8');
}

export function vkSampleJson(name: string): Record<string, unknown> {
  return JSON.parse(vkSampleText(name).replace(/^\uFEFF/, '')) as Record<string, unknown>;
}

/**
 * Named scenarios, switchable at runtime. VK reports rate limits and many failures as HTTP 200 with
 * `{ error: { error_code, error_msg } }` — that is the "real form" of rate-limited here (no HTTP 429, no Retry-After).
 */
export type VkScenario = 'normal' | 'slow' | 'rate-limited' | 'flood' | 'server-error' | 'malformed';

export interface VkScenarioOptions {
  /** How many matching requests the scenario affects before the fake is normal again (default: until changed). */
  times?: number;
  /** Restrict to one API method (e.g. 'messages.send'), or 'longpoll', 'upload', 'files'. */
  only?: string;
  /** slow: the delay before answering (default 3000 ms). */
  delayMs?: number;
  /** server-error: HTTP 500 with an HTML page (default) or `error_code` 10 "Internal server error". */
  form?: 'http' | 'api';
  /** malformed: a cut-off body (default) or, for the long poll, a valid page with one broken update in it. */
  shape?: 'body' | 'update';
}

export interface SentVkMessage {
  id: number;
  peerId: number;
  randomId: number;
  message: string;
  keyboard?: unknown;
  attachment?: string;
}

export interface SentVkComment {
  commentId: number;
  ownerId: number;
  postId: number;
  fromGroup?: number;
  replyToComment?: number;
  message: string;
  guid?: string;
  attachments?: string;
}

export type VkUpdate = Record<string, unknown>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** The longest text messages.send takes (VK's schema: maxLength 9000); longer is error 914. */
export const VK_FAKE_MESSAGE_MAX = 9000;
/** The longest text the fake takes in wall.createComment (VK states none; the connector keeps to 4096). */
export const VK_FAKE_COMMENT_MAX = 4096;

const ERROR_MESSAGES: Record<number, string> = {
  5: 'User authorization failed: invalid access_token (4).',
  6: 'Too many requests per second',
  8: 'Invalid request: v (version) is required',
  9: 'Flood control',
  10: 'Internal server error',
  100: 'One of the parameters specified was missing or invalid',
  901: "Can't send messages for users without permission",
  911: 'Keyboard format is invalid',
  914: 'Message is too long',
};

interface ActiveScenario extends VkScenarioOptions {
  name: VkScenario;
  remaining: number;
}

export class VkFake {
  readonly groupId: number;
  readonly token: string;
  readonly callbackSecret: string;
  readonly confirmationCode: string;

  /** Messages VK delivered (a repeated random_id for the same peer is not delivered twice). */
  readonly messages: SentVkMessage[] = [];
  /** Every messages.send that reached the method, delivered or deduplicated. */
  readonly sendAttempts: { peerId: number; randomId: number }[] = [];
  readonly comments: SentVkComment[] = [];
  readonly docs: { id: number; ownerId: number; title: string; content: Buffer }[] = [];
  /** Every API call (method and parameters, the token left out). */
  readonly calls: { method: string; params: Record<string, string> }[] = [];
  readonly longPollRequests: { key: string; ts: string; wait: number }[] = [];

  private server?: Server;
  private ts = 100;
  private key = randomBytes(20).toString('hex');
  private readonly history: { seq: number; update: VkUpdate }[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly longPollFailures: { failed: 1 | 2 | 3; ts?: number }[] = [];
  private readonly files = new Map<string, { content: Buffer; contentType: string }>();
  private readonly redirects = new Map<string, string>();
  private readonly blockedPeers = new Set<number>();
  private readonly uploads = new Map<string, { fileName: string; content: Buffer }>();
  private scenario: ActiveScenario = { name: 'normal', remaining: Infinity };
  private uploadRefusal?: { error: string; remaining: number };
  private nextMessageId = 1000;
  private nextCommentId = 500;
  private nextDocId = 9000;
  /** messages.send's limit; a test lowers it to play a server stricter than VK's documentation. */
  messageTextMax = VK_FAKE_MESSAGE_MAX;

  constructor(
    options: { groupId?: number; token?: string; callbackSecret?: string; confirmationCode?: string } = {},
  ) {
    // The community our fixtures were written for (their group_id and wall owner).
    this.groupId = options.groupId ?? 218840017;
    this.token = options.token ?? `vk1.a.${randomBytes(16).toString('hex')}`;
    this.callbackSecret = options.callbackSecret ?? `s${randomBytes(8).toString('hex')}`;
    this.confirmationCode = options.confirmationCode ?? randomBytes(4).toString('hex');
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get apiBaseUrl(): string {
    return `${this.url}/method`;
  }

  /** The environment that gives an app this community as its VK account, in callback mode. */
  get env(): Record<string, string> {
    return {
      VK_GROUP_ID: String(this.groupId),
      VK_GROUP_TOKEN: this.token,
      VK_API_BASE_URL: this.apiBaseUrl,
      VK_CALLBACK_SECRET: this.callbackSecret,
      VK_CONFIRMATION_CODE: this.confirmationCode,
    };
  }

  /** Settings and secrets for a ChannelAccountRef pointing at this fake. */
  account(settings: Record<string, unknown> = {}): {
    settings: Record<string, unknown>;
    secrets: Record<string, string>;
  } {
    return {
      settings: {
        groupId: this.groupId,
        apiBaseUrl: this.apiBaseUrl,
        confirmationCode: this.confirmationCode,
        longPollWaitSeconds: 1,
        requestTimeoutMs: 2000,
        ...settings,
      },
      secrets: { groupToken: this.token, callbackSecret: this.callbackSecret },
    };
  }

  setScenario(name: VkScenario, options: VkScenarioOptions = {}): void {
    this.scenario = { ...options, name, remaining: options.times ?? Infinity };
  }

  /** The next long-poll requests answer `failed` (1: with `ts`, default the current one; 2/3: the key expires). */
  failLongPoll(failed: 1 | 2 | 3, options: { ts?: number } = {}): void {
    this.longPollFailures.push({ failed, ts: options.ts });
  }

  /** messages.send to this peer answers error 901 from now on. */
  blockPeer(peerId: number): void {
    this.blockedPeers.add(peerId);
  }

  /** The current long-poll ts: the sequence number the next event will get. */
  get currentTs(): number {
    return this.ts;
  }

  /** An event from a fixture file, as this community would get it (group_id, event_id, v added). */
  // Tests reach deep into sample events to change them; `any` keeps that readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  event(sample: string, patch?: (event: Record<string, any>) => void): VkUpdate {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const event = vkSampleJson(sample) as Record<string, any>;
    event.group_id = this.groupId;
    event.event_id = randomBytes(20).toString('hex');
    event.v = '5.199';
    patch?.(event);
    return event;
  }

  /** Queues an update for the long poll; returns its sequence number (the ts that fetches it). */
  pushUpdate(update: VkUpdate): number {
    const seq = this.ts;
    this.history.push({ seq, update });
    this.ts += 1;
    for (const wake of this.waiters) wake();
    return seq;
  }

  addFile(name: string, content: Buffer, contentType: string): string {
    this.files.set(name, { content, contentType });
    return `${this.url}/files/${encodeURIComponent(name)}`;
  }

  /** /files/<name> answers 302 to `location` (CDN links redirect; the connector must check every hop). */
  addRedirect(name: string, location: string): string {
    this.redirects.set(name, location);
    return `${this.url}/files/${encodeURIComponent(name)}`;
  }

  /** A Callback API body: the event plus `secret` (omitted when null); `bom` prepends a UTF-8 BOM. */
  callbackBody(event: VkUpdate, options: { secret?: string | null; bom?: boolean } = {}): string {
    const secret = options.secret === undefined ? this.callbackSecret : options.secret;
    const body = JSON.stringify(secret === null ? event : { ...event, secret });
    return options.bom ? `\uFEFF${body}` : body;
  }

  /** POSTs an event the way VK's Callback API does and returns what the receiver answered. */
  async postCallback(
    url: string,
    event: VkUpdate,
    options: { secret?: string | null; bom?: boolean } = {},
  ): Promise<{ status: number; text: string }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body: this.callbackBody(event, options),
    });
    return { status: response.status, text: await response.text() };
  }

  /** VK's server check: POSTs `confirmation` and reports whether the answer is the confirmation code. */
  async confirm(url: string): Promise<{ status: number; text: string; confirmed: boolean }> {
    const result = await this.postCallback(
      url,
      { type: 'confirmation', group_id: this.groupId },
      { secret: null },
    );
    return { ...result, confirmed: result.status === 200 && result.text === this.confirmationCode };
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    let target: string;
    if (url.pathname.startsWith('/method/'))
      target = decodeURIComponent(url.pathname.slice('/method/'.length));
    else if (url.pathname === `/wh${this.groupId}`) target = 'longpoll';
    else if (url.pathname.startsWith('/upload/')) target = 'upload';
    else if (url.pathname.startsWith('/files/')) target = 'files';
    else return send(res, 404, 'text/plain; charset=utf-8', 'not found');

    const scenario = this.takeScenario(target);
    if (scenario?.name === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, scenario.delayMs ?? 3000));
    } else if (scenario?.name === 'server-error') {
      if (scenario.form === 'api' && target !== 'longpoll' && target !== 'files' && target !== 'upload') {
        return this.apiError(res, target, 10);
      }
      return send(
        res,
        500,
        'text/html; charset=utf-8',
        '<html><body><h1>500 Internal Server Error</h1></body></html>',
      );
    } else if (scenario?.name === 'malformed' && scenario.shape !== 'update') {
      return send(
        res,
        200,
        JSON_TYPE,
        target === 'longpoll' ? '{"ts":"1","updates":[{"type":"mess' : '{"response":{',
      );
    } else if (scenario && (scenario.name === 'rate-limited' || scenario.name === 'flood')) {
      return this.apiError(res, target, scenario.name === 'flood' ? 9 : 6);
    }

    if (target === 'longpoll') return this.longPoll(url, res, scenario?.name === 'malformed');
    if (target === 'upload') return this.upload(url, req, raw, res);
    if (target === 'files') {
      const name = decodeURIComponent(url.pathname.slice('/files/'.length));
      const location = this.redirects.get(name);
      if (location) {
        res.writeHead(302, { location });
        return void res.end();
      }
      const file = this.files.get(name);
      if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return send(res, 200, file.contentType, file.content);
    }
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
    }
    return this.method(target, params, res);
  }

  /** Which scenario applies to this request, counting it down. Rate limits concern API methods only. */
  private takeScenario(target: string): ActiveScenario | undefined {
    const s = this.scenario;
    if (s.name === 'normal' || s.remaining <= 0) return undefined;
    if (s.only ? s.only !== target : target === 'files') return undefined;
    if (
      (s.name === 'rate-limited' || s.name === 'flood') &&
      ['longpoll', 'upload', 'files'].includes(target)
    ) {
      return undefined;
    }
    if (s.name === 'malformed' && s.shape === 'update' && target !== 'longpoll') return undefined;
    s.remaining -= 1;
    if (s.remaining <= 0) this.scenario = { name: 'normal', remaining: Infinity };
    return s;
  }

  private apiError(res: ServerResponse, method: string, code: number): void {
    send(
      res,
      200,
      JSON_TYPE,
      JSON.stringify({
        error: {
          error_code: code,
          error_msg: ERROR_MESSAGES[code] ?? 'Unknown error occurred',
          request_params: [
            { key: 'method', value: method },
            { key: 'oauth', value: '1' },
          ],
        },
      }),
    );
  }

  private method(method: string, params: Record<string, string>, res: ServerResponse): void {
    const { access_token: token, ...rest } = params;
    this.calls.push({ method, params: rest });
    if (!params.v) return this.apiError(res, method, 8);
    if (token !== this.token) return this.apiError(res, method, 5);
    const ok = (response: unknown) => send(res, 200, JSON_TYPE, JSON.stringify({ response }));
    switch (method) {
      case 'groups.getById':
        return ok({
          groups: [
            {
              id: this.groupId,
              name: 'Администрация области',
              screen_name: `club${this.groupId}`,
              is_closed: 0,
              type: 'group',
            },
          ],
          profiles: [],
        });
      case 'groups.getLongPollServer':
        if (Number(params.group_id) !== this.groupId) return this.apiError(res, method, 100);
        return ok({ key: this.key, server: `${this.url}/wh${this.groupId}`, ts: String(this.ts) });
      case 'messages.send':
        return this.messagesSend(params, res, ok);
      case 'wall.createComment':
        return this.createComment(params, res, ok);
      case 'docs.getMessagesUploadServer':
      case 'docs.getWallUploadServer': {
        const slot = randomBytes(8).toString('hex');
        return ok({ upload_url: `${this.url}/upload/${slot}` });
      }
      case 'docs.save': {
        const upload = this.uploads.get(params.file ?? '');
        if (!upload) return this.apiError(res, method, 100);
        this.uploads.delete(params.file);
        const id = this.nextDocId++;
        const title = params.title || upload.fileName;
        this.docs.push({ id, ownerId: -this.groupId, title, content: upload.content });
        return ok({
          type: 'doc',
          doc: {
            id,
            owner_id: -this.groupId,
            title,
            size: upload.content.length,
            ext: title.split('.').pop() ?? '',
            url: `${this.url}/files/doc${id}`,
          },
        });
      }
      default:
        return this.apiError(res, method, 3);
    }
  }

  private messagesSend(params: Record<string, string>, res: ServerResponse, ok: (r: unknown) => void): void {
    const peerId = Number(params.peer_id);
    const randomId = Number(params.random_id);
    if (!Number.isSafeInteger(peerId) || params.random_id === undefined || !Number.isSafeInteger(randomId)) {
      return this.apiError(res, 'messages.send', 100);
    }
    if (!params.message && !params.attachment) return this.apiError(res, 'messages.send', 100);
    if ((params.message ?? '').length > this.messageTextMax) return this.apiError(res, 'messages.send', 914);
    let keyboard: unknown;
    if (params.keyboard !== undefined) {
      try {
        keyboard = JSON.parse(params.keyboard);
      } catch {
        return this.apiError(res, 'messages.send', 911);
      }
    }
    if (this.blockedPeers.has(peerId)) return this.apiError(res, 'messages.send', 901);
    this.sendAttempts.push({ peerId, randomId });
    // VK: random_id is unique per sender; a repeat is not sent again.
    const earlier =
      randomId !== 0 && this.messages.find((m) => m.peerId === peerId && m.randomId === randomId);
    if (earlier) return ok(earlier.id);
    const id = this.nextMessageId++;
    this.messages.push({
      id,
      peerId,
      randomId,
      message: params.message ?? '',
      keyboard,
      attachment: params.attachment,
    });
    return ok(id);
  }

  private createComment(params: Record<string, string>, res: ServerResponse, ok: (r: unknown) => void): void {
    const ownerId = Number(params.owner_id);
    const postId = Number(params.post_id);
    if (!Number.isSafeInteger(ownerId) || !Number.isSafeInteger(postId) || postId <= 0) {
      return this.apiError(res, 'wall.createComment', 100);
    }
    if (!params.message && !params.attachments) return this.apiError(res, 'wall.createComment', 100);
    if ((params.message ?? '').length > VK_FAKE_COMMENT_MAX)
      return this.apiError(res, 'wall.createComment', 100);
    const earlier =
      params.guid !== undefined &&
      this.comments.find((c) => c.ownerId === ownerId && c.postId === postId && c.guid === params.guid);
    if (earlier) return ok({ comment_id: earlier.commentId, parents_stack: [] });
    const commentId = this.nextCommentId++;
    this.comments.push({
      commentId,
      ownerId,
      postId,
      fromGroup: params.from_group !== undefined ? Number(params.from_group) : undefined,
      replyToComment: params.reply_to_comment !== undefined ? Number(params.reply_to_comment) : undefined,
      message: params.message ?? '',
      guid: params.guid,
      attachments: params.attachments,
    });
    return ok({
      comment_id: commentId,
      parents_stack: params.reply_to_comment ? [Number(params.reply_to_comment)] : [],
    });
  }

  /**
   * The upload server answers the next `times` uploads HTTP 200 `{ error }` instead of a file, as VK's do: a refusal
   * of the file (e.g. 'ERR_UPLOAD_FILE_TYPE: file type not allowed') or a fault of its own (e.g. 'upload timeout').
   */
  refuseUploads(error: string, times = Infinity): void {
    this.uploadRefusal = { error, remaining: times };
  }

  private async upload(url: URL, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    if (this.uploadRefusal && this.uploadRefusal.remaining > 0) {
      this.uploadRefusal.remaining -= 1;
      return send(res, 200, JSON_TYPE, JSON.stringify({ error: this.uploadRefusal.error }));
    }
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      return send(res, 200, JSON_TYPE, JSON.stringify({ error: 'no file' }));
    }
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const file = form.get('file');
    if (!file || typeof file === 'string')
      return send(res, 200, JSON_TYPE, JSON.stringify({ error: 'no file' }));
    const content = Buffer.from(await file.arrayBuffer());
    const token = `${url.pathname.split('/').pop()}|${createHash('md5').update(content).digest('hex')}`;
    this.uploads.set(token, { fileName: file.name, content });
    return send(res, 200, JSON_TYPE, JSON.stringify({ file: token }));
  }

  private async longPoll(url: URL, res: ServerResponse, brokenUpdate: boolean): Promise<void> {
    const key = url.searchParams.get('key') ?? '';
    const tsParam = url.searchParams.get('ts') ?? '';
    const wait = Math.min(90, Math.max(0, Number(url.searchParams.get('wait') ?? '25') || 0));
    this.longPollRequests.push({ key, ts: tsParam, wait });
    if (url.searchParams.get('act') !== 'a_check')
      return send(res, 400, 'text/plain; charset=utf-8', 'act=a_check expected');

    const failure = this.longPollFailures.shift();
    if (failure?.failed === 1) {
      const sample = vkSampleJson('longpoll-failed-1.json');
      return send(res, 200, JSON_TYPE, JSON.stringify({ ...sample, ts: failure.ts ?? this.ts }));
    }
    if (failure) {
      // Both 2 and 3 leave the key unusable; 3 also tells the client its ts is lost.
      this.key = randomBytes(20).toString('hex');
      return send(
        res,
        200,
        JSON_TYPE,
        vkSampleText(failure.failed === 2 ? 'longpoll-failed-2.json' : 'longpoll-failed-3.json'),
      );
    }
    if (key !== this.key) return send(res, 200, JSON_TYPE, vkSampleText('longpoll-failed-2.json'));
    const ts = Number(tsParam);
    if (!Number.isSafeInteger(ts) || ts > this.ts) {
      return send(
        res,
        200,
        JSON_TYPE,
        JSON.stringify({ ...vkSampleJson('longpoll-failed-1.json'), ts: this.ts }),
      );
    }

    const pending = () => this.history.filter((e) => e.seq >= ts).map((e) => e.update);
    if (pending().length === 0 && wait > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, wait * 1000);
        this.waiters.add(done);
      });
    }
    const updates = pending();
    if (brokenUpdate) updates.unshift({ type: 'message_new', object: {}, group_id: this.groupId });
    // The wrapper comes from the fixture template (a C# format string: {{ }} are braces, {0} the updates).
    const body = vkSampleText('longpoll-answer.template.txt')
      .replace(/\{\{/g, '{')
      .replace(/\}\}/g, '}')
      .replace('"1208"', JSON.stringify(String(this.ts)))
      .replace('{0}', updates.map((u) => JSON.stringify(u)).join(','));
    if (!res.destroyed) send(res, 200, JSON_TYPE, body);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}
