import { Injectable } from '@nestjs/common';
import { SqlRepository } from '@inbox/database';

/** A topic as training labels need it. */
export interface LabelTopic {
  id: string;
  code: string;
  parent_id: string | null;
  active: boolean;
}

/** A labelled appeal: a person's topic, or the demo generator's label in its features. */
export interface LabelledAppeal {
  id: string;
  subject: string | null;
  text: string;
  channel: string;
  channel_category: { id?: string; subcategoryId?: string } | null;
  territory_code: string | null;
  features: Record<string, unknown> | null;
  topic_id: string | null;
  subtopic_id: string | null;
  human: boolean;
  corrected: boolean;
  registered_at: Date;
}

const HUMAN = `a.topic_id IS NOT NULL AND (a.classification_state = 'confirmed' OR EXISTS (
  SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.type = 'classified'))`;

/** What the topic model learns from besides uploaded examples: topics and labelled appeals. */
@Injectable()
export class TrainingSourcesRepository extends SqlRepository {
  topics(): Promise<LabelTopic[]> {
    return this.rows<LabelTopic>(`SELECT id, code, parent_id, active FROM topics`);
  }

  /** Appeals a person classified, and demo appeals with their labels, newest first. */
  labelledAppeals(maxRows: number): Promise<LabelledAppeal[]> {
    return this.rows<LabelledAppeal>(
      `SELECT a.id, a.subject, a.text, a.channel, a.channel_category, a.territory_code, i.payload->'features' AS features,
              a.topic_id, a.subtopic_id, a.registered_at, (${HUMAN}) AS human,
              EXISTS (SELECT 1 FROM classification_corrections c WHERE c.appeal_id = a.id AND c.kind = 'topic')
                AS corrected
         FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id
        WHERE (${HUMAN}) OR i.payload->'features' ? 'demoTopic'
        ORDER BY a.registered_at DESC, a.id DESC LIMIT $1`,
      [maxRows],
    );
  }

  /** Is there anything to bootstrap a first model from (labelled demo appeals, CSV examples)? */
  async anyLabels(): Promise<boolean> {
    const row = await this.one<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM classification_examples)
           OR EXISTS (SELECT 1 FROM inbound_items i JOIN appeals a ON a.inbound_item_id = i.id
                       WHERE i.payload->'features' ? 'demoTopic') AS ok`,
    );
    return row!.ok;
  }
}
