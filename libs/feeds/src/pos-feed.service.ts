import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type AppealEventRecord,
  AppealEventHooks,
  type ChannelEntry,
  ChannelIntake,
  ChannelRegistry,
  type HookOutcome,
} from '@inbox/channels';
import { allowedChannelFile, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  Channel,
  ConnectorError,
  ConnectorErrorCode,
  type InboundItem,
  remoteFileRefusal,
  type StatusUpdate,
} from '@inbox/integrations/contract';
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
    private readonly intake: ChannelIntake,
  ) {}

  onModuleInit(): void {
    this.hooks.onBatch('pos-status', Channel.Pos, [...POS_STATUS_EVENTS], (events) =>
      this.onStatusEvents(events),
    );
    this.hooks.onBatch('pos-files', Channel.Pos, ['received', 'follow-up-received'], (events) =>
      this.onReceived(events),
    );
    this.hooks.onBatch('pos-history', Channel.Pos, ['received'], (events) => this.onReceivedHistory(events));
    this.intake.onRepeatedItems(Channel.Pos, (repeated) => this.onRepeated(repeated));
    this.runner.register('pos-status', (row) => this.push(row));
    this.runner.register('pos-files', (row) => this.fetchFiles(row));
  }

  /**
   * The status pushes a batch of history events owes ПОС, recorded set-based (the appeals' facts, the
   * organisations named and the actions: one statement each). An event whose ПОС account does not work now
   * fails alone and backs off.
   */
  async onStatusEvents(events: AppealEventRecord[]): Promise<Map<string, HookOutcome>> {
    const facts = await this.feeds.appealChannelFacts(events.map((e) => e.appealId));
    const orgs = await this.feeds.organisations(events.flatMap(statusOrganisationIds));
    const organisations = new Map(orgs.map((o) => [o.id, o]));
    const outcomes = new Map<string, HookOutcome>();
    const actions: (Parameters<FeedActions['schedule']>[0][number] & { event: AppealEventRecord })[] = [];
    for (const event of events) {
      outcomes.set(event.id, 'done');
      const appeal = facts.get(event.appealId);
      if (!appeal) continue;
      let entry: ChannelEntry | undefined;
      try {
        entry = await this.account(appeal.accountId);
      } catch (error) {
        outcomes.set(event.id, { failed: error });
        continue;
      }
      const decision = posStatusUpdate(event, {
        externalId: appeal.externalId,
        timeZone: appeal.timeZone,
        organisations,
        posIds: posIdsOf(entry),
      });
      if (!decision) continue;
      actions.push({
        event,
        kind: 'pos-status',
        dedupeKey: `event:${event.id}`,
        appealId: event.appealId,
        accountId: entry?.account.id ?? appeal.accountId ?? undefined,
        payload: 'update' in decision ? { update: decision.update } : { eventType: event.type },
        skipReason: 'skip' in decision ? decision.skip : undefined,
      });
    }
    const scheduled = await this.actions.schedule(actions.map(({ event: _, ...action }) => action));
    let pushes = 0;
    for (const { event, dedupeKey, skipReason } of actions) {
      if (!scheduled.has(dedupeKey)) continue;
      if (skipReason === undefined) pushes++;
      // Kept in feed_actions with the reason; ПОС will not hear of this step.
      else
        this.log.warn('ПОС status not reported', {
          appealId: event.appealId,
          eventId: event.id,
          type: event.type,
        });
    }
    if (pushes > 0) this.runner.trigger('pos-status');
    return outcomes;
  }

  /**
   * What ПОС itself recorded of the message, on the appeal's timeline: its current status (statusText, factId,
   * warnings) and each entry of its history[]; and the recipient organisation's requisites into the directory,
   * for the organisation the account maps that ПОС organisation (opaId) to. The items are read for the batch at
   * once; each event's own writes fail and back off alone.
   */
  async onReceivedHistory(events: AppealEventRecord[]): Promise<Map<string, HookOutcome>> {
    const facts = await this.feeds.itemFacts(events.map((e) => e.appealId));
    const outcomes = new Map<string, HookOutcome>();
    for (const event of events) {
      try {
        await this.recordHistory(event.appealId, facts.get(event.appealId));
        outcomes.set(event.id, 'done');
      } catch (error) {
        outcomes.set(event.id, { failed: error });
      }
    }
    return outcomes;
  }

  /**
   * A message ПОС sent again because its record changed after we registered it (moderated, forwarded, postponed,
   * taken to work or answered in ПОС — by ПОС's staff or by our own status events): the history entries its
   * appeal's timeline lacks are added, each once (keyed by its place in ПОС's history, as at registration).
   * Registration takes only the first copy, so these changes were read and dropped. A message not yet an appeal
   * is left for its registration, and the next repeat (ПОС sends the whole history each time) has them all.
   */
  async onRepeated(repeated: { inboundItemId: string; item: InboundItem }[]): Promise<void> {
    const appeals = await this.feeds.appealsOfItems(repeated.map((r) => r.inboundItemId));
    for (const { inboundItemId, item } of repeated) {
      const appealId = appeals.get(inboundItemId);
      if (!appealId) continue;
      const history = posChannelEvents(item.features ?? {}).filter((e) => e.type === 'pos-history');
      const added = await this.feeds.appendChannelEvents(appealId, history);
      if (added > 0)
        this.log.info('ПОС history of a registered message brought up to date', { appealId, added });
    }
  }

  private async recordHistory(
    appealId: string,
    facts: { features: Record<string, string>; addresseeId?: string; accountId: string | null } | undefined,
  ): Promise<void> {
    if (!facts) return;
    await this.feeds.appendChannelEvents(appealId, posChannelEvents(facts.features));
    const requisites = posRequisites(facts.features);
    if (!facts.addresseeId || !requisites) return;
    const posIds = posIdsOf(await this.account(facts.accountId));
    const code = Object.entries(posIds).find(([, posId]) => String(posId) === facts.addresseeId)?.[0];
    const [organisationId] = code ? await this.directory.idsByCodes([code]) : [];
    if (organisationId) await this.directory.recordRequisites(organisationId, requisites, 'pos');
  }

  /** The batch's items with files ПОС only referenced: one read, one statement recording their fetches. */
  async onReceived(events: AppealEventRecord[]): Promise<void> {
    const received = events.flatMap((event) => {
      const inboundItemId = event.data?.inboundItemId;
      return typeof inboundItemId === 'string' ? [{ appealId: event.appealId, inboundItemId }] : [];
    });
    const withFiles = new Map(
      (
        await this.feeds.itemsWithRemoteFiles(
          received.map((r) => r.appealId),
          received.map((r) => r.inboundItemId),
        )
      ).map((item) => [item.inboundItemId, item.accountId]),
    );
    const fallback = this.registry.get('pos')?.account.id;
    const scheduled = await this.actions.schedule(
      received
        .filter((r) => withFiles.has(r.inboundItemId))
        .map((r) => ({
          kind: 'pos-files' as const,
          dedupeKey: `item:${r.inboundItemId}`,
          appealId: r.appealId,
          accountId: withFiles.get(r.inboundItemId) ?? fallback,
          payload: { inboundItemId: r.inboundItemId },
        })),
    );
    if (scheduled.size > 0) this.runner.trigger('pos-files');
  }

  /** Idempotent on ПОС's side too: the connector keys the event by message, status and instant. */
  async push(row: FeedActionRow): Promise<void> {
    const entry = await this.account(row.account_id);
    if (!entry?.connector.pushStatus) {
      throw posNotConfigured();
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
      throw posNotConfigured();
    }
    const files = await this.feeds.remoteFiles(String(row.payload.inboundItemId));
    for (const file of files) {
      let fetched;
      try {
        fetched = await entry.connector.fetchAttachment(entry.account, file.remote_ref);
      } catch (error) {
        // Gone, over the connector's answer limit (not downloaded, as a file over our own limit would be refused),
        // or refused by ПОС: that file is marked so for staff, and the message's other files are still fetched.
        // Before, a refusal failed the whole action for good and the files after it stayed unfetched.
        const refusal = remoteFileRefusal(error);
        if (refusal) {
          await this.reject(file.id, refusal);
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

/**
 * No ПОС account works in this process (none configured, or all removed): the action waits for one. Said to the
 * administrator in Russian, as it is (the runner stores it without a code before it), not as an English line.
 */
function posNotConfigured(): ConnectorError {
  return new ConnectorError(
    ConnectorErrorCode.Temporary,
    'ПОС не подключён: нет работающей учётной записи ПОС. Действие выполнится, когда администратор её настроит',
    { toAdministrator: true },
  );
}

/** Our organisations a status event names: those escalated or forwarded to. */
function statusOrganisationIds(event: AppealEventRecord): string[] {
  const d = event.data ?? {};
  return [
    ...(Array.isArray(d.organisationIds) ? d.organisationIds : []),
    ...(typeof d.toOrganisationId === 'string' ? [d.toOrganisationId] : []),
  ].filter((id): id is string => typeof id === 'string');
}

/** The account's map of our organisation codes to ПОС's organisation ids. */
function posIdsOf(entry: ChannelEntry | undefined): Record<string, string> {
  return (entry?.account.settings.organisations ?? {}) as Record<string, string>;
}
