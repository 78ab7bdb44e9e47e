import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppealEventRecord, AppealEventHooks, ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Channel, ConnectorError, ConnectorErrorCode, type StatusUpdate } from '@inbox/integrations/contract';
import { FeedActionRunner } from './feed-action-runner.service';
import { type FeedActionRow, FeedActions } from './feed-actions.service';
import { POS_STATUS_EVENTS, posStatusUpdate } from './pos-status';

/**
 * ПОС after intake: status events pushed back from the appeal's history (taken, postponed, forwarded down
 * and up; the answer goes through delivery), and the files ПОС only referenced fetched into our storage.
 * Hooks only record the work; the remote calls run from feed_actions, so a ПОС outage backs off there
 * without holding up other channels' hooks.
 */
@Injectable()
export class PosFeed implements OnModuleInit {
  private readonly log = rootLogger.child('pos-feed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly hooks: AppealEventHooks,
    private readonly actions: FeedActions,
    private readonly runner: FeedActionRunner,
  ) {}

  onModuleInit(): void {
    this.hooks.on('pos-status', Channel.Pos, [...POS_STATUS_EVENTS], (e) => this.onStatusEvent(e));
    this.hooks.on('pos-files', Channel.Pos, ['received', 'follow-up-received'], (e) => this.onReceived(e));
    this.runner.register('pos-status', (row) => this.push(row));
    this.runner.register('pos-files', (row) => this.fetchFiles(row));
  }

  async onStatusEvent(event: AppealEventRecord): Promise<void> {
    const [appeal] = (await this.dataSource.query(
      `SELECT external_id, time_zone FROM appeals WHERE id = $1`,
      [event.appealId],
    )) as { external_id: string; time_zone: string }[];
    if (!appeal) return;
    const d = event.data ?? {};
    const orgIds = [
      ...(Array.isArray(d.organisationIds) ? d.organisationIds : []),
      ...(typeof d.toOrganisationId === 'string' ? [d.toOrganisationId] : []),
    ].filter((id): id is string => typeof id === 'string');
    const orgs = orgIds.length
      ? ((await this.dataSource.query(
          `SELECT id, code, short_name AS name FROM organisations WHERE id = ANY($1)`,
          [orgIds],
        )) as { id: string; code: string; name: string }[])
      : [];
    const entry = this.registry.get('pos');
    const decision = posStatusUpdate(event, {
      externalId: appeal.external_id,
      timeZone: appeal.time_zone,
      organisations: new Map(orgs.map((o) => [o.id, o])),
      posIds: (entry?.account.settings.organisations ?? {}) as Record<string, string>,
    });
    if (!decision) return;
    const scheduled = await this.actions.schedule({
      kind: 'pos-status',
      dedupeKey: `event:${event.id}`,
      appealId: event.appealId,
      accountId: entry?.account.id,
      payload: 'update' in decision ? { update: decision.update } : { eventType: event.type },
      skipReason: 'skip' in decision ? decision.skip : undefined,
    });
    if (scheduled && 'skip' in decision) {
      // Kept in feed_actions with the reason; ПОС will not hear of this step.
      this.log.warn('ПОС status not reported', {
        appealId: event.appealId,
        eventId: event.id,
        type: event.type,
      });
    }
    if (scheduled && 'update' in decision) this.runner.trigger('pos-status');
  }

  async onReceived(event: AppealEventRecord): Promise<void> {
    const inboundItemId = event.data?.inboundItemId;
    if (typeof inboundItemId !== 'string') return;
    const [{ n }] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM attachments WHERE inbound_item_id = $1 AND status = 'remote' AND remote_ref IS NOT NULL`,
      [inboundItemId],
    )) as { n: number }[];
    if (n === 0) return;
    const scheduled = await this.actions.schedule({
      kind: 'pos-files',
      dedupeKey: `item:${inboundItemId}`,
      appealId: event.appealId,
      accountId: this.registry.get('pos')?.account.id,
      payload: { inboundItemId },
    });
    if (scheduled) this.runner.trigger('pos-files');
  }

  /** Idempotent on ПОС's side too: the connector keys the event by message, status and instant. */
  async push(row: FeedActionRow): Promise<void> {
    const entry = this.registry.get('pos');
    if (!entry?.connector.pushStatus) {
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'ПОС is not configured in this process');
    }
    const update = row.payload.update as StatusUpdate;
    await entry.connector.pushStatus(entry.account, update);
    this.log.info('ПОС status pushed', {
      appealId: row.appeal_id,
      feedActionId: row.id,
      status: update.status,
    });
  }

  /** Each remote file once: stored content-addressed, or rejected with the reason (too large, gone). */
  async fetchFiles(row: FeedActionRow): Promise<void> {
    const entry = this.registry.get('pos');
    if (!entry?.connector.fetchAttachment) {
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'ПОС is not configured in this process');
    }
    const files = (await this.dataSource.query(
      `SELECT id, remote_ref FROM attachments WHERE inbound_item_id = $1 AND status = 'remote' AND remote_ref IS NOT NULL
        ORDER BY created_at, id`,
      [row.payload.inboundItemId],
    )) as { id: string; remote_ref: string }[];
    for (const file of files) {
      let fetched;
      try {
        fetched = await entry.connector.fetchAttachment(entry.account, file.remote_ref);
      } catch (error) {
        if (error instanceof ConnectorError && error.code === ConnectorErrorCode.NotFound) {
          await this.reject(file.id, 'not-found');
          continue;
        }
        throw error;
      }
      if (fetched.content.length > this.config.attachmentMaxBytes) {
        await this.reject(file.id, 'too-large', fetched.content.length);
        continue;
      }
      if (fetched.content.length === 0) {
        await this.reject(file.id, 'empty', 0);
        continue;
      }
      const sha256 = createHash('sha256').update(fetched.content).digest('hex');
      await this.dataSource.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [sha256, fetched.content.length, fetched.content],
        );
        await tx.query(
          `UPDATE attachments SET status = 'stored', sha256 = $2, size = $3, file_name = $4, content_type = $5
            WHERE id = $1 AND status = 'remote'`,
          [file.id, sha256, fetched.content.length, fetched.fileName, fetched.contentType],
        );
      });
    }
    this.log.info('ПОС files fetched', { appealId: row.appeal_id, files: files.length });
  }

  private async reject(attachmentId: string, reason: string, size?: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE attachments SET status = 'rejected', rejection_reason = $2, size = COALESCE($3, size)
        WHERE id = $1 AND status = 'remote'`,
      [attachmentId, reason, size ?? null],
    );
  }
}
