import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { Clock, SystemClock } from '@inbox/common';
import { KnowledgeArticles } from './knowledge-articles.service';
import { KnowledgeGaps } from './knowledge-gaps.service';
import { KnowledgeRequests } from './knowledge-requests.service';
import { KnowledgeSections } from './knowledge-sections.service';
import { KnowledgeWatcher } from './knowledge-watcher.service';
import { KnowledgeRepository } from './knowledge.repository';
import { PublicFaq } from './public-faq.service';

const SERVICES = [
  KnowledgeRepository,
  KnowledgeArticles,
  KnowledgeRequests,
  KnowledgeSections,
  KnowledgeGaps,
  KnowledgeWatcher,
  PublicFaq,
];

/**
 * The knowledge base (R8). Needs the global ConfigModule, DatabaseModule, AccessModule and QueueModule (the
 * appeals workflow closes a call answered on the spot). Time comes from `Clock`, so tests can drive it.
 */
@Module({
  imports: [AppealsModule],
  providers: [...SERVICES, { provide: Clock, useClass: SystemClock }],
  exports: [...SERVICES, Clock],
})
export class KnowledgeModule {}
