import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';

/*
 * A local OK Bot API (Graph API): /graph/me/subscribe, /graph/me/subscriptions, /graph/me/unsubscribe,
 * /graph/me/info, /graph/me/messages/<chat_id>, /graph/me/chat/<chat_id>, every call with ?access_token=…; files at /files/<name>; and helpers
 * that POST webhook messages the way OK does (to a given URL or to every subscribed webhook). Payloads are our
 * own, in the shapes of OK's documented examples (test/fixtures/ok).
 *
 * And the part of the REST API (/fb.do?method=…, signed: application_key, sig, access_token) that reads and answers
 * a group's wall: mediatopic.getTopics, discussions.getComments (anchor paging), discussions.comment — with helpers
 * that put citizens' topics and comments on the wall (answers in the shapes of test/fixtures/ok/rest-*.json), photos
 * among them: a topic's `{ type: 'photo', photo_refs }` media part, a comment's `{ type: 'PHOTO', ref }` attachment,
 * the photos' size URLs in `entities.group_photos` (files served by this fake, see addFile).
 */

export const OK_FIXTURES_DIR = path.resolve(__dirname, '../../fixtures/ok');

export function okSampleText(name: string): string {
  return readFileSync(path.join(OK_FIXTURES_DIR, name), 'utf8');
}

export function okSampleJson(name: string): Record<string, unknown> {
  return JSON.parse(okSampleText(name).replace(/^\uFEFF/, '')) as Record<string, unknown>;
}

/**
 * Named scenarios, switchable at runtime. OK reports errors as HTTP 200 `{ error_code, error_msg, error_data }`;
 * rate-limited answers error 8 FLOOD_BLOCKED in that form by default, or HTTP 429 + Retry-After with form 'http'.
 */
export type OkScenario = 'normal' | 'slow' | 'rate-limited' | 'server-error' | 'malformed';

export interface OkScenarioOptions {
  times?: number;
  /** Restrict to one endpoint: 'subscribe', 'subscriptions', 'unsubscribe', 'info', 'messages', 'files', or 'webhook'. */
  only?: string;
  delayMs?: number;
  /** rate-limited / server-error: OK's error JSON (default) or a bare HTTP status (429 with Retry-After, 500). */
  form?: 'api' | 'http';
  /** Let this many matching requests through normally first (a failure in the middle of a multi-part send). */
  skip?: number;
}

/** The longest text the fake takes in a message or a wall comment (the bound the connector assumes). */
export const OK_FAKE_TEXT_MAX = 4000;

export interface WallTopic {
  id: string;
  createdMs: number;
  authorRef: string;
  text: string;
  comments: WallComment[];
  photos: WallPhoto[];
}

/** A photo on the wall: its id and where its bytes are (a URL from addFile). */
export interface WallPhoto {
  id: string;
  url: string;
}

export interface WallComment {
  id: string;
  authorRef: string;
  authorName?: string;
  text: string;
  dateMs: number;
  replyToCommentId?: string;
  photos: WallPhoto[];
}

/** A comment the group posted through discussions.comment. */
export interface PostedOkComment {
  topicId: string;
  commentId: string;
  text: string;
  asAdmin: boolean;
  replyToCommentId?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** OK's `date` of a comment: Moscow time, no zone. */
function moscowDate(ms: number): string {
  const d = new Date(ms + 3 * 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
}

export interface SentOkMessage {
  chatId: string;
  messageId: string;
  body: Record<string, unknown>;
}

const JSON_TYPE = 'application/json;charset=utf-8';

interface ActiveScenario extends OkScenarioOptions {
  name: OkScenario;
  remaining: number;
}

export class OkFake {
  readonly token: string;
  readonly webhookSecret: string;
  readonly subscriptions: { url: string; time: number }[] = [];
  readonly messages: SentOkMessage[] = [];
  readonly calls: { method: string; endpoint: string; body?: unknown }[] = [];
  /** The wall (REST API). */
  readonly groupId = '70000042187711';
  readonly applicationKey = 'CBAFKEKGDIHBABABA';
  readonly applicationSecretKey = randomBytes(12).toString('hex');
  readonly topics: WallTopic[] = [];
  readonly posted: PostedOkComment[] = [];
  private wallSeq = 155612843300000;
  private photoSeq = 913370005000;

  private server?: Server;
  private scenario: ActiveScenario = { name: 'normal', remaining: Infinity };
  private readonly files = new Map<string, { content: Buffer; contentType: string }>();
  /** Chats by id as GET /me/chat/<chat_id> describes them; one not set up is a citizen's chat with the group. */
  private readonly chats = new Map<string, { type: string; participants: string[] }>();
  private seq = 98211023614189660n;

  constructor(options: { token?: string; webhookSecret?: string } = {}) {
    this.token = options.token ?? `tkn1${randomBytes(12).toString('base64url')}:CQABPOJKAKEKEKEKE`;
    this.webhookSecret = options.webhookSecret ?? randomBytes(12).toString('hex');
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
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get apiBaseUrl(): string {
    return `${this.url}/graph`;
  }

  /** The environment that gives an app this group as its OK account, in webhook mode. */
  get env(): Record<string, string> {
    return {
      OK_ACCESS_TOKEN: this.token,
      OK_WEBHOOK_SECRET: this.webhookSecret,
      OK_API_BASE_URL: this.apiBaseUrl,
      OK_WEBHOOK_URL: 'https://inbox.region.test/api/v1/webhooks/ok',
    };
  }

  account(settings: Record<string, unknown> = {}): {
    settings: Record<string, unknown>;
    secrets: Record<string, string>;
  } {
    return {
      settings: { apiBaseUrl: this.apiBaseUrl, requestTimeoutMs: 2000, ...settings },
      secrets: { accessToken: this.token, webhookSecret: this.webhookSecret },
    };
  }

  get restUrl(): string {
    return `${this.url}/fb.do`;
  }

  /** The environment of an account that reads this group's wall too. */
  wallEnv(): Record<string, string> {
    return {
      OK_GROUP_ID: this.groupId,
      OK_APPLICATION_KEY: this.applicationKey,
      OK_APPLICATION_SECRET_KEY: this.applicationSecretKey,
      OK_REST_URL: this.restUrl,
    };
  }

  /** A topic on the wall: a citizen's (`user:<id>`) or the group's own (`group:<id>`), with photos at these URLs. */
  addTopic(authorRef: string, text: string, createdMs = Date.now(), photoUrls: string[] = []): WallTopic {
    this.wallSeq += 1;
    const topic = {
      id: String(this.wallSeq),
      createdMs,
      authorRef,
      text,
      comments: [],
      photos: this.photos(photoUrls),
    };
    this.topics.unshift(topic);
    return topic;
  }

  /** A citizen's comment under a topic (or a reply to another comment), with photos at `photoUrls`. */
  addComment(
    topicId: string,
    comment: {
      authorRef: string;
      authorName?: string;
      text: string;
      replyToCommentId?: string;
      photoUrls?: string[];
    },
    dateMs = Date.now(),
  ): WallComment {
    const topic = this.topics.find((t) => t.id === topicId);
    if (!topic) throw new Error(`no topic ${topicId}`);
    this.wallSeq += 1;
    const { photoUrls, ...fields } = comment;
    const added = {
      ...fields,
      id: Buffer.from(`${dateMs}:${this.wallSeq}`).toString('base64'),
      dateMs,
      photos: this.photos(photoUrls ?? []),
    };
    topic.comments.push(added);
    return added;
  }

  private photos(urls: string[]): WallPhoto[] {
    return urls.map((url) => {
      this.photoSeq += 1;
      return { id: String(this.photoSeq), url };
    });
  }

  setScenario(name: OkScenario, options: OkScenarioOptions = {}): void {
    this.scenario = { ...options, name, remaining: options.times ?? Infinity };
  }

  addFile(name: string, content: Buffer, contentType: string): string {
    this.files.set(name, { content, contentType });
    return `${this.url}/files/${encodeURIComponent(name)}`;
  }

  /**
   * A chat several people write in (OK's chats of a group with its members): GET /me/chat lists them all among its
   * participants, as graph.user.chat documents the answer.
   */
  multiUserChat(chatId: string, participants: string[], type = 'GROUP_CHAT'): void {
    this.chats.set(chatId, { type, participants });
  }

  /** A webhook message from the fixture, with a fresh mid/seq; `patch` edits it (text, chat, sender, attachments…). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  webhookMessage(patch?: (message: Record<string, any>) => void): Record<string, unknown> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = okSampleJson('webhook-message-text.json') as Record<string, any>;
    this.seq += 1n;
    const chat = String(body.recipient.chat_id).replace(/^chat:/, '');
    body.message.seq = Number(this.seq);
    body.message.mid = `mid:${chat}.${this.seq.toString(16)}`;
    body.timestamp = Date.now();
    patch?.(body);
    return body;
  }

  /**
   * Attachments shaped like OK's documented "Message with an attachment example": `{ type, payload: { url } }`.
   */
  withAttachments(
    body: Record<string, unknown>,
    attachments: { type: string; url: string }[],
  ): Record<string, unknown> {
    const message = body.message as Record<string, unknown>;
    message.attachments = attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
    return body;
  }

  /** POSTs a webhook message as OK does; the 'malformed' scenario (only: 'webhook') cuts the body off. */
  async postWebhook(url: string, body: unknown): Promise<{ status: number; text: string }> {
    const scenario = this.takeScenario('webhook');
    const text = scenario?.name === 'malformed' ? JSON.stringify(body).slice(0, 40) : JSON.stringify(body);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: text });
    return { status: response.status, text: await response.text() };
  }

  /** Delivers a webhook message to every subscribed URL, as OK would. */
  async deliver(body: unknown): Promise<{ url: string; status: number }[]> {
    const out: { url: string; status: number }[] = [];
    for (const { url } of this.subscriptions)
      out.push({ url, status: (await this.postWebhook(url, body)).status });
    return out;
  }

  // ---- HTTP ----

  private takeScenario(target: string): ActiveScenario | undefined {
    const s = this.scenario;
    if (s.name === 'normal' || s.remaining <= 0) return undefined;
    if (s.only ? s.only !== target : ['files', 'webhook', 'chat'].includes(target)) return undefined;
    if (s.skip) {
      s.skip -= 1;
      return undefined;
    }
    s.remaining -= 1;
    if (s.remaining <= 0) this.scenario = { name: 'normal', remaining: Infinity };
    return s;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (url.pathname === '/fb.do') {
      // OK's REST API takes its parameters in the query string or as a form body.
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) url.searchParams.set(k, v);
      return this.rest(url, res);
    }
    const files = url.pathname.startsWith('/files/');
    const match = /^\/graph\/me\/(subscribe|subscriptions|unsubscribe|info|messages|chat)(?:\/(.+))?$/.exec(
      url.pathname,
    );
    if (!files && !match)
      return send(res, 404, JSON_TYPE, JSON.stringify(error(3, 'METHOD : Method not found')));
    const endpoint = files ? 'files' : match![1];

    const scenario = this.takeScenario(endpoint);
    if (scenario?.name === 'slow')
      await new Promise((resolve) => setTimeout(resolve, scenario.delayMs ?? 3000));
    else if (scenario?.name === 'rate-limited') {
      if (scenario.form === 'http')
        return send(res, 429, 'text/plain', 'Too Many Requests', { 'retry-after': '2' });
      return send(res, 200, JSON_TYPE, JSON.stringify(error(8, 'FLOOD_BLOCKED : Flood blocked')));
    } else if (scenario?.name === 'server-error') {
      if (scenario.form === 'api')
        return send(res, 200, JSON_TYPE, JSON.stringify(error(2, 'SERVICE : Service temporary unavailable')));
      return send(res, 500, 'text/html', '<html><body>500 Internal Server Error</body></html>');
    } else if (scenario?.name === 'malformed') {
      return send(res, 200, JSON_TYPE, '{"success":tr');
    }

    if (files) {
      const file = this.files.get(decodeURIComponent(url.pathname.slice('/files/'.length)));
      return file
        ? send(res, 200, file.contentType, file.content)
        : send(res, 404, 'text/plain', 'not found');
    }

    let body: Record<string, unknown> | undefined;
    if (req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(
          res,
          200,
          JSON_TYPE,
          JSON.stringify(error(100, 'PARAM : Content-Type must be application/json')),
        );
      }
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(res, 200, JSON_TYPE, JSON.stringify(error(100, 'PARAM : Invalid JSON')));
      }
    }
    this.calls.push({ method: req.method ?? 'GET', endpoint, body });
    if (url.searchParams.get('access_token') !== this.token) {
      return send(res, 200, JSON_TYPE, JSON.stringify(error(102, 'PARAM_SESSION_EXPIRED : Session expired')));
    }
    const ok = (answer: unknown) => send(res, 200, JSON_TYPE, JSON.stringify(answer));

    switch (`${req.method} ${endpoint}`) {
      case 'POST subscribe': {
        if (typeof body?.url !== 'string') return ok(error(100, 'PARAM : url is required'));
        if (!this.subscriptions.some((s) => s.url === body!.url))
          this.subscriptions.push({ url: body.url, time: Date.now() });
        return ok(okSampleJson('subscribe-response.json'));
      }
      case 'POST unsubscribe': {
        const index = this.subscriptions.findIndex((s) => s.url === body?.url);
        if (index >= 0) this.subscriptions.splice(index, 1);
        return ok({ success: true });
      }
      case 'GET subscriptions':
        return ok({ subscriptions: this.subscriptions });
      case 'GET info':
        return ok({
          user_id: 'user:910000000001',
          name: 'Администрация области',
          avatar_url: `${this.url}/files/avatar.png`,
        });
      case 'GET chat': {
        const chatId = decodeURIComponent(match![2] ?? '');
        const chat = this.chats.get(chatId) ?? { type: 'GROUP_CHAT', participants: ['user:577120034411'] };
        return ok({
          type: chat.type,
          status: 'ACTIVE',
          title: 'Администрация области',
          participants: Object.fromEntries(chat.participants.map((p) => [p, Date.now()])),
          lastEventTime: Date.now(),
          chat_id: chatId,
          owner_id: chat.participants[0],
          group_id: 'group:910000000001',
        });
      }
      case 'POST messages': {
        const chatId = decodeURIComponent(match![2] ?? '');
        const recipient = body?.recipient as Record<string, unknown> | undefined;
        const message = body?.message as Record<string, unknown> | undefined;
        if (!chatId || recipient?.chat_id !== chatId)
          return ok(error(100, 'PARAM : recipient.chat_id must match the chat'));
        if (!message || (typeof message.text !== 'string' && !message.attachment && !message.attachments)) {
          return ok(error(100, 'PARAM : message is empty'));
        }
        if (typeof message.text === 'string' && message.text.length > OK_FAKE_TEXT_MAX)
          return ok(error(100, 'PARAM : message.text is too long'));
        this.seq += 1n;
        const messageId = `mid:${chatId.replace(/^chat:/, '')}.${this.seq.toString(16)}`;
        this.messages.push({ chatId, messageId, body: body! });
        return ok({ success: true, message_id: messageId });
      }
      default:
        return ok(error(3, 'METHOD : Method not found'));
    }
  }

  // ---- REST API (the wall) ----

  private async rest(url: URL, res: ServerResponse): Promise<void> {
    const q = Object.fromEntries(url.searchParams.entries());
    const method = q.method ?? '';
    const ok = (answer: unknown) => send(res, 200, JSON_TYPE, JSON.stringify(answer));
    const scenario = this.takeScenario('rest');
    if (scenario?.name === 'server-error') return ok(error(2, 'SERVICE : Service temporary unavailable'));
    if (scenario?.name === 'rate-limited') return ok(error(8, 'FLOOD_BLOCKED : Flood blocked'));
    this.calls.push({ method: 'GET', endpoint: `rest:${method}`, body: q });
    if (q.application_key !== this.applicationKey) return ok(error(101, 'PARAM_API_KEY : Application key'));
    if (q.access_token !== this.token) return ok(error(102, 'PARAM_SESSION_EXPIRED : Session expired'));
    const signed = Object.keys(q)
      .filter((k) => k !== 'access_token' && k !== 'sig')
      .sort()
      .map((k) => `${k}=${q[k]}`)
      .join('');
    if (q.sig !== md5(signed + md5(this.token + this.applicationSecretKey)))
      return ok(error(104, 'PARAM_SIGNATURE : Invalid signature'));

    switch (method) {
      case 'mediatopic.getTopics': {
        if (q.gid !== this.groupId) return ok(error(300, 'NOT_FOUND : group'));
        const shown = this.topics.slice(0, Number(q.count ?? 20));
        const users = [...new Set(shown.map((t) => t.authorRef).filter((r) => r.startsWith('user:')))];
        return ok({
          media_topics: shown.map((t) => ({
            id: t.id,
            created_ms: t.createdMs,
            author_ref: t.authorRef,
            owner_ref: `group:${this.groupId}`,
            media: [
              { type: 'text', text: t.text },
              ...(t.photos.length
                ? [{ type: 'photo', photo_refs: t.photos.map((p) => `group_photo:${p.id}`) }]
                : []),
            ],
            discussion_summary: { comments_count: t.comments.length },
          })),
          entities: {
            users: users.map((r) => ({ uid: r.slice(5), first_name: 'Анна', last_name: 'Смирнова' })),
            groups: [{ uid: this.groupId, name: 'Администрация города' }],
            group_photos: shown.flatMap((t) => t.photos.map(groupPhoto)),
          },
          has_more: this.topics.length > shown.length,
        });
      }
      case 'discussions.getComments': {
        const topic = this.topics.find((t) => t.id === q.discussionId);
        if (!topic || q.discussionType !== 'GROUP_TOPIC') return ok(error(300, 'NOT_FOUND : discussion'));
        const count = Math.min(100, Number(q.count ?? 20));
        const from = q.anchor ? Number(Buffer.from(q.anchor, 'base64').toString('utf8')) : 0;
        const page = topic.comments.slice(from, from + count);
        const next = from + page.length;
        return ok({
          comments: page.map((c) => ({
            id: c.id,
            author_id: c.authorRef.replace(/^(user|group):/, ''),
            author_ref: c.authorRef,
            ...(c.authorName ? { author_name: c.authorName } : {}),
            text: c.text,
            date: moscowDate(c.dateMs),
            date_ms: c.dateMs,
            type: 'ACTIVE_MESSAGE',
            ...(c.replyToCommentId ? { reply_to_comment_id: c.replyToCommentId } : {}),
            ...(c.photos.length
              ? { attachments: c.photos.map((p) => ({ type: 'PHOTO', ref: `group_photo:${p.id}` })) }
              : {}),
          })),
          entities: { group_photos: page.flatMap((c) => c.photos.map(groupPhoto)) },
          anchor: Buffer.from(String(next)).toString('base64'),
          has_more: next < topic.comments.length,
          discussionId: topic.id,
          discussionType: 'GROUP_TOPIC',
        });
      }
      case 'discussions.comment': {
        const topic = this.topics.find((t) => t.id === q.discussionId);
        if (!topic || q.discussionType !== 'GROUP_TOPIC') return ok(error(300, 'NOT_FOUND : discussion'));
        if (!q.comment) return ok(error(100, 'PARAM : comment is empty'));
        if (q.comment.length > OK_FAKE_TEXT_MAX) return ok(error(100, 'PARAM : comment is too long'));
        const asAdmin = q.as_admin === 'true';
        const added = this.addComment(topic.id, {
          authorRef: asAdmin ? `group:${this.groupId}` : 'user:910000000001',
          text: q.comment,
          ...(q.reply_to_comment_id ? { replyToCommentId: q.reply_to_comment_id } : {}),
        });
        this.posted.push({
          topicId: topic.id,
          commentId: added.id,
          text: q.comment,
          asAdmin,
          ...(q.reply_to_comment_id ? { replyToCommentId: q.reply_to_comment_id } : {}),
        });
        return ok(added.id);
      }
      default:
        return ok(error(3, 'METHOD : Method not found'));
    }
  }
}

/** A photo in `entities.group_photos`: its sizes as URLs (the fake serves the same bytes at each). */
function groupPhoto(p: WallPhoto): Record<string, unknown> {
  return {
    id: p.id,
    ref: `group_photo:${p.id}`,
    pic128x128: `${p.url}?fn=w_128`,
    pic640x480: p.url,
    standard_width: 640,
    standard_height: 480,
  };
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

function error(code: number, message: string): Record<string, unknown> {
  return { error_code: code, error_msg: message, error_data: null };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(body);
}
