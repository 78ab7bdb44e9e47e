import { Client } from 'pg';
import { printGrid } from './report';

/** The start of a statement's text, its white space folded: enough to tell which work's statement it is. */
const START_OF = (column: string) => `left(regexp_replace(${column}, '\\s+', ' ', 'g'), 44)`;

/**
 * Where the product's Postgres sessions spend the burst, by sampling `pg_stat_activity` on a connection of its
 * own (issue 18: the bench prints the wait events itself, so that a run says whether its time goes on a core,
 * on a lock, or on a transaction kept open between statements). Every `everyMs` each other session of the
 * database that is not idle counts once under its state and wait event: `active` with no wait event is on a
 * core (or waiting for one), `Lock:…` waits for another transaction, `idle in transaction` is a transaction
 * between its statements — its client's turn, which is what holds the rows it locked —, told apart by the start
 * of its last statement (which work's transaction it is); a lock wait is told apart by its blocker's last
 * statement (`pg_blocking_pids`).
 */
export class WaitSampler {
  private readonly counts = new Map<string, number>();
  private ticks = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  private constructor(
    private readonly client: Client,
    private readonly everyMs: number,
    private readonly ignorePids: number[],
  ) {}

  /** `ignorePids`: the bench's own sessions (its poll); the CPU sampler's is left out by its name. */
  static async start(databaseUrl: string, ignorePids: number[], everyMs = 50): Promise<WaitSampler> {
    const client = new Client({ connectionString: databaseUrl, application_name: 'bench-wait-sampler' });
    await client.connect();
    const sampler = new WaitSampler(client, everyMs, ignorePids);
    sampler.schedule();
    return sampler;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sample().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.everyMs);
  }

  private async sample(): Promise<void> {
    const { rows } = await this.client.query<{ what: string; n: number }>(
      `SELECT CASE WHEN s.state <> 'active'
                   -- Between statements: which transaction, by the start of its last statement.
                   THEN s.state || ' · after «' || ${START_OF('s.query')} || '…»'
                   WHEN s.wait_event_type = 'Lock'
                   -- Waiting for another transaction: whose, by the start of its last statement.
                   THEN s.wait_event_type || ':' || s.wait_event || ' ← «' || coalesce(${START_OF('b.query')}, '?') || '…»'
                   ELSE coalesce(s.wait_event_type || ':' || s.wait_event, 'on a core') END AS what,
              count(*)::int AS n
         FROM pg_stat_activity s
         LEFT JOIN LATERAL (SELECT b.query FROM pg_stat_activity b
                             WHERE s.wait_event_type = 'Lock' AND b.pid = (pg_blocking_pids(s.pid))[1]) b ON true
        WHERE s.datname = current_database() AND s.pid <> pg_backend_pid() AND s.backend_type = 'client backend'
          AND s.state IS DISTINCT FROM 'idle' AND NOT s.pid = ANY($1::int[])
          AND s.application_name NOT LIKE 'bench-%'
        GROUP BY 1`,
      [this.ignorePids],
    );
    this.ticks++;
    for (const { what, n } of rows) this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  /** Stops sampling; the samples per state and wait event, most first. */
  async stop(): Promise<WaitEvents> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.client.end();
    return {
      ticks: this.ticks,
      everyMs: this.everyMs,
      samples: [...this.counts].sort((a, b) => b[1] - a[1]).map(([what, n]) => ({ what, n })),
    };
  }
}

export interface WaitEvents {
  ticks: number;
  everyMs: number;
  samples: { what: string; n: number }[];
}

/** The sampled states and wait events: samples, their share, and sessions in it on average. */
export function printWaitEvents(title: string, w: WaitEvents, top = 16): void {
  const total = w.samples.reduce((s, x) => s + x.n, 0);
  printGrid(
    `${title} · ${w.ticks} samples every ${w.everyMs} ms`,
    ['state / wait event', 'samples', 'share', 'sessions on average'],
    w.samples
      .slice(0, top)
      .map(({ what, n }) => [
        what,
        String(n),
        `${((n / Math.max(total, 1)) * 100).toFixed(1)} %`,
        (n / Math.max(w.ticks, 1)).toFixed(2),
      ]),
  );
}
