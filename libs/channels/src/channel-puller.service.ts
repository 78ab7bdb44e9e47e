import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rootLogger } from '@inbox/common';
import { ConnectorError, ConnectorErrorCode, type PullPage } from '@inbox/integrations/contract';
import { type ConnectorKind } from './channel-accounts';
import { ChannelIntake } from './channel-intake.service';
import { ChannelRegistry, type ChannelEntry } from './channel-registry.service';
import { InboundEvents } from './inbound-events.service';

/** What some connectors add to a page: inputs they could not read, and inputs they chose not to register. */
type ExtendedPage = PullPage & {
  rejected?: { externalId?: string; reason: string; raw?: unknown }[];
  skipped?: { externalId?: string; reason: string }[];
};

export interface PullReport {
  kind: ConnectorKind;
  ran: boolean;
  pages: number;
  items: number;
  duplicates: number;
  events: number;
  quarantined: number;
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
    private readonly dataSource: DataSource,
    private readonly registry: ChannelRegistry,
    private readonly intake: ChannelIntake,
    private readonly events: InboundEvents,
  ) {}

  async pull(
    kind: ConnectorKind,
    options: { maxPages?: number; limit?: number; now?: Date } = {},
  ): Promise<PullReport> {
    const report: PullReport = {
      kind,
      ran: false,
      pages: 0,
      items: 0,
      duplicates: 0,
      events: 0,
      quarantined: 0,
    };
    const entry = this.registry.get(kind);
    if (!entry?.connector.pull) return report;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [`pull:${entry.account.id}`],
      )) as { locked: boolean }[];
      if (!locked) return report;
      try {
        const [state] = (await runner.query(
          `SELECT cursor, next_pull_at FROM channel_accounts WHERE id = $1`,
          [entry.account.id],
        )) as { cursor: unknown; next_pull_at: Date | null }[];
        const now = options.now ?? new Date();
        if (state.next_pull_at && new Date(state.next_pull_at) > now) return report;
        report.ran = true;
        await this.pages(entry, state.cursor, report, options);
        await runner.query(
          `UPDATE channel_accounts SET sync_stage = 'idle', last_pull_at = now(), last_success_at = now(),
                  consecutive_failures = 0, next_pull_at = NULL WHERE id = $1`,
          [entry.account.id],
        );
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [
          `pull:${entry.account.id}`,
        ]);
      }
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
      await this.recordFailure(entry, error);
    } finally {
      await runner.release();
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
      await this.dataSource.query(`UPDATE channel_accounts SET sync_stage = 'pulling' WHERE id = $1`, [
        entry.account.id,
      ]);
      const result = (await entry.connector.pull!(
        entry.account,
        cursor,
        options.limit ?? 100,
      )) as ExtendedPage;
      report.pages++;
      const stored = await this.intake.storeItems(entry, result.items, { cursor: result.nextCursor ?? null });
      report.items += stored.filter((s) => !s.duplicate).length;
      report.duplicates += stored.filter((s) => s.duplicate).length;
      const quarantined = [...(result.rejected ?? [])];
      if (quarantined.length > 0) {
        await this.dataSource.query(
          `INSERT INTO quarantined_inputs (channel, account_id, external_id, reason, raw)
           SELECT $1, $2, q.external_id, q.reason, q.raw FROM jsonb_to_recordset($3::jsonb)
             AS q(external_id text, reason text, raw jsonb)`,
          [
            entry.account.channel,
            entry.account.id,
            JSON.stringify(
              quarantined.map((q) => ({
                external_id: q.externalId ?? null,
                reason: q.reason,
                raw: q.raw ?? null,
              })),
            ),
          ],
        );
        await this.dataSource.query(
          `UPDATE channel_accounts SET items_quarantined = items_quarantined + $2 WHERE id = $1`,
          [entry.account.id, quarantined.length],
        );
        report.quarantined += quarantined.length;
        this.log.warn('inputs quarantined', { kind: entry.kind, count: quarantined.length });
      }
      await this.events.handle(result.events, entry);
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
    const [row] = (await this.dataSource.query(
      `SELECT consecutive_failures FROM channel_accounts WHERE id = $1`,
      [entry.account.id],
    )) as { consecutive_failures: number }[];
    const failures = (row?.consecutive_failures ?? 0) + 1;
    const retryAfter = error instanceof ConnectorError ? error.details.retryAfterMs : undefined;
    const backoff = Math.min(MAX_BACKOFF_MS, retryAfter ?? 2000 * 2 ** Math.min(failures - 1, 12));
    await this.dataSource.query(
      `UPDATE channel_accounts SET sync_stage = $2, last_error = $3, last_error_at = now(),
              consecutive_failures = $4, next_pull_at = now() + make_interval(secs => $5),
              cursor = CASE WHEN $6 THEN NULL ELSE cursor END WHERE id = $1`,
      [
        entry.account.id,
        code === ConnectorErrorCode.AuthFailed ? 'auth-failed' : 'backing-off',
        `${code}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000),
        failures,
        backoff / 1000,
        code === ConnectorErrorCode.CursorInvalid,
      ],
    );
    this.log.warn('pull failed', { kind: entry.kind, code, failures, backoffMs: backoff });
  }
}
