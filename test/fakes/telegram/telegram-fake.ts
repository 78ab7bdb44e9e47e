import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseBody, readRaw, type UploadedPart } from './request-body';

/** Our own Update objects in the shapes of Telegram's webhook examples (see test/fixtures/README.md). */
export const TELEGRAM_SAMPLES_DIR = resolve(__dirname, '../../fixtures/telegram');

export function readTelegramSample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(TELEGRAM_SAMPLES_DIR, file), 'utf8')) as Record<string, unknown>;
}

export type TelegramScenario = 'normal' | 'slow' | 'rate-limited' | 'server-error' | 'malformed';

export interface ScenarioOptions {
  /** rate-limited / server-error: how many calls fail before the fake behaves again (default 1 / forever). */
  count?: number;
  /** rate-limited: the `parameters.retry_after` seconds (default 3). */
  retryAfter?: number;
  /** slow: delay before each answer, ms (default 2000). */
  delayMs?: number;
  /** server-error: the HTTP status (default 502). */
  status?: number;
  /** Only these Bot API methods are affected (default: all, file downloads included as 'file'). */
  methods?: string[];
  /**
   * Let this many affected calls through normally first: `{ count: 1, skip: 1, methods: ['sendMessage'] }` fails the
   * second sendMessage once (a failure in the middle of a send in several messages).
   */
  skip?: number;
}

/** One message the bot sent, as the fake understood it. */
export interface SentRecord {
  method: 'sendMessage' | 'sendPhoto' | 'sendDocument';
  messageId: number;
  chatId: string;
  text?: string;
  caption?: string;
  replyToMessageId?: number;
  replyMarkup?: {
    inline_keyboard?: { text: string; callback_data?: string }[][];
    keyboard?: { text: string; request_contact?: boolean }[][];
    one_time_keyboard?: boolean;
  };
  file?: { fileName: string; contentType: string; content: Buffer; fileId: string };
  params: Record<string, unknown>;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  contentType: string;
  status: number;
}

interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  content: Buffer;
  /** getFile reports file_size unless told not to (then only the download reveals the size). */
  reportSize: boolean;
}

type Update = Record<string, unknown> & { update_id: number };
// Samples are edited in place by path; a loose type keeps the builders short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

interface Waiter {
  res: ServerResponse;
  respond: (updates: Update[]) => void;
  timer: NodeJS.Timeout;
}

const BOT = { id: 7000000001, is_bot: true, first_name: 'Обращения граждан', username: 'appeals_test_bot' };

/**
 * A local Telegram Bot API: `/bot<token>/<method>` and `/file/bot<token>/<path>` on 127.0.0.1, with
 * Telegram's response envelope and error shapes. Tests queue updates, register files, push updates to a
 * webhook and read back what the bot sent.
 */
export class TelegramFake {
  readonly token: string;
  private server!: Server;
  private port = 0;
  private nextUpdateId = 500_000;
  private nextMessageId = 9_000;
  private nextFileNo = 1;
  private queue: Update[] = [];
  private waiter: Waiter | null = null;
  private readonly files = new Map<string, StoredFile>();
  private readonly callbacks = new Set<string>();
  private readonly blocked = new Set<string>();
  /** Business connections the bot has (an official's Telegram Business account connected it to its chats). */
  private readonly businessConnections = new Set<string>();
  private scenario: TelegramScenario = 'normal';
  private scenarioOptions: ScenarioOptions = {};
  /** Affected calls still to let through before the scenario applies (ScenarioOptions.skip). */
  private skipping = 0;
  private remaining = Infinity;

  /** The Bot API takes request bodies (uploads) of 50 MB at most; a test may lower it. */
  uploadLimitBytes = 50 * 1024 * 1024;
  readonly sent: SentRecord[] = [];
  readonly calls: ApiCall[] = [];
  readonly callbackAnswers: { callbackQueryId: string; text?: string; showAlert?: boolean }[] = [];
  webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | null = null;
  /**
   * Awaited after a method has done its work (a message sent is in `sent`) and before Telegram answers: what
   * happens to the caller between Telegram's acceptance and its reply reaching it.
   */
  beforeAnswering?: (method: string, params: Record<string, unknown>) => Promise<void>;
  /**
   * After a method has done its work, answer it 200 with a body that is not the Bot API's (a filtering proxy's page,
   * `{}`), while this returns one: a reply that says nothing of a message already sent.
   */
  garbledAnswer?: (method: string) => string | undefined;

  private constructor(token: string) {
    this.token = token;
  }

  static async start(token = `123456789:${randomBytes(18).toString('base64url')}`): Promise<TelegramFake> {
    const fake = new TelegramFake(token);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((error: Error) => {
        if (!res.headersSent)
          fake.reply(res, 500, { ok: false, error_code: 500, description: error.message });
      });
    });
    await new Promise<void>((done) => fake.server.listen(0, '127.0.0.1', done));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The environment of a region's bot that long-polls this fake (one-second polls, so tests stop quickly). */
  pollingEnv(): Record<string, string> {
    return {
      TELEGRAM_BOT_TOKEN: this.token,
      TELEGRAM_API_ROOT: this.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    };
  }

  /** What to put in `account.settings.apiRoot`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.releaseWaiter([]);
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  // ---- scenarios -------------------------------------------------------------------------------

  setScenario(scenario: TelegramScenario, options: ScenarioOptions = {}): void {
    this.scenario = scenario;
    this.scenarioOptions = options;
    const fallback = scenario === 'rate-limited' || scenario === 'malformed' ? 1 : Infinity;
    this.remaining = options.count ?? fallback;
    this.skipping = options.skip ?? 0;
  }

  reset(): void {
    this.setScenario('normal');
    this.queue = [];
    this.sent.length = 0;
    this.calls.length = 0;
    this.callbackAnswers.length = 0;
    this.blocked.clear();
    this.businessConnections.clear();
    this.webhook = null;
    this.uploadLimitBytes = 50 * 1024 * 1024;
  }

  /** The chat's user "blocked the bot": sends to it answer 403 like Telegram. */
  blockChat(chatId: number | string): void {
    this.blocked.add(String(chatId));
  }

  /** An official connected the bot to their business account: sends on its behalf are accepted. */
  connectBusiness(connectionId: string): void {
    this.businessConnections.add(connectionId);
  }

  /** The user unblocked the bot: sends to the chat go through again. */
  unblockChat(chatId: number | string): void {
    this.blocked.delete(String(chatId));
  }

  // ---- updates ---------------------------------------------------------------------------------

  /** Whether a long poll (getUpdates with a timeout and nothing queued) is being held open. */
  get holdingPoll(): boolean {
    return this.waiter !== null;
  }

  /** Queues an update for getUpdates (update_id assigned here); wakes a waiting long poll. */
  enqueue(update: Record<string, unknown>): Update {
    const stored = { ...update, update_id: this.nextUpdateId++ } as Update;
    const query = stored.callback_query as { id?: unknown } | undefined;
    if (query && typeof query.id === 'string') this.callbacks.add(query.id);
    this.queue.push(stored);
    this.wake();
    return stored;
  }

  /** Updates not yet confirmed by an offset. */
  get pending(): Update[] {
    return [...this.queue];
  }

  /**
   * A fixture with fresh ids: a new message_id and today's date, the chat/user moved to `chatId`,
   * callback ids made unique. `mutate` adjusts the copy before it is returned.
   */
  fromSample(file: string, chatId?: number, mutate?: (update: Loose) => void): Loose {
    const update = readTelegramSample(file) as Loose;
    const message = update.message ?? update.edited_message ?? update.business_message;
    if (message) {
      message.message_id = this.nextMessageId++;
      message.date = Math.floor(Date.now() / 1000);
      if (chatId !== undefined) {
        message.chat.id = chatId;
        if (message.from) message.from.id = chatId;
      }
    }
    if (update.callback_query) {
      update.callback_query.id = `${update.callback_query.id}-${randomBytes(4).toString('hex')}`;
      if (chatId !== undefined) update.callback_query.from.id = chatId;
    }
    mutate?.(update);
    return update;
  }

  /**
   * A channel post's thread in its discussion group, as Telegram numbers it: the post's copy first
   * (`is_automatic_forward`), a neighbour's comment answering it, and a reply to that comment, each carrying the
   * copy's id as `message_thread_id`.
   */
  postThread(): { copy: Loose; comment: Loose; reply: Loose; thread: number } {
    const copy = this.fromSample('channel-post-copy.json');
    const thread = copy.message.message_id as number;
    const inThread = (file: string, replyTo: number) =>
      this.fromSample(file, undefined, (u) => {
        u.message.message_thread_id = thread;
        u.message.reply_to_message.message_id = replyTo;
        if (u.message.reply_to_message.is_automatic_forward) u.message.reply_to_message = copy.message;
      });
    const comment = inThread('channel-comment.json', thread);
    const reply = inThread('channel-comment-reply.json', comment.message.message_id as number);
    return { copy, comment, reply, thread };
  }

  textUpdate(chatId: number, text: string): Record<string, unknown> {
    return this.fromSample('text-message.json', chatId, (u) => {
      u.message.text = text;
    });
  }

  /** A photo message whose sizes are files registered here (so getFile and the download work). */
  photoUpdate(chatId: number, content: Buffer, caption?: string): Record<string, unknown> {
    const small = this.registerFile(
      content.subarray(0, Math.max(1, Math.floor(content.length / 4))),
      'photos',
    );
    const large = this.registerFile(content, 'photos');
    return this.fromSample('text-message.json', chatId, (u) => {
      delete u.message.text;
      if (caption) u.message.caption = caption;
      u.message.photo = [
        { ...this.photoSize(small), width: 90, height: 67 },
        { ...this.photoSize(large), width: 1280, height: 960 },
      ];
    });
  }

  locationUpdate(chatId: number, latitude: number, longitude: number): Record<string, unknown> {
    return this.fromSample('text-message.json', chatId, (u) => {
      delete u.message.text;
      u.message.location = { latitude, longitude };
    });
  }

  /**
   * The reply-keyboard button `request_contact` pressed: Telegram sends the user's own contact (user_id is the
   * sender's); `userId` makes it someone else's card forwarded instead.
   */
  contactUpdate(chatId: number, phone: string, userId = chatId): Record<string, unknown> {
    return this.fromSample('text-message.json', chatId, (u) => {
      delete u.message.text;
      u.message.contact = { phone_number: phone, first_name: u.message.from.first_name, user_id: userId };
    });
  }

  /** An inline-button press on a message the bot sent in `chatId`. */
  callbackUpdate(chatId: number, data: string, messageId = 1): Record<string, unknown> {
    return this.fromSample('callback-query.json', chatId, (u) => {
      delete u.callback_query.inline_message_id;
      u.callback_query.data = data;
      u.callback_query.chat_instance = '-5216398254410000000';
      u.callback_query.message = {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private' },
        from: BOT,
        text: 'Получен ли ответ на вопрос?',
      };
    });
  }

  /**
   * Sends an update to a webhook the way Telegram does: POST JSON with the secret-token header
   * (`secret` overrides the registered one; null sends none). `rawBody` sends bytes as they are.
   */
  async pushToWebhook(
    update: Record<string, unknown> | null,
    options: { url?: string; secret?: string | null; rawBody?: string | Buffer } = {},
  ): Promise<{ status: number; body: string }> {
    const url = options.url ?? this.webhook?.url;
    if (!url) throw new Error('no webhook url: call setWebhook first or pass url');
    const stored = update ? ({ ...update, update_id: this.nextUpdateId++ } as Update) : null;
    const query = stored?.callback_query as { id?: unknown } | undefined;
    if (query && typeof query.id === 'string') this.callbacks.add(query.id);
    const secret = options.secret === undefined ? this.webhook?.secretToken : options.secret;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null && secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: options.rawBody ?? JSON.stringify(stored),
    });
    return { status: response.status, body: await response.text() };
  }

  // ---- files -----------------------------------------------------------------------------------

  registerFile(
    content: Buffer,
    folder = 'documents',
    options: { reportSize?: boolean; extension?: string } = {},
  ) {
    const no = this.nextFileNo++;
    const fileUniqueId = `AQAD${createHash('sha1').update(`${no}`).digest('base64url').slice(0, 12)}`;
    const fileId = `AgACAgIAAxkBAAI${randomBytes(24).toString('base64url')}`;
    const extension = options.extension ?? (folder === 'photos' ? 'jpg' : 'pdf');
    const file: StoredFile = {
      fileId,
      fileUniqueId,
      filePath: `${folder}/file_${no}.${extension}`,
      content,
      reportSize: options.reportSize ?? true,
    };
    this.files.set(fileId, file);
    return {
      file_id: fileId,
      file_unique_id: fileUniqueId,
      file_size: content.length,
      file_path: file.filePath,
    };
  }

  private photoSize(file: { file_id: string; file_unique_id: string; file_size: number }) {
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size };
  }

  // ---- recordings ------------------------------------------------------------------------------

  sentTo(chatId: number | string): SentRecord[] {
    return this.sent.filter((record) => record.chatId === String(chatId));
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiRoot);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.serveFile(req, res, file[1], decodeURIComponent(file[2]));
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!api) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, methodName] = api;
    const raw = await readRaw(req);
    if (token !== this.token) {
      return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    if (raw.length > this.uploadLimitBytes) {
      this.calls.push({
        method: methodName,
        params: {},
        contentType: req.headers['content-type'] ?? '',
        status: 413,
      });
      return this.reply(res, 413, { ok: false, error_code: 413, description: 'Request Entity Too Large' });
    }
    let fields: Record<string, unknown>;
    let uploads: UploadedPart[];
    try {
      ({ fields, files: uploads } = parseBody(req.headers['content-type'], raw, url.searchParams));
    } catch (error) {
      return this.reply(res, 400, {
        ok: false,
        error_code: 400,
        description: `Bad Request: ${(error as Error).message}`,
      });
    }
    const params = normaliseParams(fields);
    const record: ApiCall = {
      method: methodName,
      params,
      contentType: req.headers['content-type'] ?? '',
      status: 0,
    };
    this.calls.push(record);

    const failure = await this.applyScenario(methodName);
    if (failure) {
      record.status = failure.status;
      if (failure.html) return this.replyText(res, failure.status, failure.html);
      return this.reply(res, failure.status, failure.body);
    }

    // Telegram's method names are case-insensitive.
    const method = METHODS.find((m) => m.toLowerCase() === methodName.toLowerCase());
    const answer = method ? await this.dispatch(method, params, uploads, res) : notFound();
    if (answer === 'held') return;
    record.status = answer.status;
    if (method) await this.beforeAnswering?.(method, params);
    const garbled = method ? this.garbledAnswer?.(method) : undefined;
    if (garbled !== undefined) return this.replyText(res, 200, garbled);
    this.reply(res, answer.status, answer.body);
  }

  private async applyScenario(
    method: string,
  ): Promise<{ status: number; body?: Record<string, unknown>; html?: string } | null> {
    const { methods } = this.scenarioOptions;
    if (this.scenario === 'normal' || this.remaining <= 0) return null;
    if (methods && !methods.includes(method)) return null;
    if (this.skipping > 0) {
      this.skipping -= 1;
      return null;
    }
    if (this.scenario === 'slow') {
      this.remaining -= 1;
      await new Promise((done) => setTimeout(done, this.scenarioOptions.delayMs ?? 2000));
      return null;
    }
    if (this.scenario === 'malformed') return null; // handled inside getUpdates
    this.remaining -= 1;
    if (this.scenario === 'rate-limited') {
      const retryAfter = this.scenarioOptions.retryAfter ?? 3;
      return {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        },
      };
    }
    const status = this.scenarioOptions.status ?? 502;
    return {
      status,
      html: `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`,
    };
  }

  private async dispatch(
    method: (typeof METHODS)[number],
    params: Record<string, unknown>,
    uploads: UploadedPart[],
    res: ServerResponse,
  ): Promise<{ status: number; body: Record<string, unknown> } | 'held'> {
    switch (method) {
      case 'getMe':
        return ok(BOT);
      case 'getUpdates':
        return this.getUpdates(params, res);
      case 'setWebhook': {
        const url = typeof params.url === 'string' ? params.url : '';
        const secret = params.secret_token;
        if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
          return badRequest('Bad Request: secret token contains unallowed characters');
        }
        if (!url) {
          this.webhook = null;
          return ok(true, 'Webhook was deleted');
        }
        if (!/^https?:\/\//.test(url))
          return badRequest('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        this.webhook = {
          url,
          secretToken: secret as string | undefined,
          allowedUpdates: Array.isArray(params.allowed_updates)
            ? (params.allowed_updates as string[])
            : undefined,
        };
        return ok(true, 'Webhook was set');
      }
      case 'deleteWebhook':
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') this.queue = [];
        this.webhook = null;
        return ok(true, 'Webhook was deleted');
      case 'getWebhookInfo':
        return ok({
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.queue.length,
          ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
        });
      case 'sendMessage':
        return this.sendMessage(params);
      case 'sendPhoto':
      case 'sendDocument':
        return this.sendFile(method, params, uploads);
      case 'getFile': {
        const file = typeof params.file_id === 'string' ? this.files.get(params.file_id) : undefined;
        if (!file) return badRequest('Bad Request: invalid file_id');
        if (file.content.length > 20 * 1024 * 1024) return badRequest('Bad Request: file is too big');
        return ok({
          file_id: file.fileId,
          file_unique_id: file.fileUniqueId,
          ...(file.reportSize ? { file_size: file.content.length } : {}),
          file_path: file.filePath,
        });
      }
      case 'answerCallbackQuery': {
        const id = String(params.callback_query_id ?? '');
        if (!this.callbacks.has(id)) {
          return badRequest(
            'Bad Request: query is too old and response timeout expired or query ID is invalid',
          );
        }
        const text = typeof params.text === 'string' ? params.text : undefined;
        if (text && text.length > 200) return badRequest('Bad Request: MESSAGE_TOO_LONG');
        this.callbackAnswers.push({
          callbackQueryId: id,
          text,
          showAlert: params.show_alert === true || params.show_alert === 'true',
        });
        return ok(true);
      }
    }
  }

  private getUpdates(
    params: Record<string, unknown>,
    res: ServerResponse,
  ): { status: number; body: Record<string, unknown> } | 'held' {
    if (this.webhook) {
      return {
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        },
      };
    }
    const offset = params.offset === undefined ? undefined : Number(params.offset);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100) || 100));
    const timeout = Math.max(0, Number(params.timeout ?? 0) || 0);
    const allowed = Array.isArray(params.allowed_updates) ? (params.allowed_updates as string[]) : undefined;
    // An offset confirms every update below it: they are gone for good.
    if (offset !== undefined && Number.isFinite(offset)) {
      if (offset < 0) this.queue = this.queue.slice(offset);
      else this.queue = this.queue.filter((u) => u.update_id >= offset);
    }
    if (allowed && allowed.length > 0) {
      this.queue = this.queue.filter((u) =>
        Object.keys(u).some((k) => k !== 'update_id' && allowed.includes(k)),
      );
    }
    // A second poll ends the first one, as Telegram does.
    if (this.waiter) {
      const previous = this.waiter;
      this.waiter = null;
      clearTimeout(previous.timer);
      this.reply(previous.res, 409, {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    const take = (): Update[] => {
      if (this.scenario === 'malformed' && this.remaining > 0) {
        this.remaining -= 1;
        // A broken update with a real id (the next one in order): it stays queued until an offset confirms it.
        this.queue.push({
          update_id: this.nextUpdateId++,
          message: { message_id: 'NaN', date: null, chat: null, text: { nested: true } },
        } as unknown as Update);
      }
      return this.queue.slice(0, limit);
    };
    if (this.queue.length > 0 || timeout === 0 || (this.scenario === 'malformed' && this.remaining > 0)) {
      return ok(take());
    }
    const respond = (updates: Update[]) => {
      if (this.waiter?.res === res) this.waiter = null;
      this.reply(res, 200, { ok: true, result: updates });
    };
    const timer = setTimeout(() => respond([]), timeout * 1000);
    this.waiter = { res, respond: () => respond(take()), timer };
    res.on('close', () => {
      if (this.waiter?.res === res) {
        clearTimeout(timer);
        this.waiter = null;
      }
    });
    return 'held';
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.respond([]);
  }

  private releaseWaiter(updates: Update[]): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    this.reply(waiter.res, 200, { ok: true, result: updates });
  }

  private checkChat(
    params: Record<string, unknown>,
  ): { status: number; body: Record<string, unknown> } | string {
    const chatId = params.chat_id;
    if (chatId === undefined || chatId === null || chatId === '')
      return badRequest('Bad Request: chat_id is empty');
    const id = String(chatId);
    if (!/^-?\d+$|^@\w+$/.test(id)) return badRequest('Bad Request: chat not found');
    if (this.blocked.has(id)) {
      return {
        status: 403,
        body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      };
    }
    return id;
  }

  private checkMarkup(
    params: Record<string, unknown>,
  ): { status: number; body: Record<string, unknown> } | null {
    // On behalf of a business account: only a connection the bot has. (The descriptions are the fake's own.)
    const business = params.business_connection_id;
    if (business !== undefined && !this.businessConnections.has(String(business)))
      return badRequest('Bad Request: BUSINESS_CONNECTION_INVALID');
    const markup = params.reply_markup as SentRecord['replyMarkup'] | undefined;
    if (markup === undefined) return null;
    if (!markup || typeof markup !== 'object')
      return badRequest("Bad Request: can't parse reply keyboard markup JSON object");
    // A custom reply keyboard is not supported for messages sent on behalf of a business account.
    if (business !== undefined && markup.keyboard !== undefined)
      return badRequest('Bad Request: reply keyboard is not supported for business messages');
    for (const row of markup.inline_keyboard ?? []) {
      if (!Array.isArray(row))
        return badRequest(
          'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
        );
      for (const button of row) {
        if (typeof button.text !== 'string' || !button.text)
          return badRequest('Bad Request: text buttons are unallowed in the inline keyboard');
        const data = button.callback_data;
        if (
          data !== undefined &&
          (Buffer.byteLength(String(data)) < 1 || Buffer.byteLength(String(data)) > 64)
        ) {
          return badRequest('Bad Request: BUTTON_DATA_INVALID');
        }
      }
    }
    return null;
  }

  private sendMessage(params: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    const chat = this.checkChat(params);
    if (typeof chat !== 'string') return chat;
    const text = typeof params.text === 'string' ? params.text : '';
    if (!text.trim()) return badRequest('Bad Request: message text is empty');
    if (text.length > 4096) return badRequest('Bad Request: message is too long');
    const markupError = this.checkMarkup(params);
    if (markupError) return markupError;
    const record = this.record('sendMessage', chat, params, { text });
    return ok(this.messageOf(record));
  }

  private sendFile(
    method: 'sendPhoto' | 'sendDocument',
    params: Record<string, unknown>,
    uploads: UploadedPart[],
  ): { status: number; body: Record<string, unknown> } {
    const chat = this.checkChat(params);
    if (typeof chat !== 'string') return chat;
    const markupError = this.checkMarkup(params);
    if (markupError) return markupError;
    const field = method === 'sendPhoto' ? 'photo' : 'document';
    let upload = uploads.find((u) => u.fieldName === field);
    const reference = params[field];
    // `attach://<name>` points at another part of the same body.
    if (!upload && typeof reference === 'string' && reference.startsWith('attach://')) {
      upload = uploads.find((u) => u.fieldName === reference.slice('attach://'.length));
    }
    let stored: SentRecord['file'];
    if (upload) {
      if (upload.content.length === 0) return badRequest('Bad Request: file must be non-empty');
      if (method === 'sendPhoto' && !photoDimensionsFit(upload.content))
        return badRequest('Bad Request: PHOTO_INVALID_DIMENSIONS');
      const registered = this.registerFile(upload.content, method === 'sendPhoto' ? 'photos' : 'documents');
      stored = {
        fileName: upload.fileName,
        contentType: upload.contentType,
        content: upload.content,
        fileId: registered.file_id,
      };
    } else if (typeof reference === 'string' && this.files.has(reference)) {
      const known = this.files.get(reference)!;
      stored = {
        fileName: known.filePath,
        contentType: 'application/octet-stream',
        content: known.content,
        fileId: known.fileId,
      };
    } else {
      return badRequest(`Bad Request: there is no ${field} in the request`);
    }
    const caption = typeof params.caption === 'string' ? params.caption : undefined;
    if (caption && caption.length > 1024) return badRequest('Bad Request: message caption is too long');
    const record = this.record(method, chat, params, { caption, file: stored });
    return ok(this.messageOf(record));
  }

  private record(
    method: SentRecord['method'],
    chatId: string,
    params: Record<string, unknown>,
    extra: Pick<SentRecord, 'text' | 'caption' | 'file'>,
  ): SentRecord {
    const replyParameters = params.reply_parameters as { message_id?: unknown } | undefined;
    const replyTo = replyParameters?.message_id ?? params.reply_to_message_id;
    const record: SentRecord = {
      method,
      messageId: this.nextMessageId++,
      chatId,
      ...extra,
      replyToMessageId: replyTo === undefined ? undefined : Number(replyTo),
      replyMarkup: params.reply_markup as SentRecord['replyMarkup'],
      params,
    };
    this.sent.push(record);
    return record;
  }

  private messageOf(record: SentRecord): Record<string, unknown> {
    const message: Record<string, unknown> = {
      message_id: record.messageId,
      from: BOT,
      chat: { id: Number(record.chatId), type: 'private' },
      date: Math.floor(Date.now() / 1000),
    };
    if (typeof record.params.business_connection_id === 'string')
      message.business_connection_id = record.params.business_connection_id;
    if (record.text !== undefined) message.text = record.text;
    if (record.caption !== undefined) message.caption = record.caption;
    if (record.replyMarkup) message.reply_markup = record.replyMarkup;
    if (record.file && record.method === 'sendPhoto') {
      const file = this.files.get(record.file.fileId)!;
      message.photo = [
        {
          file_id: file.fileId,
          file_unique_id: file.fileUniqueId,
          file_size: file.content.length,
          width: 800,
          height: 600,
        },
      ];
    } else if (record.file) {
      const file = this.files.get(record.file.fileId)!;
      message.document = {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_name: record.file.fileName,
        mime_type: record.file.contentType,
        file_size: file.content.length,
      };
    }
    return message;
  }

  private async serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    path: string,
  ): Promise<void> {
    await readRaw(req);
    if (token !== this.token)
      return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const failure = await this.applyScenario('file');
    if (failure) {
      if (failure.html) return this.replyText(res, failure.status, failure.html);
      return this.reply(res, failure.status, failure.body);
    }
    const file = [...this.files.values()].find((f) => f.filePath === path);
    if (!file) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.content.length });
    res.end(file.content);
  }

  private reply(res: ServerResponse, status: number, body: Record<string, unknown> | undefined): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body ?? {});
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private replyText(res: ServerResponse, status: number, text: string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

const METHODS = [
  'getMe',
  'getUpdates',
  'setWebhook',
  'deleteWebhook',
  'getWebhookInfo',
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'getFile',
  'answerCallbackQuery',
] as const;

// Form and multipart bodies carry objects as JSON text; Telegram decodes these fields.
const JSON_FIELDS = new Set([
  'reply_markup',
  'reply_parameters',
  'allowed_updates',
  'link_preview_options',
  'entities',
]);

function normaliseParams(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'method') continue; // telegraf repeats the method name inside multipart bodies
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      try {
        out[key] = JSON.parse(value);
      } catch {
        out[key] = value;
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Telegram takes a photo whose width and height add up to 10 000 at most, neither side more than 20 times the
 * other. Read here from a PNG's header; anything else passes.
 */
function photoDimensionsFit(content: Buffer): boolean {
  const png = content.length >= 24 && content.subarray(0, 8).equals(PNG_SIGNATURE);
  if (!png) return true;
  const width = content.readUInt32BE(16);
  const height = content.readUInt32BE(20);
  return width + height <= 10_000 && Math.max(width, height) <= 20 * Math.max(1, Math.min(width, height));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ok(result: unknown, description?: string): { status: number; body: Record<string, unknown> } {
  return { status: 200, body: { ok: true, result, ...(description ? { description } : {}) } };
}

function badRequest(description: string): { status: number; body: Record<string, unknown> } {
  return { status: 400, body: { ok: false, error_code: 400, description } };
}

function notFound(): { status: number; body: Record<string, unknown> } {
  return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
}
