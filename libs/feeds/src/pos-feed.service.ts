import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type AppealEventRecord,
  AppealEventHooks,
  type ChannelEntry,
  ChannelRegistry,
} from '@inbox/channels';
import { allowedChannelFile, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Channel, ConnectorError, ConnectorErrorCode, type StatusUpdate } from '@inbox/integrations/contract';
import { OrganisationDirectory } from '@inbox/organisations';
import { FeedActionRunner } from './feed-action-runner.service';
import { type FeedActionRow } from './feed-actions.repository';
import { FeedActions } from './feed-actions.service';
import { FeedsRepository } from './feeds.repository';
import { posChannelEvents, posRequisites } from './pos-history';
import { POS_STATUS_EVENTS, posStatusUpdate } from './pos-status';

/**
 * ПОС after intake: status events pushed back from the appeal's history (taken, postponed, forwarded down
 * and up; the answer goes through delivery), and the files ПОС only referenced fetched into our storage.
 * Hooks only record the work; the remote calls run from feed_actions, so a ПОС outage backs off there
 * without holding up other channels' hooks. Everything goes through the ПОС account the appeal came from (its
 * credentials, its map of our organisations to ПОС's): a status never reaches ПОС as another account's; while
 * that account is disabled the work waits (backing off, its reason shown), as delivery does.
 */
@Injectable()
export class PosFeed implements OnModuleInit {
  private readonly log = rootLogger.child('pos-feed');

  constructor(
    private readonly feeds: FeedsRepository,
    private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly hooks: AppealEventHooks,
    private readonly actions: FeedActions,
    private readonly runner: FeedActionRunner,
    private readonly directory: OrganisationDirectory,
  ) {}

  onModuleInit(): void {
    this.hooks.on('pos-status', Channel.Pos, [...POS_STATUS_EVENTS], (e) => this.onStatusEvent(e));
    this.hooks.on('pos-files', Channel.Pos, ['received', 'follow-up-received'], (e) => this.onReceived(e));
    this.hooks.on('pos-history', Channel.Pos, ['received'], (e) => this.onReceivedHistory(e));
    this.runner.register('pos-status', (row) => this.push(row));
    this.runner.register('pos-files', (row) => this.fetchFiles(row));
  }

  async onStatusEvent(event: AppealEventRecord): Promise<void> {
    const appeal = await this.feeds.appealChannelFacts(event.appealId);
    if (!appeal) return;
    const d = event.data ?? {};
    const orgIds = [
      ...(Array.isArray(d.organisationIds) ? d.organisationIds : []),
      ...(typeof d.toOrganisationId === 'string' ? [d.toOrganisationId] : []),
    ].filter((id): id is string => typeof id === 'string');
    const orgs = await this.feeds.organisations(orgIds);
    const entry = await this.account(appeal.accountId);
    const decision = posStatusUpdate(event, {
      externalId: appeal.externalId,
      timeZone: appeal.timeZone,
      organisations: new Map(orgs.map((o) => [o.id, o])),
      posIds: posIdsOf(entry),
    });
    if (!decision) return;
    const scheduled = await this.actions.schedule({
      kind: 'pos-status',
      dedupeKey: `event:${event.id}`,
      appealId: event.appealId,
      accountId: entry?.account.id ?? appeal.accountId ?? undefined,
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

  /**
   * What ПОС itself recorded of the message, on the appeal's timeline: its current status (statusText, factId,
   * warnings) and each entry of its history[]; and the recipient organisation's requisites into the directory,
   * for the organisation the account maps that ПОС organisation (opaId) to.
   */
  async onReceivedHistory(event: AppealEventRecord): Promise<void> {
    const facts = await this.feeds.itemFacts(event.appealId);
    if (!facts) return;
    await this.feeds.appendChannelEvents(event.appealId, posChannelEvents(facts.features));
    const requisites = posRequisites(facts.features);
    if (!facts.addresseeId || !requisites) return;
    const posIds = posIdsOf(await this.account(facts.accountId));
    const code = Object.entries(posIds).find(([, posId]) => String(posId) === facts.addresseeId)?.[0];
    const [organisationId] = code ? await this.directory.idsByCodes([code]) : [];
    if (organisationId) await this.directory.recordRequisites(organisationId, requisites, 'pos');
  }

  async onReceived(event: AppealEventRecord): Promise<void> {
    const inboundItemId = event.data?.inboundItemId;
    if (typeof inboundItemId !== 'string') return;
    if ((await this.feeds.remoteFiles(inboundItemId)).length === 0) return;
    const accountId = (await this.feeds.itemAccount(inboundItemId)) ?? this.registry.get('pos')?.account.id;
    const scheduled = await this.actions.schedule({
      kind: 'pos-files',
      dedupeKey: `item:${inboundItemId}`,
      appealId: event.appealId,
      accountId,
      payload: { inboundItemId },
    });
    if (scheduled) this.runner.trigger('pos-files');
  }

  /** Idempotent on ПОС's side too: the connector keys the event by message, status and instant. */
  async push(row: FeedActionRow): Promise<void> {
    const entry = await this.account(row.account_id);
    if (!entry?.connector.pushStatus) {
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'ПОС is not configured in this process');
    }
    const update = row.payload.update as StatusUpdate;
    await entry.connector.pushStatus(entry.account, update);
    this.log.info('ПОС status pushed', {
      appealId: row.appeal_id,
      feedActionId: row.id,
      accountId: entry.account.id,
      status: update.status,
    });
  }

  /** Each remote file once: stored content-addressed, or rejected with the reason (too large, gone). */
  async fetchFiles(row: FeedActionRow): Promise<void> {
    const entry = await this.account(row.account_id);
    if (!entry?.connector.fetchAttachment) {
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'ПОС is not configured in this process');
    }
    const files = await this.feeds.remoteFiles(String(row.payload.inboundItemId));
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
      if (!(await allowedChannelFile(fetched.fileName, fetched.content))) {
        await this.reject(file.id, 'type-not-allowed', fetched.content.length);
        continue;
      }
      const sha256 = createHash('sha256').update(fetched.content).digest('hex');
      await this.feeds.storeFile(file.id, {
        sha256,
        content: fetched.content,
        fileName: fetched.fileName,
        contentType: fetched.contentType,
      });
    }
    this.log.info('ПОС files fetched', { appealId: row.appeal_id, files: files.length });
  }

  /**
   * The ПОС account an appeal, item or action belongs to (one without any: the kind's default); undefined when
   * ПОС is not configured here at all. Disabled or not working: a temporary error with the reason, so the hook or
   * the action backs off and shows it, and goes on through that account once it works again.
   */
  private async account(accountId: string | null | undefined): Promise<ChannelEntry | undefined> {
    const entry = await this.registry.deliveryAccount(Channel.Pos, accountId);
    const idle = this.registry.notWorking(accountId);
    if (!entry && idle) throw new ConnectorError(ConnectorErrorCode.Temporary, idle);
    return entry;
  }

  private reject(attachmentId: string, reason: string, size?: number): Promise<void> {
    return this.feeds.rejectFile(attachmentId, reason, size);
  }
}

/** The account's map of our organisation codes to ПОС's organisation ids. */
function posIdsOf(entry: ChannelEntry | undefined): Record<string, string> {
  return (entry?.account.settings.organisations ?? {}) as Record<string, string>;
}
