import { Get, Param, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AuditLog, Role, Roles, seesEverything, Staff, type StaffContext } from '@inbox/access';
import { QuarantinePanel } from '@inbox/channels';
import { DomainError, notFoundError } from '@inbox/common';
import { ALL_CHANNELS } from '@inbox/integrations/contract';
import { QuarantineEntryWithInputDto, QuarantineListDto } from './channel-quarantine.responses';
import { OptionalInt } from '../query-fields';
import { StaffController } from '../staff-controller';
import { staffDenied } from '../staff-action';

class QuarantineQuery {
  @ApiPropertyOptional({ enum: ALL_CHANNELS, description: 'Только этот канал' })
  @IsOptional()
  @IsIn(ALL_CHANNELS, { message: 'Неизвестный канал' })
  channel?: string;

  @OptionalInt({ min: 1, max: 500, default: 100 }) limit?: number;
}

const SOURCES = ['input', 'item'] as const;

/**
 * Inputs of the channels that are not appeals because they could not be read or registered, kept whole: line 1
 * and supervisors who see the whole region see them and register by hand what a citizen meant. Such an input
 * reached no organisation yet, so a department's staff do not see it; it carries personal data, so the
 * administrator (who sees none) gets only the count on /health. The list carries no input itself: what the
 * channel sent is read one entry at a time, and every read — of the list and of an entry — is in the audit log.
 */
@StaffController('api/v1/channel-quarantine', 'channels', { forbidden: true })
export class ChannelQuarantineController {
  constructor(
    private readonly panel: QuarantinePanel,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({
    summary:
      'Сообщения каналов, которые не удалось прочитать или зарегистрировать, с причиной (без присланного; чтение записывается в журнал)',
  })
  @ApiOkResponse({ type: QuarantineListDto })
  async list(@Query() query: QuarantineQuery, @Staff() staff: StaffContext) {
    await this.mayRead(staff, 'read-channel-quarantine', null);
    const items = await this.panel.list({ channel: query.channel, limit: query.limit });
    await this.audit.record({
      userId: staff.user.id,
      action: 'read-channel-quarantine',
      entityType: 'channel-quarantine',
      details: { channel: query.channel ?? null, count: items.length },
    });
    return { items };
  }

  @Get(':source/:id')
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({
    summary: 'Одно нераспознанное сообщение с присланным каналом целиком (чтение записывается в журнал)',
  })
  @ApiParam({ name: 'source', enum: SOURCES })
  @ApiOkResponse({ type: QuarantineEntryWithInputDto })
  @ApiNotFoundResponse({ description: 'Такого сообщения нет' })
  async entry(@Param('source') source: string, @Param('id') id: string, @Staff() staff: StaffContext) {
    const entityId = `${source}:${id}`.slice(0, 80);
    await this.mayRead(staff, 'read-channel-quarantine-input', entityId);
    const entry = (SOURCES as readonly string[]).includes(source)
      ? await this.panel.entry(source as (typeof SOURCES)[number], id)
      : undefined;
    await this.audit.record({
      userId: staff.user.id,
      action: 'read-channel-quarantine-input',
      entityType: 'channel-quarantine',
      entityId,
      outcome: entry ? 'ok' : 'denied',
      details: entry ? { channel: entry.channel, personalData: ['channel-input'] } : { reason: 'not-found' },
    });
    if (!entry) throw notFoundError('Такого нераспознанного сообщения нет');
    return entry;
  }

  /** Whole-region staff only; a refusal is in the audit log too. */
  private async mayRead(staff: StaffContext, action: string, entityId: string | null): Promise<void> {
    if (seesEverything(staff.scope)) return;
    await this.audit.record(staffDenied(staff, action, 'channel-quarantine', entityId, { reason: 'scope' }));
    throw new DomainError(
      'forbidden',
      'Нераспознанные сообщения каналов видят первая линия и руководство региона',
    );
  }
}
