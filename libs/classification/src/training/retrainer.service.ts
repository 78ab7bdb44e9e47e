import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { AdvisoryLocks } from '@inbox/database';
import {
  CLASS_WEIGHT_CANDIDATES,
  evaluatePredictions,
  type LabelledExample,
  type TextClassifier,
  trainOffThread,
} from '@inbox/text-classifier';
import { TrainingSourcesRepository } from '../repositories/training-sources.repository';
import { FEATURE_COLUMNS, promotionDecision, type SliceScores, splitHeldBack } from './appeal-input';
import { ModelRegistry } from './model-registry.service';
import { TrainingSet } from './training-set.service';

export type RetrainReason = 'schedule' | 'manual' | 'bootstrap';

export type RetrainOutcome =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'not-enough-data'; reason: string; rows: number; labels: number }
  | { outcome: 'promoted' | 'rejected'; modelId: string; reason: string; scores: Record<string, unknown> };

/** Fewer labelled rows or labels than this and there is nothing worth training. */
export const MIN_TRAINING_ROWS = 10;
const LOCK = 'classifier-retrain';

/**
 * Trains a candidate topic model on the labelled history (CSV examples, appeals people classified, clerks'
 * corrections counted double) and promotes it only when it scores no worse than the current model on the
 * held-back slice — rows no model ever trains on. Every candidate, promoted or not, is kept with its scores.
 * One retraining at a time across all workers (an advisory lock).
 */
@Injectable()
export class Retrainer {
  private readonly log = rootLogger.child('classifier-training');

  constructor(
    private readonly locks: AdvisoryLocks,
    private readonly sources: TrainingSourcesRepository,
    private readonly config: AppConfig,
    private readonly registry: ModelRegistry,
    private readonly trainingSet: TrainingSet,
  ) {}

  async retrain(
    reason: RetrainReason,
    options: { requestedBy?: string; onProgress?: (percent: number) => void } = {},
  ): Promise<RetrainOutcome> {
    const done = await this.locks.withLock(LOCK, () => this.run(reason, options));
    return done ? done.value : { outcome: 'skipped', reason: 'Переобучение уже идёт' };
  }

  private async run(
    reason: RetrainReason,
    options: { requestedBy?: string; onProgress?: (percent: number) => void },
  ): Promise<RetrainOutcome> {
    const progress = options.onProgress ?? (() => undefined);
    const started = Date.now();
    this.log.info('retraining started', { reason, requestedBy: options.requestedBy ?? null });
    const { rows, sources } = await this.trainingSet.rows(this.config.classifierMaxTrainingRows);
    const labels = new Set(rows.map((r) => r.label)).size;
    this.log.info('training data collected', { rows: rows.length, labels, ...sources });
    progress(10);
    if (rows.length < MIN_TRAINING_ROWS || labels < 2) {
      const why = `Мало размеченных данных: ${rows.length} строк, ${labels} тем (нужно не меньше ${MIN_TRAINING_ROWS} строк и 2 тем)`;
      this.log.info('retraining skipped: not enough data', { rows: rows.length, labels });
      return { outcome: 'not-enough-data', reason: why, rows: rows.length, labels };
    }
    const { train, heldBack } = splitHeldBack(rows, this.config.classifierHeldBackPercent);
    this.log.info('held-back slice', { train: train.length, heldBack: heldBack.length });
    // Off this thread: the worker keeps serving classify jobs while the candidate trains.
    const candidate = await trainOffThread(train, {
      features: { featureColumns: [...FEATURE_COLUMNS] },
      holdout: 0.1,
      holdoutOrder: 'random',
      // √-balanced or balanced, whichever its calibration slice prefers (the CLI and the bench choose alike).
      tuneClassWeight: CLASS_WEIGHT_CANDIDATES,
      source: { trigger: reason, rows: train.length, heldBack: heldBack.length },
      // One solver thread by default, so the serving thread keeps a core (CLASSIFIER_TRAINING_THREADS).
      threads: this.config.classifierTrainingThreads,
      log: (message) => this.log.info(`training: ${message}`),
    });
    progress(70);
    const current = await this.registry.promoted().catch((error: unknown) => {
      this.log.warn('current model could not be loaded; comparing against none', { reason: error });
      return undefined;
    });
    const candidateScores = heldBack.length > 0 ? await scoreOn(candidate, heldBack) : undefined;
    const currentScores =
      current && heldBack.length > 0 ? await scoreOn(current.classifier, heldBack) : undefined;
    progress(85);
    const decision = promotionDecision(candidateScores, currentScores, !!current);
    const latency = candidate.evaluate((heldBack.length > 0 ? heldBack : train).slice(0, 200));
    const scores = {
      trigger: reason,
      requestedBy: options.requestedBy ?? null,
      decision: decision.reason,
      heldBack: {
        candidate: candidateScores ?? null,
        current: currentScores ?? null,
        currentModelId: current?.id ?? null,
      },
      calibration: candidate.metadata.heldOut ?? null,
      temperature: candidate.temperature,
      classWeight: { chosen: candidate.metadata.linear.classWeight, tried: CLASS_WEIGHT_CANDIDATES },
      trainingRows: train.length,
      labels: candidate.labels.length,
      sources,
      msPerItem: latency.msPerItem,
      latencyMs: latency.latencyMs,
      trainingMs: candidate.metadata.trainingMs,
    };
    const modelId = await this.registry.save(candidate, {
      status: decision.promote ? 'candidate' : 'rejected',
      scores,
      trainedRows: train.length,
    });
    if (decision.promote) await this.registry.promote(modelId);
    progress(100);
    this.log.info(decision.promote ? 'model promoted' : 'model rejected', {
      modelId,
      candidate: candidateScores ?? null,
      current: currentScores ?? null,
      msPerItem: latency.msPerItem,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });
    return { outcome: decision.promote ? 'promoted' : 'rejected', modelId, reason: decision.reason, scores };
  }

  /** Whether there is anything to bootstrap a first model from (labelled demo appeals, CSV examples). */
  canBootstrap(): Promise<boolean> {
    return this.sources.anyLabels();
  }
}

/** Scores a slice in chunks, yielding to the event loop between them (the slice can be thousands of rows). */
async function scoreOn(model: TextClassifier, examples: readonly LabelledExample[]): Promise<SliceScores> {
  const predicted: string[] = [];
  for (let i = 0; i < examples.length; i += 200) {
    for (const example of examples.slice(i, i + 200)) predicted.push(model.predict(example, 1).label);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const report = evaluatePredictions(
    examples.map((e) => e.label),
    predicted,
    predicted.map(() => 1),
  );
  return { rows: examples.length, accuracy: report.accuracy, macroF1: report.macroF1 };
}
