import { Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { bearerToken, Role, StaffUsers } from '@inbox/access';
import { AppConfig } from '@inbox/config';
import { HealthDto } from './health.responses';
import { SystemHealth, systemSummary } from './system-health.service';
import { PublicController } from '../public-controller';

/**
 * The whole report names the channel accounts, carries their last errors (remote hosts, internal addresses, what a
 * server answered) and the queues' internals: administrators' matter, who configure those accounts. A supervisor
 * reads the summary: whether each service is up and how many accounts of each channel fail, no names nor errors.
 */
type Reader = 'report' | 'summary' | 'none';

@PublicController('health', 'health')
export class HealthController {
  constructor(
    private readonly system: SystemHealth,
    private readonly users: StaffUsers,
    private readonly config: AppConfig,
  ) {}

  /**
   * A load balancer's readiness answer for anyone: 200 or 503, the status and whether Postgres and Redis answer.
   * The counts (queues, intake backlog, the outbox) and the channel accounts' progress and errors go only to an
   * administrator signed in, or to a caller on this machine not relayed by a proxy (the start script's readiness
   * check, the bench, an operator's curl); a supervisor gets the summary (systemSummary).
   */
  @Get()
  @ApiOperation({ summary: 'Состояние Postgres, Redis, очередей и каналов' })
  @ApiOkResponse({
    type: HealthDto,
    description:
      '503 с тем же телом, когда Postgres или Redis недоступны. Полный отчёт — администратору (и с этой машины); ' +
      'руководителю — сводка: службы, входящие и число сбоящих учётных записей по каналам, без имён и текстов ' +
      'ошибок; остальным — только status и доступность Postgres и Redis',
  })
  async health(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // Who may read the counts is settled first: they are counted only for them, so an anonymous caller's stream of
    // checks costs two pings, not the backlog counts over the tables and queues.
    const reader = isLocal(req, this.config.trustProxy) ? 'report' : await this.readerOf(req);
    if (reader !== 'none') {
      const report = await this.system.report();
      res.status(report.status === 'ok' ? 200 : 503);
      return reader === 'report' ? report : systemSummary(report);
    }
    const { status, postgres, redis } = await this.system.readiness();
    res.status(status === 'ok' ? 200 : 503);
    return { status, postgres: { ok: postgres.ok }, redis: { ok: redis.ok } };
  }

  private async readerOf(req: Request): Promise<Reader> {
    const token = bearerToken(req.headers.authorization);
    const user = token ? await this.users.authenticate(token).catch(() => undefined) : undefined;
    // A temporary password may read who it is and change itself, nothing else (StaffAuthGuard): not the report.
    if (!user || user.mustChangePassword) return 'none';
    return user.role === Role.Admin ? 'report' : user.role === Role.Supervisor ? 'summary' : 'none';
  }
}

/**
 * The caller is on this machine and no proxy relayed it (a proxy on the same host adds its forwarding headers). With
 * TRUST_PROXY set a proxy is in front of us, and a connection from this machine may be it relaying anyone: nginx
 * adds no forwarding header unless told to, so every caller on the internet read the report through it.
 */
function isLocal(req: Request, trustProxy: AppConfig['trustProxy']): boolean {
  if (trustProxy !== false) return false;
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || /^(::ffff:)?127\./.test(address);
  const relayed = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((h) => req.headers[h] !== undefined);
  return loopback && !relayed;
}
