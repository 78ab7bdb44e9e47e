import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  computeAppealDeadlines,
  escalationDueAt,
  localDateOf,
  ProductionCalendar,
  type AppealDeadlines,
} from '@inbox/deadlines';
import { type StoredInboundItem } from '@inbox/intake/entities';
import { OrganisationDirectory, type OrganisationEntity } from '@inbox/organisations';
import { newAccessCode } from './access-code';
import { AppealStatus, OPEN_STATUSES } from './appeal-status';
import { checkStoredItem } from './stored-item-check';

export type RegistrationOutcome =
  | {
      kind: 'registered';
      appealId: string;
      registrationNumber: string;
      /** Shown once to the citizen; only its hash is kept. */
      accessCode: string;
      registeredAt: Date;
      organisationId: string;
      deadlines: AppealDeadlines;
    }
  | { kind: 'follow-up'; appealId: string; registrationNumber: string }
  | { kind: 'already-processed'; appealId: string; registrationNumber: string }
  | { kind: 'quarantined'; reason: string };

interface ItemRow {
  id: string;
  channel: string;
  external_id: string;
  received_at: Date;
  payload: StoredInboundItem;
  status: string;
  appeal_id: string | null;
  registration_number: string | null;
}

/**
 * Turns one stored inbound item into a registered appeal, or into a follow-up on the open appeal of the
 * same thread. Idempotent: the item row is locked and marked processed in the same transaction, so a
 * duplicate job, a retried job or a second worker finds the work done.
 */
@Injectable()
export class AppealRegistrar {
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly directory: OrganisationDirectory,
  ) {}

  async registerInboundItem(inboundItemId: string, now: Date = new Date()): Promise<RegistrationOutcome> {
    const item = await this.load(inboundItemId);
    const done = this.alreadyDone(item);
    if (done) return done;
    const problem = checkStoredItem(item.payload);
    if (problem) {
      await this.dataSource.query(
        `UPDATE inbound_items SET status = 'quarantined', error = $2, attempts = attempts + 1
          WHERE id = $1 AND status = 'pending'`,
        [item.id, problem],
      );
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
      const open = await this.findOpenThreadAppeal(tx, item);
      if (open) return this.addFollowUp(tx, item, open);
      return this.registerNew(tx, item, now);
    });
    return outcome ?? this.alreadyDone(await this.load(item.id))!;
  }

  private async load(inboundItemId: string): Promise<ItemRow> {
    const [item] = (await this.dataSource.query(
      `SELECT i.id, i.channel, i.external_id, i.received_at, i.payload, i.status, i.appeal_id, a.registration_number
         FROM inbound_items i LEFT JOIN appeals a ON a.id = i.appeal_id WHERE i.id = $1`,
      [inboundItemId],
    )) as ItemRow[];
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

  /** A follow-up from the same thread joins the open appeal; the thread is locked so two can't both open one. */
  private async findOpenThreadAppeal(
    tx: EntityManager,
    item: ItemRow,
  ): Promise<{ id: string; registration_number: string } | undefined> {
    const keys = threadKeys(item.payload);
    if (keys.length === 0) return undefined;
    for (const key of [...keys].sort()) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${item.channel}:${key}`]);
    }
    const [row] = (await tx.query(
      `SELECT a.id, a.registration_number
         FROM appeal_threads t JOIN appeals a ON a.id = t.appeal_id
        WHERE t.channel = $1 AND t.thread_key = ANY($2) AND a.status = ANY($3)
        ORDER BY a.registered_at DESC LIMIT 1`,
      [item.channel, keys, OPEN_STATUSES],
    )) as { id: string; registration_number: string }[];
    return row;
  }

  private async addFollowUp(
    tx: EntityManager,
    item: ItemRow,
    appeal: { id: string; registration_number: string },
  ): Promise<RegistrationOutcome | undefined> {
    const p = item.payload;
    const claimed = rowsOf(
      await tx.query(
        `UPDATE inbound_items SET status = 'processed', appeal_id = $2, processed_at = now(), error = NULL,
                attempts = attempts + 1 WHERE id = $1 AND status = 'pending' RETURNING id`,
        [item.id, appeal.id],
      ),
    );
    if (claimed.length === 0) return undefined;
    await this.insertAttachments(tx, appeal.id, item);
    await this.insertThreadKey(tx, item, appeal.id);
    await tx.query(
      `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'follow-up-received', $2)`,
      [
        appeal.id,
        {
          inboundItemId: item.id,
          channel: item.channel,
          externalId: item.external_id,
          receivedAt: item.received_at,
          text: p.text,
          attachments: (p.attachments ?? []).length,
        },
      ],
    );
    await tx.query(`UPDATE appeals SET updated_at = now(), version = version + 1 WHERE id = $1`, [appeal.id]);
    return { kind: 'follow-up', appealId: appeal.id, registrationNumber: appeal.registration_number };
  }

  /**
   * Registers a new appeal in ONE statement: claiming the item (pending → processed) gates every insert, so
   * a concurrent or repeated attempt inserts nothing, and a crash leaves either everything or nothing.
   * Returns undefined when another attempt had already claimed the item.
   */
  private async registerNew(
    db: EntityManager,
    item: ItemRow,
    now: Date,
  ): Promise<Extract<RegistrationOutcome, { kind: 'registered' }> | undefined> {
    const p = item.payload;
    const organisation = await this.organisationFor(p);
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
    const accessCode = newAccessCode();
    const a = p.author;
    const routedReason =
      organisation.code === this.config.managementCentreCode ? 'management-centre' : 'addressee';
    const rows = (await db.query(
      `WITH claim AS (
         UPDATE inbound_items SET status = 'processed', appeal_id = $1, processed_at = now(), error = NULL,
                attempts = attempts + 1
          WHERE id = $2 AND status = 'pending' RETURNING id
       ), applicant AS (
         INSERT INTO applicants (channel, external_id, surname, first_name, patronymic, display_name, email, phone,
                                 postal_address)
         SELECT $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM claim
         ON CONFLICT (channel, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
           surname = COALESCE(EXCLUDED.surname, applicants.surname),
           first_name = COALESCE(EXCLUDED.first_name, applicants.first_name),
           patronymic = COALESCE(EXCLUDED.patronymic, applicants.patronymic),
           display_name = COALESCE(EXCLUDED.display_name, applicants.display_name),
           email = COALESCE(EXCLUDED.email, applicants.email),
           phone = COALESCE(EXCLUDED.phone, applicants.phone),
           postal_address = COALESCE(EXCLUDED.postal_address, applicants.postal_address)
         RETURNING id
       ), numbered AS (
         SELECT applicant.id AS applicant_id, $12::text || '-' || lpad(s.seq, greatest(6, length(s.seq)), '0')
                AS registration_number
           FROM applicant, LATERAL (SELECT next_registration_seq($12::int)::text AS seq) s
       ), appeal AS (
         INSERT INTO appeals (id, registration_number, registered_at, received_at, regime, channel, external_id,
            inbound_item_id, applicant_id, subject, text, address, territory_code, channel_category, fast_track,
            status, organisation_id, time_zone, registration_due_at, redirect_due_at, answer_due_date,
            answer_due_at, deadline_warnings, calendar_version, access_code_hash, reply_address, escalation_due_at)
         SELECT $1, n.registration_number, $13, $14, $15, $3, $16, $2, n.applicant_id, $17, $18, $19, $20, $21, $22,
                $23, $24, $25, $26, $27, $28, $29, $30, $31,
                encode(sha256(convert_to(n.registration_number || ':' || $32, 'UTF8')), 'hex'), $33, $37
           FROM numbered n
         RETURNING id, registration_number
       ), responsible AS (
         INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at)
         SELECT id, $24, 'responsible', $13 FROM appeal
       ), thread AS (
         INSERT INTO appeal_threads (channel, thread_key, appeal_id)
         SELECT $3, $34, id FROM appeal WHERE $34::text IS NOT NULL ON CONFLICT DO NOTHING
       ), files AS (
         INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
                                  rejection_reason, remote_ref)
         SELECT appeal.id, $2, f.file_name, f.content_type, f.size, f.sha256, f.status, f.rejection_reason,
                f.remote_ref
           FROM appeal, jsonb_to_recordset($35::jsonb) AS f(file_name text, content_type text, size integer,
                sha256 text, status text, rejection_reason text, remote_ref text)
       ), events AS (
         INSERT INTO appeal_events (appeal_id, type, occurred_at, data)
         SELECT appeal.id, e.type, e.occurred_at,
                CASE WHEN e.type = 'registered'
                     THEN e.data || jsonb_build_object('registrationNumber', appeal.registration_number)
                     ELSE e.data END
           FROM appeal, jsonb_to_recordset($36::jsonb) AS e(type text, occurred_at timestamptz, data jsonb)
       )
       SELECT id, registration_number FROM appeal`,
      [
        appealId,
        item.id,
        item.channel,
        a.externalId ?? null,
        a.surname ?? null,
        a.firstName ?? null,
        a.patronymic ?? null,
        a.displayName ?? null,
        a.email ?? null,
        a.phone ?? null,
        a.postalAddress ?? null,
        year,
        registeredAt,
        receivedAt,
        regime,
        item.external_id,
        p.subject ?? null,
        p.text,
        p.address ?? null,
        p.territoryCode ?? null,
        p.channelCategory ?? null,
        fastTrack,
        AppealStatus.Registered,
        organisation.id,
        organisation.timeZone,
        deadlines.registrationDueAt,
        deadlines.redirectDueAt,
        deadlines.answerDueDate,
        deadlines.answerDueAt,
        JSON.stringify(deadlines.warnings),
        this.calendar.version,
        accessCode,
        p.replyAddress ?? null,
        p.thread?.key ?? null,
        JSON.stringify(attachmentRows(p)),
        JSON.stringify([
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
        ]),
        // S1: line 1 escalates within 15 minutes of arrival — for the channels where that clock applies.
        this.config.escalationClockChannels.includes(item.channel) ? escalationDueAt(registeredAt) : null,
      ],
    )) as { id: string; registration_number: string }[];
    if (rows.length === 0) return undefined;
    return {
      kind: 'registered',
      appealId,
      registrationNumber: rows[0].registration_number,
      accessCode,
      registeredAt,
      organisationId: organisation.id,
      deadlines,
    };
  }

  /**
   * Until real routing exists, an item lands at the organisation it was addressed to when that is in our
   * directory (an import, a МЭДО package), else at the region's management centre, which routes it on.
   */
  private async organisationFor(p: StoredInboundItem): Promise<OrganisationEntity> {
    if (p.addressee?.code) {
      try {
        return await this.directory.byCode(p.addressee.code);
      } catch {
        // Unknown addressee: the management centre decides.
      }
    }
    return this.directory.byCode(this.config.managementCentreCode);
  }

  private async insertThreadKey(tx: EntityManager, item: ItemRow, appealId: string): Promise<void> {
    const key = item.payload.thread?.key;
    if (!key) return;
    await tx.query(
      `INSERT INTO appeal_threads (channel, thread_key, appeal_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [item.channel, key, appealId],
    );
  }

  private async insertAttachments(tx: EntityManager, appealId: string, item: ItemRow): Promise<void> {
    const rows = attachmentRows(item.payload);
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
         rejection_reason, remote_ref)
       SELECT $1, $2, f.file_name, f.content_type, f.size, f.sha256, f.status, f.rejection_reason, f.remote_ref
         FROM jsonb_to_recordset($3::jsonb) AS f(file_name text, content_type text, size integer, sha256 text,
              status text, rejection_reason text, remote_ref text)`,
      [appealId, item.id, JSON.stringify(rows)],
    );
  }
}

function attachmentRows(p: StoredInboundItem) {
  return (p.attachments ?? []).map((f) => ({
    file_name: f.fileName,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256 ?? null,
    status: f.rejectionReason ? 'rejected' : f.sha256 ? 'stored' : 'remote',
    rejection_reason: f.rejectionReason ?? null,
    remote_ref: f.remoteRef ?? null,
  }));
}

function threadKeys(p: StoredInboundItem): string[] {
  if (!p.thread) return [];
  return [...new Set([p.thread.key, ...(p.thread.refersTo ?? [])].filter((k): k is string => !!k))];
}
