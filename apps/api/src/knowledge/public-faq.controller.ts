import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { PublicFaq } from '@inbox/knowledge';
import { PublicFaqQuery, PublicFaqSearchQuery } from './knowledge.dto';
import { PublicFaqEntryDto, PublicFaqHitDto } from './knowledge.responses';
import { PublicController } from '../public-controller';

/** The FAQ for citizens, so that one may find the answer before writing (organisations that allow it). */
@PublicController('api/v1/public/faq', 'public')
export class PublicFaqController {
  constructor(private readonly faq: PublicFaq) {}

  @Get()
  @ApiOperation({ summary: 'Частые вопросы и ответы (опубликованные организациями для граждан)' })
  @ApiOkResponse({ type: [PublicFaqEntryDto] })
  list(@Query() query: PublicFaqQuery) {
    return this.faq.list(query.topicId);
  }

  @Get('search')
  @ApiOperation({ summary: 'Поиск ответа на вопрос гражданина среди частых вопросов' })
  @ApiOkResponse({ type: [PublicFaqHitDto] })
  search(@Query() query: PublicFaqSearchQuery) {
    return this.faq.search(query.q, 5);
  }
}
