import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RoutingEngine } from '@inbox/routing';
import { RouteSuggestDto, RouteSuggestionDto } from './routing.dto';

@ApiTags('routing')
@ApiBearerAuth()
@Controller('api/v1/routing')
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
