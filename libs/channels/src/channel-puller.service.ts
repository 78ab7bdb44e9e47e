import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AdvisoryLocks } from '@inbox/database';
import { type ConnectorKind } from '@inbox/config';
import { ConnectorError, ConnectorErrorCode, isConnectorKind } from '@inbox/integrations/contract';
import { ChannelAccountsRepository } from './channel-accounts.repository';
import { ChannelIntake } from './channel-intake.service';
import { ChannelRegistry, type ChannelEntry } from './channel-registry.service';
import { InboundEvents } from './inbound-events.service';

export interface PullReport {
  kind: ConnectorKind;
  accountId?: string;
  ran: boolean;
  pages: number;
  items: number;
  duplicates: number;
  events: number;
  quarantined: number;
  /** Inputs the connector left out on purpose (a ПОС message declined by moderation), by count. */
  skipped: number;
  error?: string;
}

const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * One pull of one account: page by page from the stored cursor, each page's items stored together with the
 * next cursor, unreadable inputs quarantined with the reason. One pull per account at a time across all
 * workers (an advisory lock); a failing remote side is backed off exponentially and shown on /health.
 */
@Injectable()
export class ChannelPuller {
  private readonly log = rootLogger.child('channel-puller');

  constructor(
    private readonly locks: AdvisoryLocks,
    private readonly accounts: ChannelAccountsRepository,
    private readonly registry: ChannelRegistry,
    private readonly intake: ChannelIntake,
    private readonly events: InboundEvents,
  ) {}

  /** One pull of an account (by id), or of a kind's default account. */
  async pull(
    target: ConnectorKind | string,
    options: { maxPages?: number; limit?: number; now?: Date } = {},
  ): Promise<PullReport> {
    const entry = isConnectorKind(target) ? this.registry.get(target) : this.registry.byId(target);
    const report: PullReport = {
      kind: entry?.kind ?? (target as ConnectorKind),
      accountId: entry?.account.id,
      ran: false,
      pages: 0,
      items: 0,
      duplicates: 0,
      events: 0,
      quarantined: 0,
      skipped: 0,
    };
    if (!entry?.connector.pull) return report;
    try {
      await this.locks.withLock(`pull:${entry.account.id}`, async () => {
        const state = await this.accounts.pullState(entry.account.id);
        const now = options.now ?? new Date();
        if (state?.nextPullAt && new Date(state.nextPullAt) > now) return;
        report.ran = true;
        await this.pages(entry, state?.cursor, report, options);
        await this.accounts.markPulled(entry.account.id);
      });
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
      await this.recordFailure(entry, error);
    }
    return report;
  }

  private async pages(
    entry: ChannelEntry,
    startCursor: unknown,
    report: PullReport,
    options: { maxPages?: number; limit?: number },
  ) {
    let cursor = startCursor ?? null;
    for (let page = 0; page < (options.maxPages ?? 20); page++) {
      await this.accounts.markPulling(entry.account.id);
      const result = await entry.connector.pull!(entry.account, cursor, options.limit ?? 100);
      report.pages++;
      // The page's events are kept before the cursor moves past them (it is saved with the items): handled
      // inline below, they were lost when the process died before, or when the database refused both their
      // handling and their keeping — the page was not pulled again. Kept first, the worker's sweep has them.
      const kept = await this.intake.keepEvents(entry, result.events);
      const stored = await this.intake.storeItems(entry, result.items, { cursor: result.nextCursor ?? null });
      report.items += stored.filter((s) => !s.duplicate).length;
      report.duplicates += stored.filter((s) => s.duplicate).length;
      const quarantined = result.rejected ?? [];
      if (quarantined.length > 0) {
        await this.accounts.quarantine(entry.account.channel, entry.account.id, quarantined);
        report.quarantined += quarantined.length;
        this.log.warn('inputs quarantined', { kind: entry.kind, count: quarantined.length });
      }
      // Left out on purpose, never unseen: counted, and logged by reason (ids only, no content).
      const skipped = result.skipped ?? [];
      if (skipped.length > 0) {
        report.skipped += skipped.length;
        this.log.info('inputs skipped', {
          kind: entry.kind,
          accountId: entry.account.id,
          count: skipped.length,
          reasons: [...new Set(skipped.map((s) => s.reason))],
          externalIds: skipped.map((s) => s.externalId).filter(Boolean),
        });
      }
      // An event whose handling failed (the database away mid-way) is not pulled again: the cursor moved on. The
      // worker retries the kept events, as a webhook's (those handled already are skipped by their claims).
      const failed = await this.events.handle(result.events, entry);
      if (failed.length > 0) await this.intake.handOverEvents(entry, kept);
      else if (kept) await this.intake.deferredEventsHandled(kept.deferredId);
      report.events += result.events?.length ?? 0;
      // Receipts (МЭДО moves packages) only after the items are safely stored.
      const handled = [
        ...result.items.map((i) => i.externalId),
        ...(result.events ?? []).map((e) => e.externalId),
      ];
      if (entry.connector.acknowledge && handled.length > 0)
        await entry.connector.acknowledge(entry.account, handled);
      cursor = result.nextCursor ?? cursor;
      if (!result.hasMore) break;
    }
  }

  private async recordFailure(entry: ChannelEntry, error: unknown): Promise<void> {
    const code = error instanceof ConnectorError ? error.code : 'Internal';
    const state = await this.accounts.pullState(entry.account.id);
    const failures = (state?.consecutiveFailures ?? 0) + 1;
    const retryAfter = error instanceof ConnectorError ? error.details.retryAfterMs : undefined;
    const backoff = Math.min(MAX_BACKOFF_MS, retryAfter ?? 2000 * 2 ** Math.min(failures - 1, 12));
    // What a person must fix in the account, in the connector's Russian words (the website feed names each setting):
    // the reason as it is, on the admin screen and in the log, with no code before it to decode.
    const settings =
      error instanceof ConnectorError && error.code === ConnectorErrorCode.AuthFailed
        ? error.details.fields
        : undefined;
    const asIs = error instanceof ConnectorError && error.details.toAdministrator === true;
    const message = error instanceof Error ? error.message : String(error);
    await this.accounts.recordFailure(entry.account.id, {
      stage: code === ConnectorErrorCode.AuthFailed ? 'auth-failed' : 'backing-off',
      error: asIs ? message : `${code}: ${message}`,
      failures,
      backoffMs: backoff,
      dropCursor: code === ConnectorErrorCode.CursorInvalid,
    });
    this.log.warn('pull failed', {
      kind: entry.kind,
      accountId: entry.account.id,
      code,
      failures,
      backoffMs: backoff,
      // Credentials or settings refused: what is wrong (no secret's value, no citizen's data is ever in it).
      ...(code === ConnectorErrorCode.AuthFailed ? { reason: message } : {}),
      ...(settings ? { settings: Object.keys(settings) } : {}),
    });
  }
}
