import { Controller, Get, Injectable, type OnModuleDestroy, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { type AccessScope, PublicEndpoint, StaffUsers } from '@inbox/access';
import { rootLogger } from '@inbox/common';

/** How often the one shared poller looks for new history events. */
export const STREAM_POLL_MS = 2000;
const HEARTBEAT_MS = 20_000;
/** Events read per poll: a burst beyond this is reported on the next polls. */
const BATCH = 500;

interface Subscriber {
  scope: AccessScope;
  res: Response;
}

interface NewEvent {
  id: string;
  appealId: string;
  type: string;
  organisationIds: string[];
}

/**
 * Live updates for the staff inbox. One poller per api process reads appeal_events past the last id it
 * saw, every 2 s and only while someone listens; each listener gets the events of appeals in its scope.
 */
@Injectable()
export class AppealEventFeed implements OnModuleDestroy {
  private readonly log = rootLogger.child('appeal-stream');
  private readonly subscribers = new Set<Subscriber>();
  private timer?: NodeJS.Timeout;
  private lastId: string | undefined;
  private polling = false;

  constructor(private readonly dataSource: DataSource) {}

  async subscribe(subscriber: Subscriber): Promise<() => void> {
    if (this.lastId === undefined) this.lastId = await this.maxId();
    this.subscribers.add(subscriber);
    this.timer ??= setInterval(() => void this.poll(), STREAM_POLL_MS);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
        // Nobody listened meanwhile: the next listener starts from what exists then.
        this.lastId = undefined;
      }
    };
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.subscribers) s.res.end();
    this.subscribers.clear();
  }

  private async maxId(): Promise<string> {
    const [row] = (await this.dataSource.query(
      `SELECT COALESCE(max(id), 0)::text AS id FROM appeal_events`,
    )) as { id: string }[];
    return row.id;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.lastId === undefined) return;
    this.polling = true;
    try {
      const events = (await this.dataSource.query(
        `SELECT e.id::text AS id, e.appeal_id AS "appealId", e.type,
                COALESCE(array_agg(ao.organisation_id) FILTER (WHERE ao.organisation_id IS NOT NULL), '{}')
                  AS "organisationIds"
           FROM appeal_events e LEFT JOIN appeal_organisations ao ON ao.appeal_id = e.appeal_id
          WHERE e.id > $1::bigint
          GROUP BY e.id ORDER BY e.id LIMIT ${BATCH}`,
        [this.lastId],
      )) as NewEvent[];
      if (events.length === 0) return;
      this.lastId = events[events.length - 1].id;
      for (const s of this.subscribers) {
        const mine = events.filter(
          (e) =>
            s.scope.organisationIds === null ||
            e.organisationIds.some((id) => s.scope.organisationIds!.includes(id)),
        );
        if (mine.length === 0) continue;
        s.res.write(
          `id: ${mine[mine.length - 1].id}\nevent: appeals\ndata: ${JSON.stringify({
            count: mine.length,
            newAppeals: mine.filter((e) => e.type === 'registered').length,
            appealIds: [...new Set(mine.map((e) => e.appealId))].slice(0, 100),
            types: [...new Set(mine.map((e) => e.type))],
          })}\n\n`,
        );
      }
    } catch (error) {
      this.log.warn('appeal stream poll failed', { error: error instanceof Error ? error.message : 'error' });
    } finally {
      this.polling = false;
    }
  }
}

@ApiTags('appeals')
@Controller('api/v1/appeals')
export class AppealStreamController {
  constructor(
    private readonly users: StaffUsers,
    private readonly feed: AppealEventFeed,
  ) {}

  @Get('stream')
  // EventSource cannot send an Authorization header: this endpoint alone takes the token in the query.
  @PublicEndpoint()
  @ApiOperation({
    summary:
      'Поток событий (server-sent events): новые обращения и изменения в моей области видимости; токен — в access_token',
  })
  @ApiQuery({ name: 'access_token', required: true, description: 'Токен сеанса сотрудника' })
  @ApiProduces('text/event-stream')
  async stream(
    @Query('access_token') token: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const user = typeof token === 'string' && token ? await this.users.authenticate(token) : undefined;
    if (!user) {
      res.status(401).json({ statusCode: 401, message: 'Требуется вход в систему' });
      return;
    }
    const scope = await this.users.scopeOf(user);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 5000\nevent: ready\ndata: {}\n\n`);
    const unsubscribe = await this.feed.subscribe({ scope, res });
    const heartbeat = setInterval(() => res.write(`: ping\n\n`), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }
}
