import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { PublicFaq } from '@inbox/knowledge';
import { PublicFaqQuery, PublicFaqSearchQuery } from './knowledge.dto';
import { PublicFaqEntryDto, PublicFaqHitDto } from './knowledge.responses';
import { PublicController } from '../public-controller';
import { RateLimited } from '../rate-limits/rate-limits';

/**
 * The FAQ for citizens, so that one may find the answer before writing (organisations that allow it). Anyone
 * may call it, each search a full-text query of up to 1 000 characters: limited per address like the other
 * anonymous endpoints.
 */
@PublicController('api/v1/public/faq', 'public')
@RateLimited('faq')
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
