import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Client } from 'pg';
import { printGrid } from './report';

/**
 * The whole machine's CPU spent on a bench phase, per group of processes, from /proc (Linux): a process's
 * utime + stime (every thread) and its main thread's schedstat (time on a core, time runnable but waiting for
 * one). 2 000 appeals/s on 2 cores leaves 1 ms of CPU an appeal for all of them together, so the worker's
 * own CPU is not the budget: Postgres's backends, its background processes, Redis and the driver count too.
 */

/** What one /proc/<pid>/stat line says, in clock ticks. */
export interface ProcStat {
  comm: string;
  ppid: number;
  /** utime + stime of every thread. */
  cpuTicks: number;
  /** cutime + cstime: children waited for (for the postmaster: every backend that has exited). */
  childTicks: number;
  /** Ticks after boot at which the process started. */
  startTicks: number;
}

export function parseProcStat(text: string): ProcStat {
  // The command sits in parentheses and may hold spaces or parentheses itself: the fields follow the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 of proc(5) (the state).
  const at = (n: number) => {
    const v = Number(fields[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat: field ${n} missing`);
    return v;
  };
  return {
    comm: text.slice(open + 1, close),
    ppid: at(4),
    cpuTicks: at(14) + at(15),
    childTicks: at(16) + at(17),
    startTicks: at(22),
  };
}

/** /proc/<pid>/schedstat: the main thread's nanoseconds on a core and runnable but waiting for one. */
export function parseSchedStat(text: string): { runNs: number; waitNs: number } {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) throw new Error(`not a schedstat line: ${text}`);
  return { runNs: run, waitNs: wait };
}

/** The machine's busy and total ticks over every core, from /proc/stat's first line (idle and iowait are idle). */
export function parseCpuTotals(procStat: string): { busyTicks: number; totalTicks: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat: no cpu line');
  const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busyTicks: total - idle - iowait, totalTicks: total };
}

export interface Reading {
  cpuTicks: number;
  runNs: number;
  waitNs: number;
  startTicks: number;
}

interface Seen {
  group: string;
  first: Reading;
  last: Reading;
}

export interface GroupTotal {
  group: string;
  processes: number;
  cpuTicks: number;
  runNs: number;
  waitNs: number;
  /** Processes the sampler found but could not read (another user, hidepid, another machine). */
  unreadable: number;
}

/**
 * Readings per process between the phase's start and its end. A process born during the phase counts from
 * zero; one that ends during it counts up to its last reading (the sampler's interval is the error).
 */
export class CpuLedger {
  private readonly seen = new Map<number, Seen>();
  private readonly unreadable = new Map<string, Set<number>>();
  private readonly order: string[] = [];

  /** `sinceTicks`: the phase's start in ticks after boot. */
  constructor(private readonly sinceTicks: number) {}

  /** A group listed even if no process of it is ever found (then reported as not readable). */
  declare(group: string): void {
    if (!this.order.includes(group)) this.order.push(group);
  }

  observe(group: string, pid: number, reading: Reading | 'unreadable'): void {
    this.declare(group);
    if (reading === 'unreadable') {
      const set = this.unreadable.get(group) ?? new Set<number>();
      set.add(pid);
      this.unreadable.set(group, set);
      return;
    }
    const known = this.seen.get(pid);
    if (known) {
      known.last = reading;
      return;
    }
    const born = reading.startTicks >= this.sinceTicks;
    const first = born ? { ...reading, cpuTicks: 0, runNs: 0, waitNs: 0 } : reading;
    this.seen.set(pid, { group, first, last: reading });
  }

  totals(): GroupTotal[] {
    return this.order.map((group) => {
      const mine = [...this.seen.values()].filter((s) => s.group === group);
      const sum = (f: (s: Seen) => number) => mine.reduce((t, s) => t + f(s), 0);
      return {
        group,
        processes: mine.length,
        cpuTicks: sum((s) => s.last.cpuTicks - s.first.cpuTicks),
        runNs: sum((s) => s.last.runNs - s.first.runNs),
        waitNs: sum((s) => s.last.waitNs - s.first.waitNs),
        unreadable: this.unreadable.get(group)?.size ?? 0,
      };
    });
  }
}

export interface CpuBudgetRow {
  group: string;
  processes: number;
  /** Undefined when none of the group's processes could be read. */
  cpuMs?: number;
  msPerAppeal?: number;
  /** Main threads, as a share of wall × processes: on a core, runnable but waiting for one, the rest blocked. */
  onCpu?: number;
  waitingForCore?: number;
  unreadable: number;
}

export interface CpuBudget {
  appeals: number;
  wallSeconds: number;
  cores: number;
  rows: CpuBudgetRow[];
  totalMs: number;
  totalMsPerAppeal: number;
  /** cores × 1000 / total ms an appeal: the rate at which these processes would fill every core. */
  ceilingPerSecond: number;
  /** Our processes' CPU over wall × cores. */
  ourShare: number;
  /** Every process on the machine: busy over wall × cores (other sessions' work included). */
  machineBusyShare: number;
  /** CPU of Postgres children that exited during the phase, any database (the postmaster's cutime + cstime). */
  exitedPostgresMs: number;
  loadAverage: { before: string[]; after: string[] };
}

export function summarise(
  totals: GroupTotal[],
  m: {
    appeals: number;
    wallMs: number;
    cores: number;
    clkTck: number;
    machineBusyTicks: number;
    machineTotalTicks: number;
    exitedPostgresTicks: number;
    loadAverage: { before: string[]; after: string[] };
  },
): CpuBudget {
  const ms = (ticks: number) => (ticks * 1000) / m.clkTck;
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  const perAppeal = (x: number) => x / Math.max(m.appeals, 1);
  const rows: CpuBudgetRow[] = totals.map((t) => {
    const readable = t.processes > 0;
    const threadWallNs = m.wallMs * 1e6 * Math.max(t.processes, 1);
    return {
      group: t.group,
      processes: t.processes,
      unreadable: t.unreadable,
      ...(readable
        ? {
            cpuMs: round(ms(t.cpuTicks), 0),
            msPerAppeal: round(perAppeal(ms(t.cpuTicks)), 3),
            onCpu: round(t.runNs / threadWallNs, 3),
            waitingForCore: round(t.waitNs / threadWallNs, 3),
          }
        : {}),
    };
  });
  const totalMs = ms(totals.reduce((s, t) => s + t.cpuTicks, 0));
  const totalMsPerAppeal = perAppeal(totalMs);
  return {
    appeals: m.appeals,
    wallSeconds: round(m.wallMs / 1000),
    cores: m.cores,
    rows,
    totalMs: round(totalMs, 0),
    totalMsPerAppeal: round(totalMsPerAppeal, 3),
    ceilingPerSecond: totalMsPerAppeal > 0 ? round((m.cores * 1000) / totalMsPerAppeal, 1) : Infinity,
    ourShare: round(totalMs / (m.wallMs * m.cores), 3),
    machineBusyShare: round(m.machineBusyTicks / Math.max(m.machineTotalTicks, 1), 3),
    exitedPostgresMs: round(ms(m.exitedPostgresTicks), 0),
    loadAverage: m.loadAverage,
  };
}

const pct = (x: number | undefined) => (x === undefined ? '—' : `${Math.round(x * 100)} %`);

export function printCpuBudget(title: string, b: CpuBudget, measuredPerSecond: number): void {
  const cells = b.rows.map((r) => [
    r.group,
    r.unreadable > 0 ? `${r.processes} (+${r.unreadable} unreadable)` : String(r.processes),
    r.cpuMs === undefined ? 'not readable or not found' : String(r.cpuMs),
    r.msPerAppeal === undefined ? 'not readable' : r.msPerAppeal.toFixed(3),
    r.cpuMs === undefined ? '—' : pct(r.cpuMs / Math.max(b.totalMs, 1)),
    r.onCpu === undefined
      ? '—'
      : `${pct(r.onCpu)} / ${pct(r.waitingForCore)} / ${pct(1 - r.onCpu - (r.waitingForCore ?? 0))}`,
  ]);
  cells.push(['total', '', String(b.totalMs), b.totalMsPerAppeal.toFixed(3), '100 %', '']);
  printGrid(
    title,
    [
      'processes (from /proc)',
      'count',
      'CPU ms',
      'CPU ms / appeal',
      'share',
      'main thread: on a core / waiting for one / blocked',
    ],
    cells,
  );
  const unread = b.rows.filter((r) => r.cpuMs === undefined).map((r) => r.group);
  console.log(
    `\n${b.appeals} appeals in ${b.wallSeconds} s on ${b.cores} cores: ceiling ${b.ceilingPerSecond}/s ` +
      `(${b.cores} × 1000 / ${b.totalMsPerAppeal} ms) against ${measuredPerSecond}/s measured; ` +
      `these processes used ${pct(b.ourShare)} of wall × cores, the whole machine was ${pct(b.machineBusyShare)} busy ` +
      `(load ${b.loadAverage.before.join(' ')} → ${b.loadAverage.after.join(' ')}); Postgres children that exited ` +
      `meanwhile, any database, not in the total: ${b.exitedPostgresMs} ms.` +
      (unread.length > 0 ? ` NOT READABLE, so not in the total: ${unread.join(', ')}.` : ''),
  );
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function read(pid: number): { stat: ProcStat; reading: Reading } | 'gone' | 'unreadable' {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const sched = parseSchedStat(readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
    return { stat, reading: { cpuTicks: stat.cpuTicks, startTicks: stat.startTicks, ...sched } };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
}

function processesNamed(comm: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    });
}

export const GROUPS = {
  workers: 'worker processes',
  backends: "Postgres backends of the bench's database (autovacuum included)",
  polling: "Postgres backend of the bench's own polling",
  background: 'Postgres background + postmaster (shared by every database)',
  redis: 'redis-server (every one on the machine, shared)',
  driver: 'bench process (producer: intake store; polling)',
} as const;

/**
 * Samples the groups every `everyMs` while a phase runs. Postgres processes come from pg_stat_activity (the
 * bench database's backends, and the background processes, which serve every database on the server); Redis is
 * every redis-server on the machine, so other sessions' traffic on it counts too.
 */
export class CpuSampler {
  private readonly clkTck = clockTicksPerSecond();
  private readonly ledger: CpuLedger;
  private readonly startedAt = Date.now();
  private readonly machineStart = parseCpuTotals(readFileSync('/proc/stat', 'utf8'));
  private readonly loadBefore = loadavg().map((l) => l.toFixed(1));
  private readonly redisPids = processesNamed('redis-server');
  private postmaster?: { pid: number; firstChildTicks: number; lastChildTicks: number };
  private timer?: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: Client,
    private readonly database: string,
    private readonly workerPids: number[],
    private readonly pollingPid: number,
  ) {
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    this.ledger = new CpuLedger(Math.floor(uptime * this.clkTck));
    for (const group of Object.values(GROUPS)) this.ledger.declare(group);
  }

  static async start(o: {
    databaseUrl: string;
    workerPids: number[];
    pollingPid: number;
    everyMs?: number;
  }): Promise<CpuSampler> {
    const client = new Client({ connectionString: o.databaseUrl, application_name: 'bench-cpu-sampler' });
    await client.connect();
    const database = (await client.query('SELECT current_database() AS d')).rows[0].d as string;
    const sampler = new CpuSampler(client, database, o.workerPids, o.pollingPid);
    await sampler.sample();
    sampler.timer = setInterval(() => {
      sampler.sampling = sampler.sampling.then(() => sampler.sample()).catch(() => undefined);
    }, o.everyMs ?? 250);
    return sampler;
  }

  /** Stops at the phase's end; the budget is made once the phase's appeals are counted. */
  async stop(): Promise<(appeals: number) => CpuBudget> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
    await this.client.end();
    const machine = parseCpuTotals(readFileSync('/proc/stat', 'utf8'));
    const measures = {
      wallMs: Date.now() - this.startedAt,
      cores: cpus().length,
      clkTck: this.clkTck,
      machineBusyTicks: machine.busyTicks - this.machineStart.busyTicks,
      machineTotalTicks: machine.totalTicks - this.machineStart.totalTicks,
      exitedPostgresTicks: this.postmaster
        ? this.postmaster.lastChildTicks - this.postmaster.firstChildTicks
        : 0,
      loadAverage: { before: this.loadBefore, after: loadavg().map((l) => l.toFixed(1)) },
    };
    const totals = this.ledger.totals();
    return (appeals) => summarise(totals, { ...measures, appeals });
  }

  private observe(group: string, pid: number): ProcStat | undefined {
    const r = read(pid);
    if (r === 'gone') return undefined;
    this.ledger.observe(group, pid, r === 'unreadable' ? 'unreadable' : r.reading);
    return r === 'unreadable' ? undefined : r.stat;
  }

  private async sample(): Promise<void> {
    const { rows } = await this.client.query<{ pid: number; datname: string | null; backend_type: string }>(
      `SELECT pid, datname, backend_type FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
    );
    for (const w of this.workerPids) this.observe(GROUPS.workers, w);
    let postmasterPid: number | undefined;
    for (const r of rows) {
      const group =
        r.pid === this.pollingPid
          ? GROUPS.polling
          : r.datname === this.database
            ? GROUPS.backends
            : r.datname === null && r.backend_type !== 'client backend'
              ? GROUPS.background
              : undefined;
      if (!group) continue;
      const stat = this.observe(group, r.pid);
      if (stat && stat.comm === 'postgres') postmasterPid ??= stat.ppid;
    }
    if (postmasterPid !== undefined) {
      const pm = this.observe(GROUPS.background, postmasterPid);
      if (pm) {
        this.postmaster ??= { pid: postmasterPid, firstChildTicks: pm.childTicks, lastChildTicks: 0 };
        this.postmaster.lastChildTicks = pm.childTicks;
      }
    }
    for (const pid of this.redisPids) this.observe(GROUPS.redis, pid);
    this.observe(GROUPS.driver, process.pid);
  }
}
