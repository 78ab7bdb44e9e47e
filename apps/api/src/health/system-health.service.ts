import { Injectable } from '@nestjs/common';
import { EventOutboxPanel, type OutboxTotals } from '@inbox/channels';
import { HEALTH_COUNT_CAP } from '@inbox/common';
import { DatabaseHealth } from '@inbox/database';
import { type ChannelAccountHealth, InboundStore } from '@inbox/intake';
import { JobProducer, QueueName } from '@inbox/queue';

export interface Probe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface SystemHealthReport {
  status: 'ok' | 'unavailable';
  postgres: Probe;
  redis: Probe;
  queues: Record<string, Record<string, number>> | undefined;
  inboundItems: Record<string, number>;
  channels: ChannelAccountHealth[];
  /** The history outbox summed over its consumers (counts only; the dead letters are on the admin's panel). */
  outbox: OutboxTotals | undefined;
  /** Backlog counts (intake items, feed actions, the outbox) stop here: a count equal to it means at least that. */
  countsCappedAt: number;
}

/** The report as a supervisor reads it: the probes without their errors, the intake's counts, failing accounts. */
export interface SystemSummary {
  status: SystemHealthReport['status'];
  postgres: Omit<Probe, 'error'>;
  redis: Omit<Probe, 'error'>;
  inboundItems: Record<string, number>;
  /** Per channel: its accounts, and how many of them fail now (enabled, with failures in a row). */
  channelKinds: Record<string, { accounts: number; failing: number }>;
  countsCappedAt: number;
}

/**
 * What of the report a supervisor sees: no account's name nor last error (they carry remote hosts and internal
 * addresses), no probe's error, no queue or outbox internals.
 */
export function systemSummary(report: SystemHealthReport): SystemSummary {
  const probe = ({ ok, latencyMs }: Probe) => ({ ok, latencyMs });
  const channelKinds: SystemSummary['channelKinds'] = {};
  for (const account of report.channels) {
    const kind = (channelKinds[account.channel] ??= { accounts: 0, failing: 0 });
    kind.accounts++;
    if (account.enabled && account.consecutiveFailures > 0) kind.failing++;
  }
  return {
    status: report.status,
    postgres: probe(report.postgres),
    redis: probe(report.redis),
    inboundItems: report.inboundItems,
    channelKinds,
    countsCappedAt: report.countsCappedAt,
  };
}

/**
 * Postgres and Redis probed (2 s each at most), the queues, the intake backlog, the channels and the history
 * outbox's backlog all at once (issue 18): /health answers in the time of its slowest probe, and each count is
 * bounded (partial indexes, capped at HEALTH_COUNT_CAP; Bull's counts are list lengths), so that time does not
 * grow with the tables. A count that fails or takes over 2 s is left out; the status is the two probes'.
 */
@Injectable()
export class SystemHealth {
  constructor(
    private readonly database: DatabaseHealth,
    private readonly intake: InboundStore,
    private readonly jobs: JobProducer,
    private readonly outbox: EventOutboxPanel,
  ) {}

  /** The two probes (Postgres, Redis) and the status: what a load balancer and anyone may ask, and no more. */
  async readiness(): Promise<Pick<SystemHealthReport, 'status' | 'postgres' | 'redis'>> {
    const [postgres, redis] = await this.probes();
    return { status: postgres.ok && redis.ok ? 'ok' : 'unavailable', postgres, redis };
  }

  async report(): Promise<SystemHealthReport> {
    const [[postgres, redis], queues, inboundItems, channels, outbox] = await Promise.all([
      this.probes(),
      bounded(() => this.jobs.backlog()),
      bounded(() => this.intake.backlog()),
      bounded(() => this.intake.channelAccounts()),
      bounded(() => this.outbox.totals()),
    ]);
    return {
      status: postgres.ok && redis.ok ? 'ok' : 'unavailable',
      postgres,
      redis,
      queues: redis.ok ? queues : undefined,
      inboundItems: (postgres.ok && inboundItems) || {},
      channels: (postgres.ok && channels) || [],
      outbox: postgres.ok ? outbox : undefined,
      countsCappedAt: HEALTH_COUNT_CAP,
    };
  }

  private probes(): Promise<[Probe, Probe]> {
    return Promise.all([
      timed(() => this.database.ping()),
      timed(() => this.jobs.queue(QueueName.Intake).client.ping()),
    ]);
  }
}

/** What a count gives within 2 s, else undefined (never a rejection: /health always answers). */
async function bounded<T>(count: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      count(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), 2000);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function timed(probe: () => Promise<unknown>): Promise<Probe> {
  const started = Date.now();
  // Cleared on every path: a pending 2 s timer per probe would keep a process that is exiting alive.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), 2000);
      }),
    ]);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Date.now() - started,
      error: error instanceof Error ? error.message : 'error',
    };
  } finally {
    clearTimeout(timer);
  }
}
