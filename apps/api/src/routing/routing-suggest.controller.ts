import { Body, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RoutingEngine } from '@inbox/routing';
import { RouteSuggestDto, RouteSuggestionDto } from './routing.dto';
import { StaffController } from '../staff-controller';

@StaffController('api/v1/routing', 'routing')
export class RoutingSuggestController {
  constructor(@Inject(RoutingEngine) private readonly engine: RoutingEngine) {}

  @Post('suggest')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Куда направить обращение: по правилам, иначе органу по умолчанию для темы, иначе вручную',
  })
  @ApiBody({ type: RouteSuggestDto })
  @ApiOkResponse({ type: RouteSuggestionDto })
  @ApiBadRequestResponse({ description: 'Ошибки по полям: { statusCode, message, errors }' })
  suggest(@Body() body: RouteSuggestDto): Promise<RouteSuggestionDto> {
    return this.engine.suggest(body);
  }
}
