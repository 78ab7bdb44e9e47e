import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '@inbox/common';
import { type StoredInboundItem } from '@inbox/intake/entities';
import { type Db } from './db';

export interface InboundItemRow {
  id: string;
  channel: string;
  external_id: string;
  received_at: Date;
  payload: StoredInboundItem;
  status: string;
  appeal_id: string | null;
  registration_number: string | null;
}

/** An attachment of a stored item as an `attachments` row. */
export interface AttachmentRow {
  file_name: string;
  content_type: string;
  size: number;
  sha256: string | null;
  status: string;
  rejection_reason: string | null;
  remote_ref: string | null;
}

/**
 * A message's files are listed by created_at; rows written by one statement share now(), so each file's
 * created_at is now() plus its place in the message, in microseconds, to keep the order the citizen sent them.
 */
const IN_SENT_ORDER = `now() + f.position * interval '1 microsecond'`;
function positioned<T extends object>(rows: T[]): (T & { position: number })[] {
  return rows.map((row, position) => ({ ...row, position }));
}

/** Everything one atomic registration writes: the appeal, its applicant, first part, thread, files, history. */
export interface NewAppeal {
  appealId: string;
  inboundItemId: string;
  channel: string;
  externalId: string;
  applicant: {
    externalId: string | null;
    surname: string | null;
    firstName: string | null;
    patronymic: string | null;
    displayName: string | null;
    email: string | null;
    phone: string | null;
    postalAddress: string | null;
  };
  year: number;
  registeredAt: Date;
  receivedAt: Date;
  regime: string;
  subject: string | null;
  text: string;
  address: string | null;
  territoryCode: string | null;
  channelCategory: unknown;
  fastTrack: boolean;
  status: string;
  organisationId: string;
  timeZone: string;
  registrationDueAt: Date;
  redirectDueAt: Date;
  answerDueDate: string;
  answerDueAt: Date;
  warnings: unknown;
  calendarVersion: string;
  accessCode: string;
  replyAddress: unknown;
  threadKey: string | null;
  attachments: AttachmentRow[];
  events: { type: string; occurred_at: Date; data: Record<string, unknown> }[];
  escalationDueAt: Date | null;
}

/** The registration side of intake: claiming stored items, threads, and the one-statement registration. */
@Injectable()
export class RegistrationRepository {
  constructor(private readonly dataSource: DataSource) {}

  async loadItem(inboundItemId: string): Promise<InboundItemRow | undefined> {
    const [item] = (await this.dataSource.query(
      `SELECT i.id, i.channel, i.external_id, i.received_at, i.payload, i.status, i.appeal_id, a.registration_number
         FROM inbound_items i LEFT JOIN appeals a ON a.id = i.appeal_id WHERE i.id = $1`,
      [inboundItemId],
    )) as InboundItemRow[];
    return item;
  }

  async quarantine(inboundItemId: string, problem: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbound_items SET status = 'quarantined', error = $2, attempts = attempts + 1
        WHERE id = $1 AND status = 'pending'`,
      [inboundItemId, problem],
    );
  }

  /** Serialises registrations of one thread (advisory locks, in a stable order, released at commit). */
  async lockThreads(tx: Db, channel: string, keys: string[]): Promise<void> {
    for (const key of [...keys].sort()) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${channel}:${key}`]);
    }
  }

  /** The newest appeal of one of the thread keys that is still in one of the given statuses. */
  async threadAppeal(
    tx: Db,
    channel: string,
    keys: string[],
    statuses: readonly string[],
  ): Promise<{ id: string; registration_number: string } | undefined> {
    const [row] = (await tx.query(
      `SELECT a.id, a.registration_number
         FROM appeal_threads t JOIN appeals a ON a.id = t.appeal_id
        WHERE t.channel = $1 AND t.thread_key = ANY($2) AND a.status = ANY($3)
        ORDER BY a.registered_at DESC LIMIT 1`,
      [channel, keys, statuses],
    )) as { id: string; registration_number: string }[];
    return row;
  }

  /** Marks a pending item processed into the appeal; false when another attempt claimed it first. */
  async claim(tx: Db, inboundItemId: string, appealId: string): Promise<boolean> {
    const claimed = rowsOf(
      await tx.query(
        `UPDATE inbound_items SET status = 'processed', appeal_id = $2, processed_at = now(), error = NULL,
                attempts = attempts + 1 WHERE id = $1 AND status = 'pending' RETURNING id`,
        [inboundItemId, appealId],
      ),
    );
    return claimed.length > 0;
  }

  /**
   * A phone the applicant sent about themselves in a follow-up (Telegram's "share my number" button) fills the
   * card's empty phone; one already there is staff's or the applicant's earlier word and stays. True when set.
   */
  async fillApplicantPhone(
    tx: Db,
    appealId: string,
    author: { channel: string; externalId: string },
    phone: string,
  ): Promise<boolean> {
    const rows = (await tx.query(
      `UPDATE applicants p SET phone = $4 FROM appeals a
        WHERE a.id = $1 AND p.id = a.applicant_id AND p.channel = $2 AND p.external_id = $3 AND p.phone IS NULL
        RETURNING p.id`,
      [appealId, author.channel, author.externalId, phone],
    )) as unknown[];
    return rows.length > 0;
  }

  async addThreadKey(tx: Db, channel: string, key: string, appealId: string): Promise<void> {
    await tx.query(
      `INSERT INTO appeal_threads (channel, thread_key, appeal_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [channel, key, appealId],
    );
  }

  async addAttachments(
    tx: Db,
    appealId: string,
    inboundItemId: string,
    rows: AttachmentRow[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
         rejection_reason, remote_ref, created_at)
       SELECT $1, $2, f.file_name, f.content_type, f.size, f.sha256, f.status, f.rejection_reason, f.remote_ref,
              ${IN_SENT_ORDER}
         FROM jsonb_to_recordset($3::jsonb) AS f(file_name text, content_type text, size integer, sha256 text,
              status text, rejection_reason text, remote_ref text, position integer)`,
      [appealId, inboundItemId, JSON.stringify(positioned(rows))],
    );
  }

  /**
   * Registers a new appeal in ONE statement: claiming the item (pending → processed) gates every insert, so
   * a concurrent or repeated attempt inserts nothing, and a crash leaves either everything or nothing.
   * Returns the registration number, or undefined when another attempt had already claimed the item.
   */
  async registerAtomically(db: Db, n: NewAppeal): Promise<string | undefined> {
    const a = n.applicant;
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
                                  rejection_reason, remote_ref, created_at)
         SELECT appeal.id, $2, f.file_name, f.content_type, f.size, f.sha256, f.status, f.rejection_reason,
                f.remote_ref, ${IN_SENT_ORDER}
           FROM appeal, jsonb_to_recordset($35::jsonb) AS f(file_name text, content_type text, size integer,
                sha256 text, status text, rejection_reason text, remote_ref text, position integer)
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
        n.appealId,
        n.inboundItemId,
        n.channel,
        a.externalId,
        a.surname,
        a.firstName,
        a.patronymic,
        a.displayName,
        a.email,
        a.phone,
        a.postalAddress,
        n.year,
        n.registeredAt,
        n.receivedAt,
        n.regime,
        n.externalId,
        n.subject,
        n.text,
        n.address,
        n.territoryCode,
        n.channelCategory,
        n.fastTrack,
        n.status,
        n.organisationId,
        n.timeZone,
        n.registrationDueAt,
        n.redirectDueAt,
        n.answerDueDate,
        n.answerDueAt,
        JSON.stringify(n.warnings),
        n.calendarVersion,
        n.accessCode,
        n.replyAddress,
        n.threadKey,
        JSON.stringify(positioned(n.attachments)),
        JSON.stringify(n.events),
        n.escalationDueAt,
      ],
    )) as { id: string; registration_number: string }[];
    return rows[0]?.registration_number;
  }
}
