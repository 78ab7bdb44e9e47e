import {
  Body,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBadRequestResponse, ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { Rubricator } from '@inbox/rubricator';
import {
  CategoryMappingDto,
  ChannelQueryDto,
  CreateTopicDto,
  CsvUploadDto,
  UpdateTopicDto,
} from './classification.dto';
import { uploadedCsv } from './csv-upload';
import { OptionalBool } from '../query-fields';
import { StaffController } from '../staff-controller';
import { AnswerFileInterceptor } from '../staff/answer-file.interceptor';

const TOPIC_ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

class RubricatorQueryDto {
  @OptionalBool('Только действующие темы') activeOnly?: boolean;
}

@StaffController('api/v1/rubricator', 'rubricator', { forbidden: true })
export class RubricatorController {
  constructor(private readonly rubricator: Rubricator) {}

  @Get()
  @ApiOperation({ summary: 'Рубрикатор региона: темы, подтемы и типовые потребности; текущая версия' })
  tree(@Query() query: RubricatorQueryDto) {
    return this.rubricator.tree({ activeOnly: query.activeOnly });
  }

  @Get('versions')
  @ApiOperation({ summary: 'Версии рубрикатора: кто, когда и что изменил' })
  versions() {
    return this.rubricator.versions();
  }

  @Post('topics')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Добавить тему или подтему (новая версия рубрикатора)' })
  @ApiBadRequestResponse({ description: 'Ошибки по полям: { statusCode, message, errors }' })
  create(@Body() body: CreateTopicDto, @Staff() staff: StaffContext) {
    return this.rubricator.create(body, { userId: staff.user.id });
  }

  @Patch('topics/:id')
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Изменить тему: название, раздел, типовые потребности, организацию, действует ли (код не меняется)',
  })
  update(@Param('id', TOPIC_ID) id: string, @Body() body: UpdateTopicDto, @Staff() staff: StaffContext) {
    return this.rubricator.update(id, body, { userId: staff.user.id });
  }

  @Post('import')
  @Roles(Role.Admin)
  @HttpCode(200)
  @UseInterceptors(AnswerFileInterceptor)
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiOperation({
    summary:
      'Импорт рубрикатора из CSV (code, name, parent_code, typical_needs, default_organisation, active): всё или ничего, ошибки — по номерам строк',
  })
  @ApiBadRequestResponse({ description: '{ statusCode, message, errors: [{ line, message }] }' })
  import(
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: CsvUploadDto,
    @Staff() staff: StaffContext,
  ) {
    return this.rubricator.importCsv(
      uploadedCsv(file, body.csv),
      { userId: staff.user.id },
      { dryRun: body.dryRun },
    );
  }

  @Get('channel-categories')
  @ApiOperation({ summary: 'Категории каналов (рубрикатор ПОС) и наши темы, на которые они отображены' })
  categories(@Query() query: ChannelQueryDto) {
    return this.rubricator.channelCategories(query.channel);
  }

  @Put('channel-categories/:channel/:externalId')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Отобразить категорию канала на нашу тему (topicId: null — снять)' })
  map(
    @Param('channel') channel: string,
    @Param('externalId') externalId: string,
    @Body() body: CategoryMappingDto,
    @Staff() staff: StaffContext,
  ) {
    return this.rubricator.mapChannelCategory(channel, externalId, body.topicId ?? null, {
      userId: staff.user.id,
    });
  }
}
