import { gunzipSync, gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { type Db, Transactions } from '@inbox/database';
import { type ModelFile, TextClassifier } from '@inbox/text-classifier';
import {
  ClassifierModelsRepository,
  type ModelStatus,
  type ModelSummary,
} from '../repositories/classifier-models.repository';
import { TOPIC_TARGET } from './appeal-input';

export { type ModelStatus, type ModelSummary };

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

  constructor(
    private readonly models: ClassifierModelsRepository,
    private readonly transactions: Transactions,
  ) {}

  /**
   * The promoted model, or undefined when none has been promoted yet. `db`: the caller's transaction, when it
   * holds one (the check and a load then read on its connection, never waiting for the pool's).
   */
  async promoted(target = TOPIC_TARGET, db?: Db): Promise<LoadedModel | undefined> {
    const now = Date.now();
    if (this.current && now - this.current.checkedAt < ModelRegistry.CHECK_MS) return this.current.model;
    const id = (await this.models.promotedId(target, db)) ?? null;
    if (this.current && this.current.id === id) {
      this.current.checkedAt = now;
      return this.current.model;
    }
    const model = id ? this.load(id, db) : undefined;
    this.current = { id, model, checkedAt: now };
    model?.catch(() => {
      if (this.current?.model === model) this.current = undefined;
    });
    return model;
  }

  invalidate(): void {
    this.current = undefined;
  }

  async load(id: string, db?: Db): Promise<LoadedModel> {
    const file = await this.models.file(id, db);
    if (!file) throw new Error(`classifier model ${id} has no stored file`);
    const model = JSON.parse(gunzipSync(file).toString('utf8')) as ModelFile;
    return { id, classifier: TextClassifier.fromModelFile(model, `classifier_models/${id}`) };
  }

  /** Stores a trained model with its scores; returns its id. */
  async save(
    classifier: TextClassifier,
    input: { status: ModelStatus; scores: Record<string, unknown>; trainedRows: number; target?: string },
    db?: Db,
  ): Promise<string> {
    const file = gzipSync(Buffer.from(JSON.stringify(classifier.toModelFile()), 'utf8'), { level: 6 });
    return this.models.insert(
      {
        target: input.target ?? TOPIC_TARGET,
        status: input.status,
        trainedRows: input.trainedRows,
        scores: input.scores,
        file,
      },
      db,
    );
  }

  /** Makes the model the promoted one of its target; the previous one is retired (one transaction). */
  async promote(id: string, db?: Db): Promise<void> {
    const work = async (tx: Db) => {
      const target = await this.models.lockTarget(id, tx);
      if (!target) throw new Error(`classifier model ${id} does not exist`);
      await this.models.promote(id, target, tx);
    };
    if (db) await work(db);
    else await this.transactions.run(work);
    this.invalidate();
  }

  list(target?: string): Promise<ModelSummary[]> {
    return this.models.list(target);
  }

  /** The gzipped model file, as `npm run classifier -- eval --model <file.json.gz>` reads it. */
  file(id: string): Promise<Buffer | undefined> {
    return this.models.file(id);
  }
}
