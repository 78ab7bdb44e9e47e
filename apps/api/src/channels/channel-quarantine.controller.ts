import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Role, Roles, seesEverything, Staff, type StaffContext } from '@inbox/access';
import { QuarantinePanel } from '@inbox/channels';
import { DomainError } from '@inbox/common';
import { ALL_CHANNELS } from '@inbox/integrations/contract';
import { QuarantineListDto } from './channel-quarantine.responses';

class QuarantineQuery {
  @ApiPropertyOptional({ enum: ALL_CHANNELS, description: 'Только этот канал' })
  @IsOptional()
  @IsIn(ALL_CHANNELS, { message: 'Неизвестный канал' })
  channel?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'Сколько показать — целое число' })
  @Min(1, { message: 'Сколько показать — от 1 до 500' })
  @Max(500, { message: 'Сколько показать — от 1 до 500' })
  limit?: number;
}

/**
 * Inputs of the channels that are not appeals because they could not be read or registered, kept whole: line 1
 * and supervisors who see the whole region see them and register by hand what a citizen meant. Such an input
 * reached no organisation yet, so a department's staff do not see it; it carries personal data, so the
 * administrator (who sees none) gets only the count on /health.
 */
@ApiTags('channels')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Недостаточно прав для этого действия' })
@Controller('api/v1/channel-quarantine')
export class ChannelQuarantineController {
  constructor(private readonly panel: QuarantinePanel) {}

  @Get()
  @Roles(Role.Operator, Role.Supervisor)
  @ApiOperation({
    summary: 'Сообщения каналов, которые не удалось прочитать или зарегистрировать, с причиной',
  })
  @ApiOkResponse({ type: QuarantineListDto })
  async list(@Query() query: QuarantineQuery, @Staff() staff: StaffContext) {
    if (!seesEverything(staff.scope)) {
      throw new DomainError(
        'forbidden',
        'Нераспознанные сообщения каналов видят первая линия и руководство региона',
      );
    }
    return { items: await this.panel.list({ channel: query.channel, limit: query.limit }) };
  }
}
