import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

export type ModelStatus = 'candidate' | 'promoted' | 'rejected' | 'retired';

export interface ModelSummary {
  id: string;
  target: string;
  path: string;
  status: ModelStatus;
  trainedRows: number;
  scores: Record<string, unknown>;
  sizeBytes: number | null;
  createdAt: Date;
  promotedAt: Date | null;
}

export interface NewModel {
  target: string;
  status: ModelStatus;
  trainedRows: number;
  scores: Record<string, unknown>;
  /** The gzipped model file. */
  file: Buffer;
}

/** `classifier_models`: every trained model (gzipped file and scores), at most one promoted per target. */
@Injectable()
export class ClassifierModelsRepository extends SqlRepository {
  async promotedId(target: string, db: Db = this.pool): Promise<string | undefined> {
    return (
      await this.one<{ id: string }>(
        `SELECT id FROM classifier_models WHERE target = $1 AND status = 'promoted'`,
        [target],
        db,
      )
    )?.id;
  }

  /** The gzipped model file, or undefined when there is no such model (or it has none). */
  async file(id: string, db: Db = this.pool): Promise<Buffer | undefined> {
    return (
      (
        await this.one<{ model: Buffer | null }>(
          `SELECT model FROM classifier_models WHERE id = $1`,
          [id],
          db,
        )
      )?.model ?? undefined
    );
  }

  async insert(model: NewModel, db: Db = this.pool): Promise<string> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO classifier_models (target, path, status, trained_rows, scores, model)
       VALUES ($1, 'pending', $2, $3, $4, $5) RETURNING id`,
      [model.target, model.status, model.trainedRows, model.scores, model.file],
      db,
    );
    const id = row!.id;
    await db.query(`UPDATE classifier_models SET path = $2 WHERE id = $1`, [
      id,
      `db:classifier_models/${id}`,
    ]);
    return id;
  }

  /** Locks the model's row; its target, or undefined when there is no such model. */
  async lockTarget(id: string, db: Db): Promise<string | undefined> {
    return (
      await this.one<{ target: string }>(
        `SELECT target FROM classifier_models WHERE id = $1 FOR UPDATE`,
        [id],
        db,
      )
    )?.target;
  }

  /** Retires the target's promoted model (other than `id`) and promotes `id`: call inside one transaction. */
  async promote(id: string, target: string, db: Db): Promise<void> {
    await db.query(
      `UPDATE classifier_models SET status = 'retired' WHERE target = $1 AND status = 'promoted' AND id <> $2`,
      [target, id],
    );
    await db.query(`UPDATE classifier_models SET status = 'promoted', promoted_at = now() WHERE id = $1`, [
      id,
    ]);
  }

  async list(target?: string, limit = 200): Promise<ModelSummary[]> {
    return this.rows<ModelSummary>(
      `SELECT id, target, path, status, trained_rows AS "trainedRows", scores, octet_length(model) AS "sizeBytes",
              created_at AS "createdAt", promoted_at AS "promotedAt"
         FROM classifier_models WHERE ($1::text IS NULL OR target = $1)
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [target ?? null, limit],
    );
  }
}
