import { Inject, Injectable } from '@nestjs/common';
import { KnowledgeRepository } from './knowledge.repository';

export interface PublicFaqEntry {
  id: string;
  question: string;
  answer: string;
  organisationName: string;
  topicName: string | null;
}

/** A bot's or a page's question shorter than this says too little to search for. */
const MIN_QUESTION_CHARS = 3;
/** Below this score the best FAQ does not answer the citizen's question: the bot says so instead. */
export const PUBLIC_ANSWER_MIN_SCORE = 0.2;

/**
 * The FAQ for citizens (R8 "published to citizens"): only articles marked public, only of organisations that
 * allow it (kb_organisation_settings.public_faq), no internal material. The narrow interface the public pages
 * and the bot use.
 */
@Injectable()
export class PublicFaq {
  constructor(@Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository) {}

  async list(topicId?: string): Promise<(PublicFaqEntry & { topicId: string | null })[]> {
    return this.repo.publicFaq(topicId);
  }

  async search(question: string, limit = 5): Promise<(PublicFaqEntry & { score: number })[]> {
    const text = question.trim().slice(0, 1000);
    if (text.length < MIN_QUESTION_CHARS) return [];
    const hits = await this.repo.search({ text, publicOnly: true, limit: Math.min(Math.max(limit, 1), 10) });
    return hits.map((h) => ({
      id: h.id,
      question: h.question ?? h.title,
      answer: h.body,
      organisationName: h.organisationName,
      topicName: h.topicName,
      score: h.score,
    }));
  }

  /** The one best answer to a citizen's question, or undefined when nothing answers it well enough. */
  async answer(question: string): Promise<PublicFaqEntry | undefined> {
    const [best] = await this.search(question, 1);
    if (!best || best.score < PUBLIC_ANSWER_MIN_SCORE) return undefined;
    return {
      id: best.id,
      question: best.question,
      answer: best.answer,
      organisationName: best.organisationName,
      topicName: best.topicName,
    };
  }
}
