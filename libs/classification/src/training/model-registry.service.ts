import { gunzipSync, gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type ModelFile, TextClassifier } from '@inbox/text-classifier';
import { TOPIC_TARGET } from './appeal-input';

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

export interface LoadedModel {
  id: string;
  classifier: TextClassifier;
}

/**
 * Classifier models live in the database (gzipped model files): every worker and api process, on any
 * machine, loads the promoted one from there. The promoted id is re-checked every few seconds, so a
 * promotion elsewhere applies within CHECK_MS; the model itself is loaded once per promotion.
 */
@Injectable()
export class ModelRegistry {
  static readonly CHECK_MS = 5_000;
  private current?: { id: string | null; model?: Promise<LoadedModel>; checkedAt: number };

  constructor(private readonly dataSource: DataSource) {}

  /** The promoted model, or undefined when none has been promoted yet. */
  async promoted(target = TOPIC_TARGET): Promise<LoadedModel | undefined> {
    const now = Date.now();
    if (this.current && now - this.current.checkedAt < ModelRegistry.CHECK_MS) return this.current.model;
    const [row] = (await this.dataSource.query(
      `SELECT id FROM classifier_models WHERE target = $1 AND status = 'promoted'`,
      [target],
    )) as { id: string }[];
    const id = row?.id ?? null;
    if (this.current && this.current.id === id) {
      this.current.checkedAt = now;
      return this.current.model;
    }
    const model = id ? this.load(id) : undefined;
    this.current = { id, model, checkedAt: now };
    model?.catch(() => {
      if (this.current?.model === model) this.current = undefined;
    });
    return model;
  }

  invalidate(): void {
    this.current = undefined;
  }

  async load(id: string): Promise<LoadedModel> {
    const [row] = (await this.dataSource.query(`SELECT model FROM classifier_models WHERE id = $1`, [
      id,
    ])) as {
      model: Buffer | null;
    }[];
    if (!row?.model) throw new Error(`classifier model ${id} has no stored file`);
    const file = JSON.parse(gunzipSync(row.model).toString('utf8')) as ModelFile;
    return { id, classifier: TextClassifier.fromModelFile(file, `classifier_models/${id}`) };
  }

  /** Stores a trained model with its scores; returns its id. */
  async save(
    classifier: TextClassifier,
    input: { status: ModelStatus; scores: Record<string, unknown>; trainedRows: number; target?: string },
    db: EntityManager = this.dataSource.manager,
  ): Promise<string> {
    const bytes = gzipSync(Buffer.from(JSON.stringify(classifier.toModelFile()), 'utf8'), { level: 6 });
    const [{ id }] = (await db.query(
      `INSERT INTO classifier_models (target, path, status, trained_rows, scores, model)
       VALUES ($1, 'pending', $2, $3, $4, $5) RETURNING id`,
      [input.target ?? TOPIC_TARGET, input.status, input.trainedRows, input.scores, bytes],
    )) as { id: string }[];
    await db.query(`UPDATE classifier_models SET path = $2 WHERE id = $1`, [
      id,
      `db:classifier_models/${id}`,
    ]);
    return id;
  }

  /** Makes the model the promoted one of its target; the previous one is retired (one transaction). */
  async promote(id: string, db?: EntityManager): Promise<void> {
    const work = async (tx: EntityManager) => {
      const [row] = (await tx.query(`SELECT target FROM classifier_models WHERE id = $1 FOR UPDATE`, [
        id,
      ])) as {
        target: string;
      }[];
      if (!row) throw new Error(`classifier model ${id} does not exist`);
      await tx.query(
        `UPDATE classifier_models SET status = 'retired' WHERE target = $1 AND status = 'promoted' AND id <> $2`,
        [row.target, id],
      );
      await tx.query(`UPDATE classifier_models SET status = 'promoted', promoted_at = now() WHERE id = $1`, [
        id,
      ]);
    };
    if (db) await work(db);
    else await this.dataSource.transaction(work);
    this.invalidate();
  }

  async list(target?: string): Promise<ModelSummary[]> {
    return (await this.dataSource.query(
      `SELECT id, target, path, status, trained_rows AS "trainedRows", scores, octet_length(model) AS "sizeBytes",
              created_at AS "createdAt", promoted_at AS "promotedAt"
         FROM classifier_models ${target ? 'WHERE target = $1' : ''}
        ORDER BY created_at DESC, id DESC LIMIT 200`,
      target ? [target] : [],
    )) as ModelSummary[];
  }

  /** The gzipped model file, as `npm run classifier -- eval --model <file.json.gz>` reads it. */
  async file(id: string): Promise<Buffer | undefined> {
    const [row] = (await this.dataSource.query(`SELECT model FROM classifier_models WHERE id = $1`, [
      id,
    ])) as {
      model: Buffer | null;
    }[];
    return row?.model ?? undefined;
  }
}
