import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { spliceNested } from '../nested-json';

/**
 * A public reception site that keeps its own form and publishes what it receives as JSON:
 * `GET /api/v1/appeals?after=<id | instant>&limit=<n>` → `{ data: { items: [...], count } }`.
 * By id it answers items with a greater id in id order; by timestamp it answers items at or after the
 * instant (inclusive, as such sites do), ties in no particular order, so the connector must handle them.
 */

export type WebsiteFeedFakeScenario =
  | 'normal'
  | 'slow'
  /** 429 with Retry-After in seconds. */
  | 'rate-limited'
  /** 502 from the site's proxy. */
  | 'server-error'
  /** 503 with Retry-After in seconds: the site down for maintenance. */
  | 'unavailable'
  /** One item of the page has no text. */
  | 'malformed'
  /** 200 with a body that is not JSON (an HTML error page). */
  | 'broken-json'
  /** The answer is cut after half its bytes. */
  | 'cut-mid-page';

export interface FeedSiteItem {
  id: number;
  created: string;
  message: { text?: string; topic?: string };
  author: {
    lastName?: string;
    firstName?: string;
    middleName?: string;
    contacts?: { email?: string; phone?: string };
    postal?: string;
  };
  place?: string;
  /** The files attached on the site, as its feed links them (see addFile). */
  files?: (string | { url?: string; name?: string; size?: number })[];
}

export interface RecordedFeedRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export class WebsiteFeedFake {
  readonly path = '/api/v1/appeals';
  /** The cursor the site understands. */
  mode: 'id' | 'timestamp' = 'id';
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  slowMs = 2000;
  retryAfterSec = 30;
  /** Streams answers chunked, without Content-Length: the reader learns the size only by reading. */
  chunked = false;
  readonly requests: RecordedFeedRequest[] = [];
  /** Files the site serves under /files/ (its public file storage), by path. */
  private readonly stored = new Map<string, Buffer>();

  private server?: Server;
  private scenario: WebsiteFeedFakeScenario = 'normal';
  private scenarioTimes = Infinity;
  private readonly items: FeedSiteItem[] = [];
  private nextId = 1501;
  private clock = Date.parse('2025-03-03T02:00:00.000Z');
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  /** The feed URL to put into `account.settings.url`. */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.path}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  setScenario(scenario: WebsiteFeedFakeScenario, options: { times?: number } = {}): void {
    this.scenario = scenario;
    this.scenarioTimes = options.times ?? Infinity;
  }

  /** A file the site serves at `/files/<name>`; returns its path (relative to the site, as feeds link them). */
  addFile(name: string, content: Buffer): string {
    const path = `/files/${encodeURIComponent(name)}`;
    this.stored.set(path, content);
    return path;
  }

  /** An appeal as the site stores it; `created` may be pinned (Novosibirsk offset) to make ties. */
  addItem(overrides: Partial<FeedSiteItem> = {}): FeedSiteItem {
    const id = overrides.id ?? this.nextId++;
    this.clock += 60_000;
    const item: FeedSiteItem = {
      id,
      created: overrides.created ?? toLocal(this.clock),
      message: {
        text: 'Прошу отремонтировать тротуар у остановки «Площадь Калинина»: плитка разрушена, люди падают.',
        topic: 'Благоустройство',
      },
      author: {
        lastName: 'Иванов',
        firstName: 'Сергей',
        middleName: 'Андреевич',
        contacts: { email: 's.ivanov@example.ru', phone: '+7 913 555-12-34' },
        postal: '630049, г. Новосибирск, Красный проспект, 157, кв. 8',
      },
      place: 'г. Новосибирск, остановка «Площадь Калинина»',
      ...overrides,
    };
    this.items.push(item);
    return structuredClone(item);
  }

  private takes(scenario: WebsiteFeedFakeScenario): boolean {
    if (this.scenario !== scenario) return false;
    this.scenarioTimes -= 1;
    if (this.scenarioTimes <= 0) {
      this.scenario = 'normal';
      this.scenarioTimes = Infinity;
    }
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    this.requests.push({ path: url.pathname, query, headers: req.headers });

    if (this.takes('slow')) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, this.slowMs);
        this.timers.add(timer);
      });
    }
    if (this.takes('rate-limited')) {
      res.setHeader('Retry-After', String(this.retryAfterSec));
      return json(res, 429, { error: 'Too Many Requests' });
    }
    if (this.takes('unavailable')) {
      res.setHeader('Retry-After', String(this.retryAfterSec));
      return json(res, 503, { error: 'Service Unavailable' });
    }
    if (this.takes('server-error')) {
      res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    const file = this.stored.get(url.pathname);
    if (file && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      res.end(file);
      return;
    }
    if (url.pathname !== this.path || req.method !== 'GET') return json(res, 404, { error: 'Not Found' });
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
      return json(res, 401, { error: 'Unauthorized' });
    }

    const limit = Number(query.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return json(res, 400, { error: 'bad limit' });
    let selected: FeedSiteItem[];
    if (this.mode === 'id') {
      const after = query.after === undefined ? 0 : Number(query.after);
      if (!Number.isInteger(after)) return json(res, 400, { error: 'bad after' });
      selected = this.items.filter((i) => i.id > after).sort((a, b) => a.id - b.id);
    } else {
      const after = query.after === undefined ? -Infinity : Date.parse(query.after);
      if (Number.isNaN(after)) return json(res, 400, { error: 'bad after' });
      // Ties come newest id first: a site owes no order within one instant.
      selected = this.items
        .filter((i) => Date.parse(i.created) >= after)
        .sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || b.id - a.id);
    }
    const page: Partial<FeedSiteItem>[] = selected.slice(0, limit).map((i) => structuredClone(i));
    if (page.length > 0 && this.takes('malformed')) delete page[Math.floor(page.length / 2)].message!.text;
    if (this.takes('broken-json')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>Ошибка базы данных</html>');
      return;
    }
    const body = Buffer.from(
      spliceNested(JSON.stringify({ data: { items: page, count: page.length } })),
      'utf8',
    );
    if (this.takes('cut-mid-page')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    if (this.chunked) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      for (let at = 0; at < body.length; at += 1024) res.write(body.subarray(at, at + 1024));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}

/** The site writes local Novosibirsk time with its offset. */
function toLocal(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00').replace('.000', '');
}
