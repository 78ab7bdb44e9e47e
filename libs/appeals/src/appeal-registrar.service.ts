import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  computeAppealDeadlines,
  escalationDueAt,
  localDateOf,
  ProductionCalendar,
  type AppealDeadlines,
} from '@inbox/deadlines';
import { type StoredInboundItem } from '@inbox/intake/entities';
import { type InboundItem } from '@inbox/integrations/contract';
import { OrganisationDirectory, type OrganisationEntity } from '@inbox/organisations';
import { derivedAccessCode, hashAccessCode, keyedLegacyHash } from './access-code';
import { AppealStatus, OPEN_STATUSES } from './appeal-status';
import {
  type AttachmentRow,
  type InboundItemRow as ItemRow,
  type JoinedAppeal,
  type NewAppeal,
  type NewFollowUp,
  RegistrationRepository,
} from './repositories/registration.repository';
import { checkStoredItem } from './stored-item-check';
import { normalisePhone } from './workflow/escalation-requirements';

export type RegistrationOutcome =
  | {
      kind: 'registered';
      appealId: string;
      registrationNumber: string;
      /** Shown once to the citizen; only its hash is kept. */
      accessCode: string;
      registeredAt: Date;
      organisationId: string;
      /** The appeal's zone (its organisation's): the dates the citizen is shown are read in it. */
      timeZone: string;
      deadlines: AppealDeadlines;
    }
  | { kind: 'follow-up'; appealId: string; registrationNumber: string }
  | { kind: 'already-processed'; appealId: string; registrationNumber: string }
  | { kind: 'quarantined'; reason: string };

type Registered = Extract<RegistrationOutcome, { kind: 'registered' }>;

/** An item as a new appeal: everything its registration writes, and what it reports but its number. */
interface Prepared {
  item: ItemRow;
  appeal: NewAppeal;
  outcome: Omit<Registered, 'registrationNumber'>;
}

/**
 * Turns one stored inbound item into a registered appeal, or into a follow-up on the open appeal of the
 * same thread. Idempotent: the item row is locked and marked processed in the same transaction, so a
 * duplicate job, a retried job or a second worker finds the work done.
 */
@Injectable()
export class AppealRegistrar {
  private readonly calendar = ProductionCalendar.russian();
  private readonly log = rootLogger.child('appeal-registrar');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly directory: OrganisationDirectory,
    private readonly registrations: RegistrationRepository,
  ) {}

  async registerInboundItem(inboundItemId: string, now: Date = new Date()): Promise<RegistrationOutcome> {
    const item = await this.load(inboundItemId);
    const done = this.alreadyDone(item);
    if (done) return done;
    const problem = checkStoredItem(item.payload);
    if (problem) {
      await this.registrations.quarantine(item.id, problem);
      return { kind: 'quarantined', reason: problem };
    }
    // Without a thread there is nothing to join: one atomic statement registers the appeal.
    if (threadKeys(item.payload).length === 0) {
      return (
        (await this.registerNew(this.dataSource.manager, item, now)) ??
        this.alreadyDone(await this.load(item.id))!
      );
    }
    const outcome = await this.dataSource.transaction(async (tx) => {
      const open = (await this.joinedAppeals(tx, [item])).get(item.id);
      if (open) return this.addFollowUp(tx, item, open);
      return this.registerNew(tx, item, now);
    });
    return outcome ?? this.alreadyDone(await this.load(item.id))!;
  }

  /**
   * A batch of stored items, each with the outcome `registerInboundItem` would give it (or the error it would
   * throw), in the batch's order. The new appeals that join no conversation are registered together in one statement; what may join
   * an appeal (a thread key, a reply), what is invalid, and items sharing an applicant with another of the batch
   * (whose card the later one updates) go one by one, in the batch's order. Should the statement fail, its
   * items go one by one too, so one bad item holds up none of the others.
   */
  async registerBatch(
    inboundItemIds: string[],
    now: Date = new Date(),
  ): Promise<Map<string, RegistrationOutcome | Error>> {
    const ids = [...new Set(inboundItemIds)];
    const results = new Map<string, RegistrationOutcome | Error>();
    let oneByOne = ids;
    try {
      oneByOne = await this.registerTogether(ids, now, results);
    } catch (error) {
      this.log.warn('batch registration failed, registering its items one by one', {
        items: ids.length,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    for (const id of oneByOne) {
      try {
        results.set(id, await this.registerInboundItem(id, now));
      } catch (error) {
        results.set(id, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return new Map(ids.map((id) => [id, results.get(id)!]));
  }

  /**
   * Registers the batch's items at once, in one transaction: their threads locked (as one by one), the appeals
   * they join looked up, the follow-ups added in one statement and the new appeals registered in another. Items
   * sharing an applicant or a thread key within the batch, or joining one appeal, are left, as are those claimed
   * by another attempt meanwhile (reported by the one-by-one path as already processed). Returns the ids left
   * to register one by one.
   */
  private async registerTogether(
    ids: string[],
    now: Date,
    results: Map<string, RegistrationOutcome | Error>,
  ): Promise<string[]> {
    const items = new Map((await this.registrations.loadItems(ids)).map((i) => [i.id, i]));
    const valid = ids
      .map((id) => items.get(id))
      .filter((i): i is ItemRow => !!i && !this.alreadyDone(i) && !checkStoredItem(i.payload));
    // An applicant or a thread two items of the batch share: their order matters, so one by one.
    const once = countedOnce([
      ...valid.map(applicantKey),
      ...valid.flatMap((i) => threadKeys(i.payload).map((k) => threadOf(i.channel, k))),
    ]);
    const together = valid.filter((i) => {
      const key = applicantKey(i);
      return (!key || once.has(key)) && threadKeys(i.payload).every((k) => once.has(threadOf(i.channel, k)));
    });
    // Prepared before the threads are locked (what joins an appeal is known only then): no other batch waits on
    // this one's computing.
    const prepared = await Promise.all(together.map((item) => this.prepare(item, now)));
    if (together.length > 0)
      await this.dataSource.transaction((tx) => this.registerInTransaction(tx, prepared, results));
    for (const id of ids) {
      const item = items.get(id);
      const done = item && this.alreadyDone(item);
      if (done) results.set(id, done);
    }
    return ids.filter((id) => !results.has(id));
  }

  /** The items' threads locked, each item added to the appeal it joins or registered as a new one. */
  private async registerInTransaction(
    tx: EntityManager,
    prepared: Prepared[],
    results: Map<string, RegistrationOutcome | Error>,
  ): Promise<void> {
    // Threads another transaction holds are not waited for while this one holds others (a batch's many keys
    // would queue batches behind each other): their items are left to go one by one.
    const locked = await this.registrations.tryLockThreads(
      tx,
      prepared.flatMap((p) => threadsOf(p.item)),
    );
    const ready = prepared.filter((p) => threadsOf(p.item).every((t) => locked.has(`${t.channel}:${t.key}`)));
    const joins = await this.lookUpJoins(
      tx,
      ready.map((p) => p.item),
    );
    // Two items joining one appeal: the second's history and card follow the first's, so one by one.
    const single = countedOnce([...joins.values()].map((a) => a.id));
    const followUps = ready.map((p) => p.item).filter((i) => single.has(joins.get(i.id)?.id ?? ''));
    const fresh = ready.filter((p) => !joins.has(p.item.id));
    const numbers = await this.registrations.registerManyAtomically(
      tx,
      fresh.map((p) => p.appeal),
    );
    for (const { appeal, outcome } of fresh) {
      const registrationNumber = numbers.get(appeal.inboundItemId);
      if (registrationNumber) results.set(appeal.inboundItemId, { ...outcome, registrationNumber });
    }
    const added = await this.registrations.addFollowUpsAtomically(
      tx,
      followUps.map((i) => followUpOf(i, joins.get(i.id)!.id)),
    );
    for (const item of followUps.filter((i) => added.has(i.id))) {
      const { id, registration_number } = joins.get(item.id)!;
      results.set(item.id, { kind: 'follow-up', appealId: id, registrationNumber: registration_number });
    }
  }

  /**
   * The access codes an item's appeal may have, the one a new appeal gets now first, earlier signing secrets'
   * after it (rotation): computed, not kept — an HMAC, under the signing secret, of the item's channel and id and
   * of everything it carried (names, contacts, text, address, files; accessCodeContents). So the website form
   * sent again under the same Idempotency-Key (its answer was lost) gets the code of the first answer, whose
   * citizen may never have seen it; someone who knows only the key, or sends other contents under it, gets
   * another code, which opens nothing. Without a configured secret (development) one random to this process
   * serves. Only the code's hash is stored.
   */
  accessCodes(item: { channel: string; externalId: string } & AccessCodeContents): string[] {
    const subject = `access code\n${item.channel}:${item.externalId}\n${accessCodeContents(item)}`;
    return this.codeSecrets().map((secret) => derivedAccessCode(secret, subject));
  }

  /**
   * Keys the access code hashes stored before ACCESS_CODE_KEY (unkeyed, a leaked database gave their codes away),
   * batch by batch until none is left; the codes keep working. Returns how many it keyed.
   */
  async keyUnkeyedAccessCodes(batch = 1000): Promise<number> {
    const key = this.config.accessCodeKey;
    let keyed = 0;
    for (;;) {
      const done = await this.registrations.keyUnkeyedAccessCodeHashes(batch, (h) => keyedLegacyHash(key, h));
      keyed += done;
      if (done < batch) return keyed;
    }
  }

  private processSecret?: Buffer;

  private codeSecrets(): (string | Buffer)[] {
    const { authTokenSecret, authTokenPreviousSecrets } = this.config;
    if (authTokenSecret) return [authTokenSecret, ...authTokenPreviousSecrets];
    this.processSecret ??= randomBytes(32);
    return [this.processSecret];
  }

  private async load(inboundItemId: string): Promise<ItemRow> {
    const item = await this.registrations.loadItem(inboundItemId);
    if (!item) throw new Error(`Inbound item ${inboundItemId} does not exist`);
    return item;
  }

  /** The work is already done (a duplicate job, a retry, a second worker): report it, change nothing. */
  private alreadyDone(item: ItemRow): RegistrationOutcome | undefined {
    if (item.status === 'processed' && item.appeal_id && item.registration_number) {
      return {
        kind: 'already-processed',
        appealId: item.appeal_id,
        registrationNumber: item.registration_number,
      };
    }
    if (item.status === 'quarantined') return { kind: 'quarantined', reason: 'already quarantined' };
    return undefined;
  }

  /**
   * A follow-up from the same thread joins the open appeal; the threads are locked (in one global order) so two
   * can't both open one. A reply that names what it answers (`refersTo`: In-Reply-To our answer, a reply to the
   * bot's message) joins the appeal it answers whatever its status: the citizen's reply to an answer is not a
   * new appeal. So does a reply that lost what it answers but names the appeal's number (an e-mail subject's
   * «№ …»), when the appeal is its author's own. Only the conversation key alone (a chat, a dialogue) opens a
   * new appeal once the last one there is done. Returns the appeal each item joins, by item id.
   */
  private async joinedAppeals(tx: EntityManager, items: ItemRow[]): Promise<Map<string, JoinedAppeal>> {
    await this.registrations.lockThreads(tx, items.flatMap(threadsOf));
    return this.lookUpJoins(tx, items);
  }

  /** The appeal each item joins (see joinedAppeals), its threads locked already. */
  private lookUpJoins(tx: EntityManager, items: ItemRow[]): Promise<Map<string, JoinedAppeal>> {
    const lookups = items
      .map((i) => ({
        id: i.id,
        channel: i.channel,
        keys: threadKeys(i.payload),
        answered: (i.payload.thread?.refersTo ?? []).filter((k) => !!k),
        number: i.payload.thread?.registrationNumber ?? null,
        author: i.payload.author?.externalId ?? null,
        corrects:
          typeof i.payload.features?.correctionOf === 'string' ? i.payload.features.correctionOf : null,
      }))
      .filter((l) => l.keys.length > 0);
    return this.registrations.threadAppeals(tx, lookups, {
      open: OPEN_STATUSES,
      any: Object.values(AppealStatus),
    });
  }

  private async addFollowUp(
    tx: EntityManager,
    item: ItemRow,
    appeal: JoinedAppeal,
  ): Promise<RegistrationOutcome | undefined> {
    const added = await this.registrations.addFollowUpsAtomically(tx, [followUpOf(item, appeal.id)]);
    if (!added.has(item.id)) return undefined;
    return { kind: 'follow-up', appealId: appeal.id, registrationNumber: appeal.registration_number };
  }

  /** Registers a new appeal atomically; undefined when another attempt had already claimed the item. */
  private async registerNew(db: EntityManager, item: ItemRow, now: Date): Promise<Registered | undefined> {
    // `db` may be a transaction holding the item's thread locks: the directory is read on its connection.
    const { appeal, outcome } = await this.prepare(item, now, db);
    const registrationNumber = await this.registrations.registerAtomically(db, appeal);
    return registrationNumber ? { ...outcome, registrationNumber } : undefined;
  }

  /** Everything a new appeal's registration writes, and what it reports but its number. */
  private async prepare(item: ItemRow, now: Date, db?: EntityManager): Promise<Prepared> {
    const p = item.payload;
    const organisation = await this.organisationFor(p, db);
    const registeredAt = p.registeredAt ? new Date(p.registeredAt) : now;
    const receivedAt = new Date(item.received_at);
    const fastTrack = p.fastTrack === true;
    const regime = p.regime ?? 'appeal';
    const deadlines = computeAppealDeadlines({
      receivedAt,
      registeredAt,
      fastTrack,
      timeZone: organisation.timeZone,
      calendar: this.calendar,
      lastDayRule: this.config.lastDayRule,
      answerDays: this.config.answerDays,
      fastTrackDays: this.config.fastTrackDays,
    });
    const year = Number(localDateOf(registeredAt, organisation.timeZone).slice(0, 4));
    const appealId = randomUUID();
    const [accessCode] = this.accessCodes({ ...p, channel: item.channel, externalId: item.external_id });
    const a = p.author;
    const routedReason =
      organisation.code === this.config.managementCentreCode ? 'management-centre' : 'addressee';
    const appeal: NewAppeal = {
      appealId,
      applicantId: randomUUID(),
      inboundItemId: item.id,
      channel: item.channel,
      externalId: item.external_id,
      applicant: {
        externalId: a.externalId ?? null,
        surname: a.surname ?? null,
        firstName: a.firstName ?? null,
        patronymic: a.patronymic ?? null,
        displayName: a.displayName ?? null,
        email: a.email ?? null,
        phone: a.phone ?? null,
        postalAddress: a.postalAddress ?? null,
        snils: a.snils ?? null,
      },
      year,
      registeredAt,
      receivedAt,
      regime,
      subject: p.subject ?? null,
      text: p.text,
      address: p.address ?? null,
      territoryCode: p.territoryCode ?? null,
      channelCategory: p.channelCategory ?? null,
      fastTrack,
      status: AppealStatus.Registered,
      organisationId: organisation.id,
      timeZone: organisation.timeZone,
      registrationDueAt: deadlines.registrationDueAt,
      redirectDueAt: deadlines.redirectDueAt,
      answerDueDate: deadlines.answerDueDate,
      answerDueAt: deadlines.answerDueAt,
      warnings: deadlines.warnings,
      calendarVersion: this.calendar.version,
      accessCodeHash: hashAccessCode(this.config.accessCodeKey, appealId, accessCode),
      replyAddress: p.replyAddress ?? null,
      threadKey: p.thread?.key ?? null,
      attachments: attachmentRows(p),
      events: [
        {
          type: 'received',
          occurred_at: receivedAt,
          data: { inboundItemId: item.id, channel: item.channel, externalId: item.external_id },
        },
        {
          type: 'registered',
          occurred_at: registeredAt,
          data: {
            regime,
            fastTrack,
            termDays: deadlines.termDays,
            answerDueDate: deadlines.answerDueDate,
            answerDueAt: deadlines.answerDueAt,
            registrationDueAt: deadlines.registrationDueAt,
            redirectDueAt: deadlines.redirectDueAt,
            calendarVersion: this.calendar.version,
            warnings: deadlines.warnings,
          },
        },
        {
          type: 'routed',
          occurred_at: registeredAt,
          data: {
            organisationId: organisation.id,
            organisationCode: organisation.code,
            reason: routedReason,
          },
        },
      ],
      // S1: line 1 escalates within 15 minutes of arrival — for the channels where that clock applies.
      // Only items that start on line 1 (at the management centre) have an escalation clock: one imported
      // straight to a department is already there.
      escalationDueAt:
        this.config.escalationClockChannels.includes(item.channel) && routedReason === 'management-centre'
          ? escalationDueAt(registeredAt)
          : null,
    };
    return {
      item,
      appeal,
      outcome: {
        kind: 'registered',
        appealId,
        accessCode,
        registeredAt,
        organisationId: organisation.id,
        timeZone: organisation.timeZone,
        deadlines,
      },
    };
  }

  /**
   * Until real routing exists, an item lands at the organisation it was addressed to when that is in our
   * directory (an import, a МЭДО package), else at the region's management centre, which routes it on.
   */
  private async organisationFor(p: StoredInboundItem, db?: EntityManager): Promise<OrganisationEntity> {
    if (p.addressee?.code) {
      try {
        return await this.directory.byCode(p.addressee.code, db);
      } catch {
        // Unknown addressee: the management centre decides.
      }
    }
    return this.directory.byCode(this.config.managementCentreCode, db);
  }
}

function attachmentRows(p: StoredInboundItem): AttachmentRow[] {
  return (p.attachments ?? []).map((f) => ({
    file_name: f.fileName,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256 ?? null,
    status: f.rejectionReason ? 'rejected' : f.sha256 ? 'stored' : 'remote',
    rejection_reason: f.rejectionReason ?? null,
    remote_ref: f.remoteRef ?? null,
    unique_key: f.uniqueKey ?? null,
  }));
}

/** Everything a follow-up writes to the appeal it joins. */
function followUpOf(item: ItemRow, appealId: string): NewFollowUp {
  const p = item.payload;
  return {
    inboundItemId: item.id,
    appealId,
    channel: item.channel,
    threadKey: p.thread?.key ?? null,
    authorExternalId: p.author?.externalId ?? null,
    phone: p.author?.phone && p.author.externalId ? normalisePhone(p.author.phone) : null,
    attachments: attachmentRows(p),
    event: {
      inboundItemId: item.id,
      channel: item.channel,
      externalId: item.external_id,
      receivedAt: item.received_at,
      text: p.text,
      attachments: (p.attachments ?? []).length,
      // The citizen edited a message they had sent (Telegram): the new wording, naming the message it corrects.
      ...(p.features?.correctionOf ? { correctionOf: p.features.correctionOf } : {}),
    },
  };
}

function threadsOf(item: ItemRow): { channel: string; key: string }[] {
  return threadKeys(item.payload).map((key) => ({ channel: item.channel, key }));
}

function threadKeys(p: StoredInboundItem): string[] {
  if (!p.thread) return [];
  return [...new Set([p.thread.key, ...(p.thread.refersTo ?? [])].filter((k): k is string => !!k))];
}

/** The applicant's id in the channel: items of one applicant update one card, in order. */
function applicantKey(item: ItemRow): string | undefined {
  const id = item.payload.author?.externalId;
  return id ? `applicant:${item.channel}:${id}` : undefined;
}

/** A chat's thread key is often its author's id too: the two kinds of key are told apart. */
const threadOf = (channel: string, key: string) => `thread:${channel}:${key}`;

function countedOnce(keys: (string | undefined)[]): Set<string> {
  const counts = new Map<string, number>();
  for (const k of keys) if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n === 1).map(([k]) => k));
}

/** What an item carried, as it arrived (an attachment's bytes inline) or as it was stored (their hash). */
export type AccessCodeContents = Pick<InboundItem, 'author' | 'subject' | 'text' | 'address'> & {
  attachments?: { fileName: string; contentBase64?: string; sha256?: string; size?: number }[];
};

/** One digest of what an item carried, the same for the item as it arrived and as it was stored (jsonb). */
function accessCodeContents(item: AccessCodeContents): string {
  const a = item.author ?? {};
  const author = [a.surname, a.firstName, a.patronymic, a.displayName, a.email, a.phone, a.postalAddress];
  const files = (item.attachments ?? []).map((f, index) => [
    f.fileName || `file-${index + 1}`,
    f.contentBase64 !== undefined
      ? createHash('sha256').update(Buffer.from(f.contentBase64, 'base64')).digest('hex')
      : (f.sha256 ?? `size:${f.size ?? 0}`),
  ]);
  const canonical = JSON.stringify([
    author.map((v) => v ?? null),
    item.subject ?? null,
    item.text,
    item.address ?? null,
    files,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
