import { Inject, Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { KB_REQUEST_AT_RISK_HOURS, KB_REVIEW_AT_RISK_DAYS, KNOWLEDGE_CLOCK_RU } from './knowledge-terms';
import { KnowledgeRepository } from './knowledge.repository';

export interface KnowledgeSweepResult {
  marks: number;
  /** New marks per 'clock/kind', e.g. { 'kb-approval/overdue': 1 }. */
  byClock: Record<string, number>;
  /** Notifications written item by item (the owner, the organisation's own supervisors). */
  notifications: number;
  /** Supervisors' counted notices (one per organisation, kind and day) written or updated. */
  digests: number;
}

/**
 * Marks the KB clocks (send, approval, publication, quarterly review) at risk and overdue, once each, and
 * notifies the owner and the organisation's supervisors, and those over it counted, like the appeal clocks' watcher. Run by the worker on the clocks'
 * schedule; safe to run from several workers at once.
 */
@Injectable()
export class KnowledgeWatcher {
  private readonly log = rootLogger.child('knowledge-clocks');

  constructor(@Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository) {}

  /** Sweeps up to `now`: by default the database's now(), the same for every worker whatever its own clock. */
  async sweep(now?: Date): Promise<KnowledgeSweepResult> {
    const rows = await this.repo.sweepClocks(
      now,
      { requestSeconds: KB_REQUEST_AT_RISK_HOURS * 3600, reviewSeconds: KB_REVIEW_AT_RISK_DAYS * 86_400 },
      KNOWLEDGE_CLOCK_RU,
    );
    const result: KnowledgeSweepResult = { marks: 0, byClock: {}, notifications: 0, digests: 0 };
    for (const row of rows) {
      if (row.what === 'mark' && row.key) {
        result.byClock[row.key] = row.n;
        result.marks += row.n;
      } else if (row.what === 'notification') result.notifications = row.n;
      else if (row.what === 'digest') result.digests = row.n;
    }
    if (result.marks > 0) this.log.info('knowledge clock marks recorded', { ...result });
    return result;
  }
}
