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
  /** The applicant row's id when this registration creates it (an existing one keeps its own). */
  applicantId: string;
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
    const [item] = await this.loadItems([inboundItemId]);
    return item;
  }

  async loadItems(inboundItemIds: string[]): Promise<InboundItemRow[]> {
    return (await this.dataSource.query(
      `SELECT i.id, i.channel, i.external_id, i.received_at, i.payload, i.status, i.appeal_id, a.registration_number
         FROM inbound_items i LEFT JOIN appeals a ON a.id = i.appeal_id WHERE i.id = ANY($1::uuid[])`,
      [inboundItemIds],
    )) as InboundItemRow[];
  }

  async quarantine(inboundItemId: string, problem: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbound_items SET status = 'quarantined', error = $2, attempts = attempts + 1
        WHERE id = $1 AND status = 'pending'`,
      [inboundItemId, problem],
    );
  }

  /** Serialises registrations of threads (advisory locks, in one global order, released at commit). */
  async lockThreads(tx: Db, threads: { channel: string; key: string }[]): Promise<void> {
    if (threads.length === 0) return;
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
         FROM (SELECT DISTINCT k FROM unnest($1::text[]) k ORDER BY k) s`,
      [threads.map((t) => `${t.channel}:${t.key}`)],
    );
  }

  /** Of the given threads, those that hold an appeal in one of the statuses. */
  async threadsWithAppeal(
    tx: Db,
    threads: { channel: string; key: string }[],
    statuses: readonly string[],
  ): Promise<{ channel: string; key: string }[]> {
    if (threads.length === 0) return [];
    return (await tx.query(
      `SELECT DISTINCT t.channel, t.thread_key AS key
         FROM unnest($1::text[], $2::text[]) AS x(channel, key)
         JOIN appeal_threads t ON t.channel = x.channel AND t.thread_key = x.key
         JOIN appeals a ON a.id = t.appeal_id
        WHERE a.status = ANY($3)`,
      [threads.map((t) => t.channel), threads.map((t) => t.key), statuses],
    )) as { channel: string; key: string }[];
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
    return (await this.registerManyAtomically(db, [n])).get(n.inboundItemId);
  }

  /**
   * Registers many new appeals in ONE statement, as `registerAtomically` does one: each item's claim gates its
   * own inserts, so items another attempt claimed are skipped and the rest registered. Returns the registration
   * number by inbound item id of those registered here. The applicants' channel ids must be distinct within the
   * call (one upsert cannot touch a row twice); numbers are taken in the order given.
   */
  async registerManyAtomically(db: Db, appeals: NewAppeal[]): Promise<Map<string, string>> {
    if (appeals.length === 0) return new Map();
    const input = appeals.map((n, ord) => ({
      ord,
      appeal_id: n.appealId,
      inbound_item_id: n.inboundItemId,
      channel: n.channel,
      external_id: n.externalId,
      applicant_id: n.applicantId,
      applicant_external_id: n.applicant.externalId,
      surname: n.applicant.surname,
      first_name: n.applicant.firstName,
      patronymic: n.applicant.patronymic,
      display_name: n.applicant.displayName,
      email: n.applicant.email,
      phone: n.applicant.phone,
      postal_address: n.applicant.postalAddress,
      year: n.year,
      registered_at: n.registeredAt,
      received_at: n.receivedAt,
      regime: n.regime,
      subject: n.subject,
      text: n.text,
      address: n.address,
      territory_code: n.territoryCode,
      channel_category: n.channelCategory,
      fast_track: n.fastTrack,
      status: n.status,
      organisation_id: n.organisationId,
      time_zone: n.timeZone,
      registration_due_at: n.registrationDueAt,
      redirect_due_at: n.redirectDueAt,
      answer_due_date: n.answerDueDate,
      answer_due_at: n.answerDueAt,
      deadline_warnings: n.warnings,
      calendar_version: n.calendarVersion,
      access_code: n.accessCode,
      reply_address: n.replyAddress,
      thread_key: n.threadKey,
      attachments: positioned(n.attachments),
      events: positioned(n.events),
      escalation_due_at: n.escalationDueAt,
    }));
    const rows = (await db.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS n(ord integer, appeal_id uuid, inbound_item_id uuid,
           channel text, external_id text, applicant_id uuid, applicant_external_id text, surname text,
           first_name text, patronymic text, display_name text, email text, phone text, postal_address text,
           year integer, registered_at timestamptz, received_at timestamptz, regime text, subject text, text text,
           address text, territory_code text, channel_category jsonb, fast_track boolean, status text,
           organisation_id uuid, time_zone text, registration_due_at timestamptz, redirect_due_at timestamptz,
           answer_due_date date, answer_due_at timestamptz, deadline_warnings jsonb, calendar_version text,
           access_code text, reply_address jsonb, thread_key text, attachments jsonb, events jsonb,
           escalation_due_at timestamptz)
       ), claim AS (
         UPDATE inbound_items i SET status = 'processed', appeal_id = n.appeal_id, processed_at = now(),
                error = NULL, attempts = i.attempts + 1
           FROM input n WHERE i.id = n.inbound_item_id AND i.status = 'pending' RETURNING i.id
       ), claimed AS (
         SELECT n.* FROM input n JOIN claim c ON c.id = n.inbound_item_id
       ), applicant AS (
         INSERT INTO applicants (id, channel, external_id, surname, first_name, patronymic, display_name, email,
                                 phone, postal_address)
         SELECT applicant_id, channel, applicant_external_id, surname, first_name, patronymic, display_name, email,
                phone, postal_address
           FROM claimed ORDER BY channel, applicant_external_id, applicant_id
         ON CONFLICT (channel, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
           surname = COALESCE(EXCLUDED.surname, applicants.surname),
           first_name = COALESCE(EXCLUDED.first_name, applicants.first_name),
           patronymic = COALESCE(EXCLUDED.patronymic, applicants.patronymic),
           display_name = COALESCE(EXCLUDED.display_name, applicants.display_name),
           email = COALESCE(EXCLUDED.email, applicants.email),
           phone = COALESCE(EXCLUDED.phone, applicants.phone),
           postal_address = COALESCE(EXCLUDED.postal_address, applicants.postal_address)
         RETURNING id, channel, external_id
       ), numbered AS (
         SELECT x.*, x.year::text || '-' || lpad(x.seq, greatest(6, length(x.seq)), '0') AS registration_number
           FROM (
             -- A volatile call in the select list runs after the sort: numbers follow the order given.
             SELECT c.*, ap.id AS applicant_row_id, next_registration_seq(c.year)::text AS seq
               FROM claimed c JOIN applicant ap
                 ON ap.id = c.applicant_id OR (ap.channel = c.channel AND ap.external_id = c.applicant_external_id)
              ORDER BY c.ord
           ) x
       ), appeal AS (
         INSERT INTO appeals (id, registration_number, registered_at, received_at, regime, channel, external_id,
            inbound_item_id, applicant_id, subject, text, address, territory_code, channel_category, fast_track,
            status, organisation_id, time_zone, registration_due_at, redirect_due_at, answer_due_date,
            answer_due_at, deadline_warnings, calendar_version, access_code_hash, reply_address, escalation_due_at)
         SELECT appeal_id, registration_number, registered_at, received_at, regime, channel, external_id,
                inbound_item_id, applicant_row_id, subject, text, address, territory_code, channel_category,
                fast_track, status, organisation_id, time_zone, registration_due_at, redirect_due_at,
                answer_due_date, answer_due_at, deadline_warnings, calendar_version,
                encode(sha256(convert_to(registration_number || ':' || access_code, 'UTF8')), 'hex'),
                reply_address, escalation_due_at
           FROM numbered ORDER BY ord
         RETURNING id
       ), responsible AS (
         INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at)
         SELECT n.appeal_id, n.organisation_id, 'responsible', n.registered_at
           FROM appeal JOIN numbered n ON n.appeal_id = appeal.id
       ), thread AS (
         INSERT INTO appeal_threads (channel, thread_key, appeal_id)
         SELECT n.channel, n.thread_key, n.appeal_id FROM appeal JOIN numbered n ON n.appeal_id = appeal.id
          WHERE n.thread_key IS NOT NULL ON CONFLICT DO NOTHING
       ), files AS (
         INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
                                  rejection_reason, remote_ref, created_at)
         SELECT n.appeal_id, n.inbound_item_id, f.file_name, f.content_type, f.size, f.sha256, f.status,
                f.rejection_reason, f.remote_ref, ${IN_SENT_ORDER}
           FROM appeal JOIN numbered n ON n.appeal_id = appeal.id,
                jsonb_to_recordset(n.attachments) AS f(file_name text, content_type text, size integer,
                sha256 text, status text, rejection_reason text, remote_ref text, position integer)
       ), events AS (
         INSERT INTO appeal_events (appeal_id, type, occurred_at, data)
         SELECT n.appeal_id, e.type, e.occurred_at,
                CASE WHEN e.type = 'registered'
                     THEN e.data || jsonb_build_object('registrationNumber', n.registration_number)
                     ELSE e.data END
           FROM appeal JOIN numbered n ON n.appeal_id = appeal.id,
                jsonb_to_recordset(n.events) AS e(type text, occurred_at timestamptz, data jsonb, position integer)
          ORDER BY n.ord, e.position
       )
       SELECT inbound_item_id, registration_number FROM numbered`,
      [JSON.stringify(input)],
    )) as { inbound_item_id: string; registration_number: string }[];
    return new Map(rows.map((r) => [r.inbound_item_id, r.registration_number]));
  }
}
