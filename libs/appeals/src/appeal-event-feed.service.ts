import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { type AccessScope } from '@inbox/access';
import { rootLogger } from '@inbox/common';
import { AppealHistoryRepository, type StreamSummary } from './repositories/history.repository';

/** How often the one shared poller looks for new history events. */
export const STREAM_POLL_MS = 2000;

/** What a listener is told after a poll: the new events of appeals in its scope, summed up. */
export type AppealsUpdate = StreamSummary;

interface Listener {
  scope: AccessScope;
  sink: Subscriber<AppealsUpdate | null>;
}

const scopeKey = (scope: AccessScope) =>
  scope.organisationIds === null ? '*' : [...scope.organisationIds].sort().join(',');

/**
 * Live updates for the staff inbox. One poller per process reads what of the history became visible since its
 * last snapshot, every 2 s and only while someone listens; each listener gets the events of appeals in its
 * scope, filtered in SQL by the one scope predicate (one query per distinct scope, not per listener). Following
 * snapshots rather than ids, an event whose transaction took a low id and committed late is still reported.
 */
@Injectable()
export class AppealEventFeed implements OnModuleDestroy {
  private readonly log = rootLogger.child('appeal-stream');
  private readonly listeners = new Set<Listener>();
  private timer?: NodeJS.Timeout;
  private since: string | undefined;
  private polling = false;

  constructor(private readonly history: AppealHistoryRepository) {}

  /**
   * Updates for the scope, from the moment of subscription until unsubscribed. The first value, null, says
   * the listener is registered: nothing that happens after it is missed.
   */
  watch(scope: AccessScope): Observable<AppealsUpdate | null> {
    return new Observable<AppealsUpdate | null>((sink) => {
      const listener: Listener = { scope, sink };
      let closed = false;
      void (async () => {
        if (this.since === undefined) this.since = await this.history.snapshot();
        if (closed) return;
        this.listeners.add(listener);
        sink.next(null);
        this.timer ??= setInterval(() => void this.poll(), STREAM_POLL_MS);
      })().catch((error: unknown) => sink.error(error));
      return () => {
        closed = true;
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
          // Nobody listened meanwhile: the next listener starts from what exists then.
          this.since = undefined;
        }
      };
    });
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const l of this.listeners) l.sink.complete();
    this.listeners.clear();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.since === undefined) return;
    this.polling = true;
    try {
      const groups = new Map<string, Listener[]>();
      for (const l of this.listeners) {
        const key = scopeKey(l.scope);
        groups.set(key, [...(groups.get(key) ?? []), l]);
      }
      const lists = [...groups.values()];
      const { snapshot, summaries } = await this.history.visibleSince(
        this.since,
        lists.map((g) => g[0].scope),
      );
      lists.forEach((group, i) => {
        const update = summaries[i];
        if (update) for (const l of group) l.sink.next(update);
      });
      this.since = snapshot;
    } catch (error) {
      this.log.warn('appeal stream poll failed', { error: error instanceof Error ? error.message : 'error' });
    } finally {
      this.polling = false;
    }
  }
}
