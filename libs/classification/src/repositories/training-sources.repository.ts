import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

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

/** Items carrying the demo generator's label (inbound_items_demo_label_idx, migration LabelledAppealIndexes). */
const DEMO = `(i.payload->'features') ? 'demoTopic'`;

/**
 * Appeals a person classified and demo appeals, newest first, up to $1. Gathered from the partial index of each
 * kind of label (migration LabelledAppealIndexes), then read by key (`= ANY (ARRAY(…))`, the item by a subquery:
 * the planner, seeing up to $1 of them, would otherwise hash the whole of inbound_items). A scan of appeals and
 * inbound items took 13.4 s at 1 M appeals (test/integration/labelled-appeals-plan.test.ts).
 */
export const LABELLED_APPEALS_SQL = `
  WITH labelled AS (
    (SELECT id FROM appeals WHERE classification_state = 'confirmed' AND topic_id IS NOT NULL
      ORDER BY registered_at DESC, id DESC LIMIT $1)
    UNION SELECT appeal_id FROM appeal_events WHERE type = 'classified'
    UNION SELECT a.id FROM inbound_items i JOIN appeals a ON a.inbound_item_id = i.id WHERE ${DEMO}
  )
  SELECT * FROM (
    SELECT a.id, a.subject, a.text, a.channel, a.channel_category, a.territory_code,
           (SELECT i.payload->'features' FROM inbound_items i WHERE i.id = a.inbound_item_id) AS features,
           a.topic_id, a.subtopic_id, a.registered_at, (${HUMAN}) AS human,
           EXISTS (SELECT 1 FROM classification_corrections c WHERE c.appeal_id = a.id AND c.kind = 'topic')
             AS corrected
      FROM appeals a WHERE a.id = ANY (ARRAY(SELECT id FROM labelled))
  ) x
   WHERE x.human OR x.features ? 'demoTopic'
   ORDER BY x.registered_at DESC, x.id DESC LIMIT $1`;

/** Whether any CSV example or demo-labelled appeal exists, by index (migration LabelledAppealIndexes). */
export const ANY_LABELS_SQL = `
  SELECT EXISTS (SELECT 1 FROM classification_examples)
      OR EXISTS (SELECT 1 FROM inbound_items i JOIN appeals a ON a.inbound_item_id = i.id WHERE ${DEMO}) AS ok`;

/** What the topic model learns from besides uploaded examples: topics and labelled appeals. */
@Injectable()
export class TrainingSourcesRepository extends SqlRepository {
  topics(): Promise<LabelTopic[]> {
    return this.rows<LabelTopic>(`SELECT id, code, parent_id, active FROM topics`);
  }

  /** Appeals a person classified, and demo appeals with their labels, newest first. */
  labelledAppeals(maxRows: number, db: Db = this.pool): Promise<LabelledAppeal[]> {
    return this.rows<LabelledAppeal>(LABELLED_APPEALS_SQL, [maxRows], db);
  }

  /** Is there anything to bootstrap a first model from (labelled demo appeals, CSV examples)? */
  async anyLabels(): Promise<boolean> {
    const row = await this.one<{ ok: boolean }>(ANY_LABELS_SQL);
    return row!.ok;
  }
}
