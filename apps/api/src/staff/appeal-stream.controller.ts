import { Controller, type MessageEvent, Query, Sse } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { interval, map, merge, type Observable } from 'rxjs';
import { PublicEndpoint, StaffUsers } from '@inbox/access';
import { AppealEventFeed } from '@inbox/appeals';
import { DomainError } from '@inbox/common';

const HEARTBEAT_MS = 20_000;

@ApiTags('appeals')
@Controller('api/v1/appeals')
export class AppealStreamController {
  constructor(
    private readonly users: StaffUsers,
    private readonly feed: AppealEventFeed,
  ) {}

  @Sse('stream')
  // EventSource cannot send an Authorization header: this endpoint alone takes the token in the query.
  @PublicEndpoint()
  @ApiOperation({
    summary:
      'Поток событий (server-sent events): новые обращения и изменения в моей области видимости; токен — в access_token',
  })
  @ApiQuery({ name: 'access_token', required: true, description: 'Токен сеанса сотрудника' })
  @ApiProduces('text/event-stream')
  async stream(@Query('access_token') token: string | undefined): Promise<Observable<MessageEvent>> {
    const user = typeof token === 'string' && token ? await this.users.authenticate(token) : undefined;
    if (!user) throw new DomainError('unauthenticated', 'Требуется вход в систему');
    const scope = await this.users.scopeOf(user);
    return merge(
      this.feed.watch(scope).pipe(
        map((update): MessageEvent => {
          if (!update) return { type: 'ready', data: {}, retry: 5000 };
          const { lastEventId, ...data } = update;
          return { type: 'appeals', id: lastEventId, data };
        }),
      ),
      interval(HEARTBEAT_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: '' }))),
    );
  }
}
