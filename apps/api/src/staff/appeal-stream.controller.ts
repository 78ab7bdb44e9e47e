import { Controller, Headers, HttpCode, type MessageEvent, Post, Query, Req, Sse } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { type Request } from 'express';
import {
  concatMap,
  EMPTY,
  endWith,
  fromEvent,
  ignoreElements,
  interval,
  map,
  merge,
  type Observable,
  share,
  takeUntil,
  takeWhile,
} from 'rxjs';
import { bearerToken, PublicEndpoint, type StaffUser, StaffUsers } from '@inbox/access';
import { AppealEventFeed } from '@inbox/appeals';
import { DomainError } from '@inbox/common';
import { StreamTickets } from './stream-tickets';

class StreamTicketDto {
  @ApiProperty({ description: 'Одноразовый билет для GET /api/v1/appeals/stream?ticket=…' }) ticket!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

const HEARTBEAT_MS = 20_000;

@ApiTags('appeals')
@Controller('api/v1/appeals')
export class AppealStreamController {
  constructor(
    private readonly users: StaffUsers,
    private readonly feed: AppealEventFeed,
    private readonly tickets: StreamTickets,
  ) {}

  @Post('stream/ticket')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Одноразовый билет на поток событий (30 секунд): токен сеанса не попадает в адрес',
  })
  @ApiOkResponse({ type: StreamTicketDto })
  async ticket(@Headers('authorization') authorization: string | undefined): Promise<StreamTicketDto> {
    const session = await this.users.sessionOf(bearerToken(authorization));
    if (!session) throw new DomainError('unauthenticated', 'Требуется вход в систему');
    const { ticket, expiresAt } = await this.tickets.issue(session);
    return { ticket, expiresAt: expiresAt.toISOString() };
  }

  @Sse('stream')
  // EventSource cannot send an Authorization header, and a session token in a URL ends up in proxies' and
  // servers' logs: the stream takes a single-use 30-second ticket instead (POST stream/ticket).
  @PublicEndpoint()
  @ApiOperation({
    summary:
      'Поток событий (server-sent events): новые обращения и изменения в моей области видимости; вход — одноразовый билет в ticket',
  })
  @ApiQuery({ name: 'ticket', required: true, description: 'Билет из POST /api/v1/appeals/stream/ticket' })
  @ApiProduces('text/event-stream')
  async stream(
    @Query('ticket') ticket: string | undefined,
    @Req() request: Request,
  ): Promise<Observable<MessageEvent>> {
    const session = typeof ticket === 'string' && ticket ? await this.tickets.redeem(ticket) : undefined;
    const user = session ? await this.users.sessionUser(session) : undefined;
    if (!session || !user) throw new DomainError('unauthenticated', 'Требуется вход в систему');
    const scope = await this.users.scopeOf(user);
    // Nest ends the stream when the request closes after it subscribed. A client gone while the ticket was
    // redeemed and the scope read closed it before: its stream ends here, else its heartbeat and its feed
    // listener lived for the rest of the process (issue 18: a jest worker that would not exit).
    const socket = request.socket;
    if (socket.destroyed) return EMPTY;
    const gone = fromEvent(socket, 'close');
    const updates = this.feed.watch(scope).pipe(
      map((update): MessageEvent => {
        if (!update) return { type: 'ready', data: {}, retry: 5000 };
        const { lastEventId, ...data } = update;
        return { type: 'appeals', id: lastEventId, data };
      }),
      share(),
    );
    // The feed ends its listeners when the process shuts down; the heartbeat ends with it, so the response
    // ends and the browser reconnects to a running process, instead of the shutdown waiting for every open tab.
    const feedEnded = updates.pipe(ignoreElements(), endWith(null));
    const heartbeat = interval(HEARTBEAT_MS).pipe(
      map((): MessageEvent => ({ type: 'ping', data: '' })),
      takeUntil(feedEnded),
    );
    // The session is asked after again before each update and heartbeat: signed out, its password changed or
    // reset, the account deactivated or given another role or organisation, the stream ends (the workspace asks
    // for a new ticket, refused or in the new scope); before, it went on in the old scope until the process ended.
    // The database away for a moment ends none.
    const stillOn = () =>
      this.users.sessionUser(session).then(
        (now) => !!now && sameScope(user, now),
        () => true,
      );
    return merge(updates, heartbeat).pipe(
      takeUntil(gone),
      concatMap(async (event) => ({ event, on: await stillOn() })),
      takeWhile(({ on }) => on),
      map(({ event }) => event),
    );
  }
}

function sameScope(then: StaffUser, now: StaffUser): boolean {
  return (
    then.role === now.role &&
    then.organisationId === now.organisationId &&
    then.seesSubordinates === now.seesSubordinates
  );
}
