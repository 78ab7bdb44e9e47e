import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { PublicEndpoint } from '@inbox/access';
import { DatabaseHealth } from '@inbox/database';
import { InboundStore } from '@inbox/intake';
import { JobProducer, QueueName } from '@inbox/queue';
import { HealthDto } from './health.responses';

@ApiTags('health')
@Controller('health')
@PublicEndpoint()
export class HealthController {
  constructor(
    private readonly database: DatabaseHealth,
    private readonly intake: InboundStore,
    private readonly jobs: JobProducer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Состояние Postgres, Redis, очередей и каналов' })
  @ApiOkResponse({ type: HealthDto, description: '503 с тем же телом, когда Postgres или Redis недоступны' })
  async health(@Res({ passthrough: true }) res: Response) {
    const postgres = await timed(() => this.database.ping());
    const redis = await timed(() => this.jobs.queue(QueueName.Intake).client.ping());
    const queues = redis.ok ? await this.jobs.backlog().catch(() => undefined) : undefined;
    const inboundItems = postgres.ok ? await this.intake.backlog() : {};
    const channels = postgres.ok ? await this.intake.channelAccounts() : [];
    const ok = postgres.ok && redis.ok;
    res.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'unavailable',
      postgres,
      redis,
      queues,
      inboundItems,
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
