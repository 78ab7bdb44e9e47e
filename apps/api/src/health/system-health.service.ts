import { Injectable } from '@nestjs/common';
import { EventOutboxPanel, type OutboxTotals } from '@inbox/channels';
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
}

/**
 * Postgres and Redis probed (2 s each at most), then the queues, the intake backlog, the channels and the history
 * outbox's backlog.
 */
@Injectable()
export class SystemHealth {
  constructor(
    private readonly database: DatabaseHealth,
    private readonly intake: InboundStore,
    private readonly jobs: JobProducer,
    private readonly outbox: EventOutboxPanel,
  ) {}

  async report(): Promise<SystemHealthReport> {
    // Side by side, not one after another: /health answers in the time of its slowest probe.
    const [postgres, redis] = await Promise.all([
      timed(() => this.database.ping()),
      timed(() => this.jobs.queue(QueueName.Intake).client.ping()),
    ]);
    const [queues, inboundItems, channels] = await Promise.all([
      redis.ok ? this.jobs.backlog().catch(() => undefined) : undefined,
      postgres.ok ? this.intake.backlog() : {},
      postgres.ok ? this.intake.channelAccounts() : [],
    ]);
    const outbox = postgres.ok ? await this.outbox.totals().catch(() => undefined) : undefined;
    return {
      status: postgres.ok && redis.ok ? 'ok' : 'unavailable',
      postgres,
      redis,
      queues,
      inboundItems,
      channels,
      outbox,
    };
  }
}

async function timed(probe: () => Promise<unknown>): Promise<Probe> {
  const started = Date.now();
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
    ]);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Date.now() - started,
      error: error instanceof Error ? error.message : 'error',
    };
  }
}
