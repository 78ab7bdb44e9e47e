import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { PublicEndpoint } from '@inbox/access';
import { JobProducer, QueueName } from '@inbox/queue';
import { HealthDto } from './health.responses';

@ApiTags('health')
@Controller('health')
@PublicEndpoint()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobProducer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Состояние Postgres, Redis, очередей и каналов' })
  @ApiOkResponse({ type: HealthDto, description: '503 с тем же телом, когда Postgres или Redis недоступны' })
  async health(@Res({ passthrough: true }) res: Response) {
    const postgres = await timed(() => this.dataSource.query('SELECT 1'));
    const redis = await timed(() => this.jobs.queue(QueueName.Intake).client.ping());
    const queues = redis.ok ? await this.jobs.backlog().catch(() => undefined) : undefined;
    const intake = postgres.ok
      ? ((await this.dataSource.query(
          `SELECT status, count(*)::int AS count FROM inbound_items WHERE status <> 'processed' GROUP BY status`,
        )) as { status: string; count: number }[])
      : [];
    const channels = postgres.ok
      ? await this.dataSource.query(
          `SELECT channel, name, enabled, sync_stage AS "syncStage", last_success_at AS "lastSuccessAt",
                  last_error AS "lastError", last_error_at AS "lastErrorAt",
                  consecutive_failures AS "consecutiveFailures", items_received::int AS "itemsReceived",
                  items_quarantined::int AS "itemsQuarantined", last_pull_at AS "lastPullAt",
                  next_pull_at AS "nextPullAt",
                  -- Feed actions (ПОС status pushes, file fetches) waiting on or refused by the remote side.
                  (SELECT count(*)::int FROM feed_actions f WHERE f.account_id = c.id AND f.state = 'pending')
                    AS "pendingActions",
                  (SELECT count(*)::int FROM feed_actions f WHERE f.account_id = c.id AND f.state = 'failed')
                    AS "failedActions"
             FROM channel_accounts c ORDER BY channel, name`,
        )
      : [];
    const ok = postgres.ok && redis.ok;
    res.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'unavailable',
      postgres,
      redis,
      queues,
      inboundItems: Object.fromEntries(intake.map((r) => [r.status, r.count])),
      channels,
    };
  }
}

async function timed(
  probe: () => Promise<unknown>,
): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
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
