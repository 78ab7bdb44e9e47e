import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type CorrectionKind = 'topic' | 'routing';

export interface CorrectionView {
  id: string;
  appealId: string;
  registrationNumber: string;
  kind: CorrectionKind;
  actor: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  modelId: string | null;
  createdAt: Date;
}

export interface NewCorrection {
  appealId: string;
  kind: CorrectionKind;
  /** The history event that carried the person's decision: one correction per event and kind. */
  sourceEventId: string;
  actor: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  modelId?: string | null;
}

/** `classification_corrections`: what clerks changed of the model's (or a colleague's) topic and route. */
@Injectable()
export class ClassificationCorrectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest corrections with the appeal's registration number. */
  async recent(limit = 200): Promise<CorrectionView[]> {
    return (await this.dataSource.query(
      `SELECT c.id::text, c.appeal_id AS "appealId", a.registration_number AS "registrationNumber", c.kind, c.actor,
              c.before, c.after, c.model_id AS "modelId", c.created_at AS "createdAt"
         FROM classification_corrections c JOIN appeals a ON a.id = c.appeal_id
        ORDER BY c.id DESC LIMIT $1`,
      [limit],
    )) as CorrectionView[];
  }

  /** Records a correction once per source event and kind (a replayed event records nothing). */
  async record(correction: NewCorrection): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO classification_corrections (appeal_id, kind, source_event_id, actor, before, after, model_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source_event_id, kind) DO NOTHING`,
      [
        correction.appealId,
        correction.kind,
        correction.sourceEventId,
        correction.actor,
        correction.before,
        correction.after,
        correction.modelId ?? null,
      ],
    );
  }
}
