import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { spliceNested } from '../nested-json';

/**
 * A local ПОС («Госуслуги. Решаем вместе») speaking the wire format of integrations/pos/src/pos-wire.ts:
 * the known parts (OAuth token, /inbox-service reference data, appeal by id, multipart upload, `messages[]`
 * error bodies) and the designed ones (feed with updatedAfter/afterId, events, file download, Idempotency-Key).
 */

export type PosFakeScenario =
  | 'normal'
  /** Every answer waits `slowMs`. */
  | 'slow'
  /** 429 with Retry-After (seconds) on every endpoint. */
  | 'rate-limited'
  /** 503 on every endpoint. */
  | 'server-error'
  /** The feed page has one message with nothing of the citizen's: no text, files, place or category. */
  | 'malformed'
  /** The feed answer is cut after half its bytes. */
  | 'cut-mid-page'
  /** Tokens are issued but every API call answers 401. */
  | 'reject-tokens'
  /** An upload is stored, then answered 200 with a gateway's HTML page instead of its JSON. */
  | 'garbled-upload'
  /** The feed page's JSON begins with a UTF-8 byte order mark, as some Windows servers write it. */
  | 'bom';

export interface PosWireApplicant {
  epguId?: number;
  surname?: string;
  name?: string;
  patronymic?: string;
  email?: string;
  phone?: string;
  postAddress?: string;
  snils?: string;
}

export interface PosWireMessage {
  posId: number;
  description?: string;
  attachmentIds: string[];
  location?: string;
  subjectId?: number;
  subjectName?: string;
  subsubjectId?: number;
  subsubjectName?: string;
  customFieldValues: { id: number; name: string; value: string }[];
  opaId: number;
  organizationInfo: { name: string; address: string; inn: string; kpp: string; ogrn: string; oktmo: string };
  createdAt?: string;
  /** Absent on messages of a ПОС that does not stamp updates: their place in the feed is their last history entry. */
  updatedAt?: string;
  status: string;
  statusText: string;
  answerAt: string;
  regime: 'MESSAGE' | 'APPEAL';
  fastTrack: boolean;
  history: {
    status: string;
    statusText: string;
    /** null on a message ПОС keeps no dates for (`withoutDates`). */
    createdAt: string | null;
    createdBy: { surname: string; name: string; patronymic: string } | null;
    answer: { answerType: string; comment: string | null; rejectReason: string | null } | null;
  }[];
  applicant: PosWireApplicant;
  rating?: { value: number; ratedAt: string; answered?: boolean; comment?: string } | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface RecordedEvent {
  posId: number;
  idempotencyKey?: string;
  eventId: string;
  body: Record<string, unknown>;
}

export interface RecordedUpload {
  id: string;
  idempotencyKey?: string;
  fileName: string;
  contentType: string;
  content: Buffer;
}

interface Rubric {
  id: number;
  name: string;
  deleted: boolean;
}

const ORGS: Record<number, PosWireMessage['organizationInfo']> = {
  220511: {
    name: 'Министерство жилищно-коммунального хозяйства и энергетики Новосибирской области',
    address: '630011, г. Новосибирск, Красный проспект, 18',
    inn: '5406328939',
    kpp: '540601001',
    ogrn: '1055406226237',
    oktmo: '50701000',
  },
  220512: {
    name: 'Министерство транспорта и дорожного хозяйства Новосибирской области',
    address: '630007, г. Новосибирск, Красный проспект, 18',
    inn: '5406394200',
    kpp: '540601001',
    ogrn: '1075406016684',
    oktmo: '50701000',
  },
  999001: {
    name: 'Администрация другого муниципального района',
    address: '633010, г. Бердск, ул. М. Горького, 13',
    inn: '5445110105',
    kpp: '544501001',
    ogrn: '1025404670420',
    oktmo: '50708000',
  },
};

const STATUS_TEXT: Record<string, string> = {
  MODERATION_ACCEPT: 'Сообщение прошло модерацию',
  MODERATION_DECLINE: 'Сообщение отклонено модератором',
  TAKE_TO_WORK: 'Взято в работу',
  POSTPONE: 'Срок рассмотрения продлён',
  FORWARD_TO_PARENT: 'Передано в вышестоящую организацию',
  FORWARD_TO_SUBORDINATE: 'Передано в подведомственную организацию',
  REGISTER: 'Зарегистрировано',
  SEND_RESPONSE: 'Дан ответ',
};

export class PosFake {
  readonly credentials = {
    username: 'pos-integration',
    password: 'Pa$$w0rd-ПОС',
    clientId: 'external-system',
    clientSecret: 'client-secret',
  };
  readonly regionId = 54;
  tokenTtlSec = 3600;
  slowMs = 2000;
  retryAfterSec = 7;
  /** With 'server-error': a Retry-After (seconds) on the 503, as a service down for maintenance says. */
  unavailableRetryAfterSec?: number;

  readonly requests: RecordedRequest[] = [];
  readonly events: RecordedEvent[] = [];
  readonly uploads: RecordedUpload[] = [];

  regions: (Rubric & { okato: number; coordinates: string })[] = [
    { id: 54, name: 'Новосибирская область', okato: 50000000, coordinates: '55.03,82.92', deleted: false },
    { id: 38, name: 'Иркутская область', okato: 25000000, coordinates: '52.28,104.28', deleted: false },
  ];
  subjects: Rubric[] = [
    { id: 101, name: 'Дороги', deleted: false },
    { id: 102, name: 'ЖКХ', deleted: false },
    { id: 103, name: 'Благоустройство', deleted: true },
  ];
  subsubjects: (Rubric & { subjectId: number })[] = [
    { id: 1011, subjectId: 101, name: 'Ямы и выбоины на дорогах', deleted: false },
    { id: 1012, subjectId: 101, name: 'Уличное освещение', deleted: false },
    { id: 1021, subjectId: 102, name: 'Отопление', deleted: false },
    { id: 1022, subjectId: 102, name: 'Вывоз мусора', deleted: false },
    { id: 1031, subjectId: 103, name: 'Детские площадки', deleted: false },
  ];

  private server?: Server;
  private scenario: PosFakeScenario = 'normal';
  private scenarioTimes = Infinity;
  private readonly tokens = new Map<string, number>();
  private readonly messages = new Map<number, PosWireMessage>();
  private readonly files = new Map<string, { fileName: string; contentType: string; content: Buffer }>();
  /** Files whose download ПОС refuses, with the status and the `messages` it answers. */
  private readonly refusedFiles = new Map<string, { status: number; messages: string[] }>();
  private readonly eventsByKey = new Map<string, { eventId: string; createdAt: string; posId: number }>();
  private readonly uploadsByKey = new Map<string, string>();
  private nextPosId = 563006500;
  private clock = Date.parse('2025-03-03T02:00:00.000Z');
  private tokenRequestCount = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { messages: ['Внутренняя ошибка'] });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Switch behaviour; with `times` the scenario applies to that many affected requests, then reverts. */
  setScenario(scenario: PosFakeScenario, options: { times?: number } = {}): void {
    this.scenario = scenario;
    this.scenarioTimes = options.times ?? Infinity;
  }

  get tokensIssued(): number {
    return this.tokenRequestCount;
  }

  /** Every token issued so far stops working at once (the connector's cache does not know). */
  expireAllTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** Advance the fake clock that stamps createdAt/updatedAt. */
  tick(ms: number): void {
    this.clock += ms;
  }

  /**
   * A message addressed to `opaId` (ours by default); `updatedAt` may be pinned to make ties, or left out as a ПОС
   * without it sends its messages (`withoutUpdatedAt`); `withoutDates`: no updatedAt, no createdAt, its history
   * entries' createdAt null (a message migrated into ПОС without them).
   */
  addMessage(
    input: Partial<PosWireMessage> = {},
    options: { withoutUpdatedAt?: boolean; withoutDates?: boolean } = {},
  ): PosWireMessage {
    const posId = input.posId ?? this.nextPosId++;
    const at = this.stamp(input.updatedAt);
    const opaId = input.opaId ?? 220511;
    const message: PosWireMessage = {
      posId,
      description:
        'Во дворе дома № 12 по ул. Кирова третью неделю не вывозят мусор, контейнерная площадка переполнена.',
      attachmentIds: [],
      location: 'г. Новосибирск, ул. Кирова, д. 12',
      subjectId: 102,
      subjectName: 'ЖКХ',
      subsubjectId: 1022,
      subsubjectName: 'Вывоз мусора',
      customFieldValues: [{ id: 7, name: 'Тип объекта', value: 'Многоквартирный дом' }],
      opaId,
      organizationInfo: ORGS[opaId] ?? ORGS[220511],
      createdAt: at,
      updatedAt: at,
      status: 'MODERATION_ACCEPT',
      statusText: STATUS_TEXT.MODERATION_ACCEPT,
      answerAt: new Date(Date.parse(at) + 30 * 86_400_000).toISOString(),
      regime: 'MESSAGE',
      fastTrack: false,
      history: [
        {
          status: 'MODERATION_ACCEPT',
          statusText: STATUS_TEXT.MODERATION_ACCEPT,
          createdAt: at,
          createdBy: null,
          answer: null,
        },
      ],
      applicant: {
        epguId: 1000299353,
        surname: 'Смирнова',
        name: 'Ольга',
        patronymic: 'Викторовна',
        email: 'o.smirnova@example.ru',
        phone: '+79131234567',
        postAddress: '630099, г. Новосибирск, ул. Кирова, д. 12, кв. 45',
        snils: '112-233-445 95',
      },
      ...input,
    };
    message.posId = posId;
    message.updatedAt = at;
    if (options.withoutUpdatedAt || options.withoutDates) delete message.updatedAt;
    if (options.withoutDates) {
      delete message.createdAt;
      for (const entry of message.history) entry.createdAt = null;
    }
    this.messages.set(posId, message);
    return clone(message);
  }

  /** Change a message as ПОС would: its updatedAt moves, so it comes through the feed again. */
  updateMessage(
    posId: number,
    patch: Partial<PosWireMessage>,
    options: { updatedAt?: string } = {},
  ): PosWireMessage {
    const message = this.messages.get(posId);
    if (!message) throw new Error(`no message ${posId}`);
    Object.assign(message, patch, { updatedAt: this.stamp(options.updatedAt) });
    return clone(message);
  }

  /** ПОС's moderation declines a message: its status and a history entry with the moderator's reason. */
  declineMessage(posId: number, rejectReason: string, options: { at?: string } = {}): PosWireMessage {
    const message = this.messages.get(posId);
    if (!message) throw new Error(`no message ${posId}`);
    const at = this.stamp(options.at);
    return this.updateMessage(
      posId,
      {
        status: 'MODERATION_DECLINE',
        statusText: STATUS_TEXT.MODERATION_DECLINE,
        history: [
          ...message.history,
          {
            status: 'MODERATION_DECLINE',
            statusText: STATUS_TEXT.MODERATION_DECLINE,
            createdAt: at,
            createdBy: null,
            answer: { answerType: 'REJECT', comment: null, rejectReason },
          },
        ],
      },
      { updatedAt: at },
    );
  }

  /** The applicant rates the answer (1–5 stars). */
  rateMessage(
    posId: number,
    rating: { value: number; answered?: boolean; comment?: string; ratedAt?: string },
  ): string {
    const ratedAt = rating.ratedAt ?? new Date(this.clock + 1000).toISOString();
    this.updateMessage(posId, { rating: { ...rating, ratedAt } });
    return ratedAt;
  }

  message(posId: number): PosWireMessage | undefined {
    const m = this.messages.get(posId);
    return m ? clone(m) : undefined;
  }

  addFile(fileName: string, contentType: string, content: Buffer): string {
    const id = randomUUID();
    this.files.set(id, { fileName, contentType, content });
    return id;
  }

  /** A file listed on a message whose download ПОС answers with an error (410 Gone, 400 blocked by an antivirus). */
  addRefusedFile(status: number, messages: string[]): string {
    const id = randomUUID();
    this.refusedFiles.set(id, { status, messages });
    return id;
  }

  /** Requests to a path (prefix match), in order. */
  requestsTo(pathPrefix: string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix) && (!method || r.method === method));
  }

  // ---------------------------------------------------------------------------------------------------

  private stamp(pinned?: string): string {
    if (pinned) return pinned;
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Whether the current scenario hits this request; counts it down when it does. */
  private takes(scenario: PosFakeScenario, applies: boolean): boolean {
    if (this.scenario !== scenario || !applies) return false;
    this.scenarioTimes -= 1;
    if (this.scenarioTimes <= 0) {
      this.scenario = 'normal';
      this.scenarioTimes = Infinity;
    }
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    this.requests.push({ method, path, query, headers: req.headers, body });

    if (this.takes('slow', true)) await this.sleep(this.slowMs);
    if (this.takes('rate-limited', true)) {
      res.setHeader('Retry-After', String(this.retryAfterSec));
      return json(res, 429, { messages: ['Превышено допустимое количество запросов'] });
    }
    if (this.takes('server-error', true)) {
      if (this.unavailableRetryAfterSec !== undefined)
        res.setHeader('Retry-After', String(this.unavailableRetryAfterSec));
      return json(res, 503, { messages: ['Сервис временно недоступен'] });
    }

    if (method === 'POST' && path === '/user-service/oauth/token') return this.token(req, body, res);

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const expiresAt = auth ? this.tokens.get(auth[1]) : undefined;
    if (!auth || expiresAt === undefined || expiresAt <= Date.now() || this.takes('reject-tokens', true)) {
      return json(res, 401, { error: 'invalid_token', error_description: 'Access token expired or invalid' });
    }

    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/inbox-service/regions/all') return json(res, 200, this.regions);
    if (method === 'GET' && (m = /^\/inbox-service\/subjects\/region\/(\d+)\/all$/.exec(path))) {
      return json(res, 200, Number(m[1]) === this.regionId ? this.subjects : []);
    }
    if (
      method === 'GET' &&
      (m = /^\/inbox-service\/subsubjects\/subject\/(\d+)\/region\/(\d+)$/.exec(path))
    ) {
      const subject = this.subjects.find((s) => s.id === Number(m![1]));
      if (!subject || Number(m[2]) !== this.regionId)
        return json(res, 404, { messages: ['Категория не найдена'] });
      return json(
        res,
        200,
        this.subsubjects
          .filter((s) => s.subjectId === subject.id)
          .map((s) => ({
            id: s.id,
            name: s.name,
            deleted: s.deleted,
            subject: { id: subject.id, name: subject.name },
          })),
      );
    }
    if (method === 'GET' && path === '/appeal-service/external-appeal-system/appeals')
      return this.feed(query, res);
    if (method === 'GET' && (m = /^\/appeal-service\/external-appeal-system\/appeals\/(\d+)$/.exec(path))) {
      const message = this.messages.get(Number(m[1]));
      return message ? json(res, 200, message) : json(res, 404, { messages: ['Обращение не найдено'] });
    }
    if (
      method === 'POST' &&
      (m = /^\/appeal-service\/external-appeal-system\/appeals\/(\d+)\/events$/.exec(path))
    ) {
      return this.event(Number(m[1]), req, body, res);
    }
    if (method === 'POST' && path === '/file-storage-service/filestorage') return this.upload(req, body, res);
    if (method === 'GET' && (m = /^\/file-storage-service\/filestorage\/([\w-]+)$/.exec(path))) {
      const refused = this.refusedFiles.get(m[1]);
      if (refused) return json(res, refused.status, { messages: refused.messages });
      const file = this.files.get(m[1]);
      if (!file) return json(res, 404, { messages: ['Файл не найден'] });
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.content.length,
        'content-disposition': `attachment; filename="${asciiFallback(file.fileName)}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      });
      res.end(file.content);
      return;
    }
    json(res, 404, { messages: ['Not Found'] });
  }

  private token(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    this.tokenRequestCount += 1;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const client = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    if (client !== `${this.credentials.clientId}:${this.credentials.clientSecret}`) {
      return json(res, 401, { error: 'unauthorized', error_description: 'Full authentication is required' });
    }
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return json(res, 400, { error: 'invalid_request', error_description: 'form expected' });
    }
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'password' || !form.get('scope')) {
      return json(res, 400, {
        error: 'invalid_request',
        error_description: 'grant_type=password and scope required',
      });
    }
    if (
      form.get('username') !== this.credentials.username ||
      form.get('password') !== this.credentials.password
    ) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Bad credentials' });
    }
    const token = randomUUID();
    this.tokens.set(token, Date.now() + this.tokenTtlSec * 1000);
    json(res, 200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.tokenTtlSec,
      scope: form.get('scope'),
      surname: 'Интеграция',
      name: 'Внешняя',
      patronymic: 'Система',
      system: true,
      userId: 4242,
      email: 'integration@example.ru',
      jti: randomUUID(),
    });
  }

  private feed(query: Record<string, string>, res: ServerResponse): void {
    const opaIds = (query.opaIds ?? '').split(',').filter(Boolean).map(Number);
    const size = Number(query.size ?? 20);
    if (opaIds.length === 0 || opaIds.some((id) => !Number.isInteger(id))) {
      return json(res, 400, { messages: ['Параметр opaIds обязателен'] });
    }
    if (!Number.isInteger(size) || size < 1 || size > 1000)
      return json(res, 400, { messages: ['Недопустимый size'] });
    let afterMs = -Infinity;
    let afterId = -1;
    if (query.updatedAfter !== undefined || query.afterId !== undefined) {
      afterMs = Date.parse(query.updatedAfter ?? '');
      afterId = Number(query.afterId);
      if (Number.isNaN(afterMs) || !Number.isInteger(afterId)) {
        return json(res, 400, { messages: ['Недопустимые параметры updatedAfter/afterId'] });
      }
    }
    const matching = [...this.messages.values()]
      .filter((m) => opaIds.includes(m.opaId))
      .filter((m) => {
        const t = feedInstant(m);
        return t > afterMs || (t === afterMs && m.posId > afterId);
      })
      .sort((a, b) => feedInstant(a) - feedInstant(b) || a.posId - b.posId);
    const content: unknown[] = matching.slice(0, size).map(clone);
    if (content.length > 0 && this.takes('malformed', true)) {
      const emptied = content[Math.floor(content.length / 2)] as Partial<PosWireMessage>;
      for (const key of ['description', 'attachmentIds', 'location', 'subjectId', 'subsubjectId'] as const)
        delete emptied[key];
    }
    const page = { content, size, numberOfElements: content.length, last: matching.length <= size };
    if (this.takes('cut-mid-page', true)) {
      const bytes = Buffer.from(JSON.stringify(page), 'utf8');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
      return;
    }
    if (this.takes('bom', true)) {
      const bytes = Buffer.from(`\uFEFF${JSON.stringify(page)}`, 'utf8');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
      res.end(bytes);
      return;
    }
    json(res, 200, page);
  }

  private event(posId: number, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const message = this.messages.get(posId);
    if (!message) return json(res, 404, { messages: ['Обращение не найдено'] });
    const key = header(req, 'idempotency-key');
    const seen = key ? this.eventsByKey.get(key) : undefined;
    if (seen) {
      // A replay of an accepted write: the same answer, nothing recorded twice.
      return json(res, 200, { id: seen.eventId, posId: seen.posId, createdAt: seen.createdAt });
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return json(res, 400, { messages: ['Некорректный JSON'] });
    }
    const type = payload.eventType;
    if (typeof type !== 'string' || !(type in STATUS_TEXT) || type === 'MODERATION_ACCEPT') {
      return json(res, 400, { messages: ['Недопустимый eventType'] });
    }
    if (typeof payload.createdAt !== 'string' || Number.isNaN(Date.parse(payload.createdAt))) {
      return json(res, 400, { messages: ['createdAt обязателен'] });
    }
    if (
      type === 'POSTPONE' &&
      (typeof payload.answerAt !== 'string' || Number.isNaN(Date.parse(payload.answerAt)))
    ) {
      return json(res, 400, { messages: ['answerAt обязателен для POSTPONE'] });
    }
    if (type === 'FORWARD_TO_SUBORDINATE' && typeof payload.opaId !== 'number') {
      return json(res, 400, { messages: ['opaId обязателен для FORWARD_TO_SUBORDINATE'] });
    }
    const answer = payload.answer as
      | { answerType?: string; comment?: string; attachmentIds?: string[] }
      | undefined;
    if (type === 'SEND_RESPONSE') {
      if (!answer || typeof answer.comment !== 'string' || answer.comment.trim() === '') {
        return json(res, 400, { messages: ['Текст ответа обязателен'] });
      }
      if (!['SOLVED', 'REJECTED', 'FORWARDED', 'POSTPONED'].includes(String(answer.answerType))) {
        return json(res, 400, { messages: ['Недопустимый answerType'] });
      }
      for (const id of answer.attachmentIds ?? []) {
        if (!this.files.has(id)) return json(res, 400, { messages: [`Файл ${id} не найден`] });
      }
    }

    const eventId = randomUUID();
    const createdAt = this.stamp();
    if (key) this.eventsByKey.set(key, { eventId, createdAt, posId });
    this.events.push({ posId, idempotencyKey: key, eventId, body: payload });
    message.status = type;
    message.statusText = STATUS_TEXT[type];
    if (type === 'POSTPONE') message.answerAt = String(payload.answerAt);
    if (
      type === 'FORWARD_TO_SUBORDINATE' ||
      (type === 'FORWARD_TO_PARENT' && typeof payload.opaId === 'number')
    ) {
      message.opaId = payload.opaId as number;
    }
    message.history.push({
      status: type,
      statusText: STATUS_TEXT[type],
      createdAt,
      createdBy: { surname: 'Интеграция', name: 'Внешняя', patronymic: 'Система' },
      answer: answer
        ? { answerType: String(answer.answerType), comment: String(answer.comment), rejectReason: null }
        : null,
    });
    if (message.updatedAt !== undefined) message.updatedAt = createdAt;
    json(res, 201, { id: eventId, posId, eventType: type, createdAt });
  }

  private upload(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const key = header(req, 'idempotency-key');
    const known = key ? this.uploadsByKey.get(key) : undefined;
    if (known) {
      const file = this.files.get(known)!;
      return json(res, 200, {
        id: known,
        name: file.fileName,
        size: file.content.length,
        mimeType: file.contentType,
      });
    }
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(String(req.headers['content-type']));
    if (!boundary) return json(res, 400, { messages: ['multipart/form-data ожидается'] });
    const part = parseMultipart(body, boundary[1] ?? boundary[2]).find(
      (p) => p.name === 'file' && p.fileName,
    );
    if (!part) return json(res, 400, { messages: ['Поле file обязательно'] });
    const id = randomUUID();
    this.files.set(id, { fileName: part.fileName!, contentType: part.contentType, content: part.content });
    if (key) this.uploadsByKey.set(key, id);
    this.uploads.push({
      id,
      idempotencyKey: key,
      fileName: part.fileName!,
      contentType: part.contentType,
      content: part.content,
    });
    if (this.takes('garbled-upload', true)) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Сервис временно недоступен</h1></body></html>');
      return;
    }
    json(res, 200, { id, name: part.fileName, size: part.content.length, mimeType: part.contentType });
  }
}

// ---------------------------------------------------------------------------------------------------

function json(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(spliceNested(JSON.stringify(body)), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': bytes.length });
  res.end(bytes);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function asciiFallback(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, "'");
}

export interface MultipartPart {
  name?: string;
  fileName?: string;
  contentType: string;
  content: Buffer;
}

/** Enough of RFC 7578 for what fetch's FormData sends. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const chunk = body.subarray(start + delimiter.length + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = chunk.subarray(0, split).toString('utf8');
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const fileName = /filename="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1];
      parts.push({
        name: /\bname="([^"]*)"/i.exec(disposition)?.[1],
        fileName: fileName?.replace(/%22/g, '"'),
        contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1].trim() ?? 'application/octet-stream',
        content: Buffer.from(chunk.subarray(split + 4)),
      });
    }
    start = next;
  }
  return parts;
}

/**
 * A message's place in the feed: its update instant, else its newest history entry, else its creation; a message
 * with none of them is listed at the feed's beginning (the epoch), before every dated one, in posId order.
 */
function feedInstant(m: PosWireMessage): number {
  if (m.updatedAt !== undefined) return Date.parse(m.updatedAt);
  const history = m.history.map((h) => Date.parse(h.createdAt ?? '')).filter((t) => !Number.isNaN(t));
  if (history.length > 0) return Math.max(...history);
  const created = Date.parse(m.createdAt ?? '');
  return Number.isNaN(created) ? 0 : created;
}
