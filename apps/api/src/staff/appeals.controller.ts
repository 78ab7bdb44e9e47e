import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppealQueries, InvalidCursorError } from '@inbox/appeals';
import { AppealListQueryDto } from './appeal-list-query.dto';

@ApiTags('appeals')
@Controller('api/v1/appeals')
export class AppealsController {
  constructor(private readonly queries: AppealQueries) {}

  @Get()
  @ApiOperation({ summary: 'Список обращений с фильтрами и постраничным выводом по курсору' })
  async list(@Query() query: AppealListQueryDto) {
    try {
      return await this.queries.list(query);
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new BadRequestException({ statusCode: 400, message: error.message, errors: { cursor: error.message } });
      }
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'Карточка обращения с историей' })
  async card(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string) {
    const card = await this.queries.card(id);
    if (!card) throw new NotFoundException({ statusCode: 404, message: 'Обращение не найдено' });
    return card;
  }
}
