import { Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { type Response } from 'express';
import { HealthDto } from './health.responses';
import { SystemHealth } from './system-health.service';
import { PublicController } from '../public-controller';

@PublicController('health', 'health')
export class HealthController {
  constructor(private readonly system: SystemHealth) {}

  @Get()
  @ApiOperation({ summary: 'Состояние Postgres, Redis, очередей и каналов' })
  @ApiOkResponse({ type: HealthDto, description: '503 с тем же телом, когда Postgres или Redis недоступны' })
  async health(@Res({ passthrough: true }) res: Response) {
    const report = await this.system.report();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
