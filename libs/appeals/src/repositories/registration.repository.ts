import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
  unique_key: string | null;
}

/**
 * A message's files are listed by created_at; rows written by one statement share now(), so each file's
 * created_at is now() plus its place in the message, in microseconds, to keep the order the citizen sent them.
 */
const IN_SENT_ORDER = `now() + f.position * interval '1 microsecond'`;
function positioned<T extends object>(rows: T[]): (T & { position: number })[] {
  return rows.map((row, position) => ({ ...row, position }));
}

/**
 * The CTEs that claim the `input` rows' items (pending → processed into `n.appeal_id`): `claimed` holds the
 * rows whose claim succeeded, and gates every write after it. `$2` is the items' ids: they are read by key. On
 * `status = 'pending'` the planner read every pending item through the pending items' partial index and hashed
 * them against the batch (its statistics lag a burst): 5 800 rows for a batch of 25 with 6 000 waiting, a cost
 * per batch that grew with the backlog. The status is still checked, by an expression no partial index matches.
 */
const CLAIMED = `claim AS (
         UPDATE inbound_items i SET status = 'processed', appeal_id = n.appeal_id, processed_at = now(),
                error = NULL, attempts = i.attempts + 1
           FROM input n
          WHERE i.id = ANY ($2::uuid[]) AND i.id = n.inbound_item_id AND i.status || '' = 'pending'
         RETURNING i.id
       ), claimed AS (
         SELECT n.* FROM input n JOIN claim c ON c.id = n.inbound_item_id
       ),`;

/**
 * Inserts the files of the rows `n` of `from` (their `appeal_id`, `inbound_item_id` and `attachments`). A file the
 * appeal already has under the same channel key (`unique_key`: an edited caption re-sends the same photo) is not
 * listed twice; the items of one batch that join one appeal go one by one, so the earlier rows are visible here.
 */
function insertFiles(from: string): string {
  return `
         INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
                                  rejection_reason, remote_ref, unique_key, created_at)
         SELECT n.appeal_id, n.inbound_item_id, f.file_name, f.content_type, f.size, f.sha256, f.status,
                f.rejection_reason, f.remote_ref, f.unique_key, ${IN_SENT_ORDER}
           FROM ${from}, jsonb_to_recordset(n.attachments) AS f(file_name text, content_type text, size integer,
                sha256 text, status text, rejection_reason text, remote_ref text, unique_key text, position integer)
          WHERE f.unique_key IS NULL
             OR NOT EXISTS (SELECT 1 FROM attachments x WHERE x.appeal_id = n.appeal_id AND x.unique_key = f.unique_key)`;
}

/** Follow-ups (RegistrationRepository.addFollowUpsAtomically): $1 the input rows (JSON), $2 their items' ids. */
export const ADD_FOLLOW_UPS_SQL = `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS n(ord integer, inbound_item_id uuid, appeal_id uuid,
           channel text, thread_key text, author_external_id text, phone text, attachments jsonb, event jsonb)
       ), ${CLAIMED} files AS (${insertFiles('claimed n')}
       ), thread AS (
         INSERT INTO appeal_threads (channel, thread_key, appeal_id)
         SELECT channel, thread_key, appeal_id FROM claimed WHERE thread_key IS NOT NULL ON CONFLICT DO NOTHING
       ), phone AS (
         -- A phone the applicant sent about themselves fills the card's empty phone; one already there stays.
         UPDATE applicants p SET phone = n.phone FROM claimed n JOIN appeals a ON a.id = n.appeal_id
          WHERE n.phone IS NOT NULL AND p.id = a.applicant_id AND p.channel = n.channel
            AND p.external_id = n.author_external_id AND p.phone IS NULL
         RETURNING n.ord
       ), events AS (
         INSERT INTO appeal_events (appeal_id, type, data)
         SELECT e.appeal_id, e.type, e.data FROM (
           SELECT n.ord, 0 AS k, n.appeal_id, 'follow-up-received' AS type, n.event AS data FROM claimed n
           UNION ALL
           -- As a staff correction would be recorded, by the applicant instead of a member of staff.
           SELECT n.ord, 1, n.appeal_id, 'card-updated',
                  jsonb_build_object('fields', jsonb_build_array('applicant.phone'), 'source', 'applicant')
             FROM claimed n JOIN phone USING (ord)
         ) e ORDER BY e.ord, e.k
       ), touched AS (
         UPDATE appeals a SET updated_at = now(), version = a.version + 1 FROM claimed n WHERE a.id = n.appeal_id
       )
       SELECT inbound_item_id FROM claimed`;

/**
 * Up to $1 appeals whose access code hash is stored unkeyed (64 hex digits, from before ACCESS_CODE_KEY), locked.
 * The predicate is the partial index's (migration UnkeyedAccessCodeIndex), word for word: the rows are read from
 * that index, so a worker's start with nothing left to key reads an empty index, not the table.
 */
export const UNKEYED_ACCESS_CODES_SQL = `SELECT id, access_code_hash AS hash FROM appeals
  WHERE access_code_hash ~ '^[0-9a-f]{64}$' LIMIT $1 FOR UPDATE SKIP LOCKED`;

/** New appeals (RegistrationRepository.registerManyAtomically): $1 the input rows (JSON), $2 their items' ids. */
export const REGISTER_MANY_SQL = `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS n(ord integer, appeal_id uuid, inbound_item_id uuid,
           channel text, external_id text, applicant_id uuid, applicant_external_id text, surname text,
           first_name text, patronymic text, display_name text, email text, phone text, postal_address text, snils text,
           year integer, registered_at timestamptz, received_at timestamptz, regime text, subject text, text text,
           address text, territory_code text, channel_category jsonb, fast_track boolean, status text,
           organisation_id uuid, time_zone text, registration_due_at timestamptz, redirect_due_at timestamptz,
           answer_due_date date, answer_due_at timestamptz, deadline_warnings jsonb, calendar_version text,
           access_code_hash text, reply_address jsonb, thread_key text, attachments jsonb, events jsonb,
           escalation_due_at timestamptz)
       ), ${CLAIMED} applicant AS (
         INSERT INTO applicants (id, channel, external_id, surname, first_name, patronymic, display_name, email,
                                 phone, postal_address, snils)
         SELECT applicant_id, channel, applicant_external_id, surname, first_name, patronymic, display_name, email,
                phone, postal_address, snils
           FROM claimed ORDER BY channel, applicant_external_id, applicant_id
         ON CONFLICT (channel, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
           surname = COALESCE(EXCLUDED.surname, applicants.surname),
           first_name = COALESCE(EXCLUDED.first_name, applicants.first_name),
           patronymic = COALESCE(EXCLUDED.patronymic, applicants.patronymic),
           display_name = COALESCE(EXCLUDED.display_name, applicants.display_name),
           email = COALESCE(EXCLUDED.email, applicants.email),
           phone = COALESCE(EXCLUDED.phone, applicants.phone),
           postal_address = COALESCE(EXCLUDED.postal_address, applicants.postal_address),
           snils = COALESCE(EXCLUDED.snils, applicants.snils)
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
            answer_due_at, deadline_warnings, calendar_version, access_code_hash, reply_address, escalation_due_at,
            part_organisation_ids)
         SELECT appeal_id, registration_number, registered_at, received_at, regime, channel, external_id,
                inbound_item_id, applicant_row_id, subject, text, address, territory_code, channel_category,
                fast_track, status, organisation_id, time_zone, registration_due_at, redirect_due_at,
                answer_due_date, answer_due_at, deadline_warnings, calendar_version, access_code_hash,
                reply_address, escalation_due_at,
                -- Its responsible part's organisation, inserted below (its trigger then finds it listed).
                ARRAY[organisation_id]
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
       ), files AS (${insertFiles('appeal JOIN numbered n ON n.appeal_id = appeal.id')}
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
       SELECT inbound_item_id, registration_number FROM numbered`;

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
    snils: string | null;
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
  /** The code's keyed hash (hashAccessCode): the code itself never reaches the database. */
  accessCodeHash: string;
  replyAddress: unknown;
  threadKey: string | null;
  attachments: AttachmentRow[];
  events: { type: string; occurred_at: Date; data: Record<string, unknown> }[];
  escalationDueAt: Date | null;
}

/** An item that may join an appeal: its thread keys, and the keys of the messages it answers. */
export interface ThreadLookup {
  id: string;
  channel: string;
  keys: string[];
  answered: string[];
  /** The appeal's number the item names (InboundItem.thread.registrationNumber), if any. */
  number: string | null;
  /** The item's author in the channel: a named number joins only an appeal of that applicant. */
  author: string | null;
  /** The message this item corrects (an edit: features.correctionOf), by its external id in the channel. */
  corrects: string | null;
}

export interface JoinedAppeal {
  id: string;
  registration_number: string;
}

/** What an appeal joined into an earlier one said, for that one's `follow-up-received` entry. */
export interface JoinedFollowUp {
  inbound_item_id: string;
  channel: string;
  external_id: string;
  received_at: Date;
  subject: string | null;
  text: string;
  attachments: number;
}

/** Everything a follow-up writes to the appeal it joins. */
export interface NewFollowUp {
  inboundItemId: string;
  appealId: string;
  channel: string;
  /** The item's own thread key, added to the appeal's threads. */
  threadKey: string | null;
  authorExternalId: string | null;
  /** A phone (normalised) the author sent about themselves; fills the card's phone if it has none. */
  phone: string | null;
  attachments: AttachmentRow[];
  /** The `follow-up-received` history entry's data. */
  event: Record<string, unknown>;
}

/** The registration side of intake: claiming stored items, threads, and the one-statement registration. */
@Injectable()
export class RegistrationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Replaces up to `limit` access code hashes stored unkeyed (64 hex digits, from before ACCESS_CODE_KEY) by what
   * `keyed` makes of each, in one transaction, skipping rows another worker holds. Returns how many it replaced.
   */
  async keyUnkeyedAccessCodeHashes(limit: number, keyed: (unkeyed: string) => string): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows = (await tx.query(UNKEYED_ACCESS_CODES_SQL, [limit])) as { id: string; hash: string }[];
      if (rows.length === 0) return 0;
      await tx.query(
        `UPDATE appeals a SET access_code_hash = v.hash FROM unnest($1::uuid[], $2::text[]) AS v(id, hash)
          WHERE a.id = v.id`,
        [rows.map((r) => r.id), rows.map((r) => keyed(r.hash))],
      );
      return rows.length;
    });
  }

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

  /**
   * As lockThreads, without waiting: returns the threads locked (as `channel:key`); one another transaction
   * holds is left out.
   */
  async tryLockThreads(tx: Db, threads: { channel: string; key: string }[]): Promise<Set<string>> {
    if (threads.length === 0) return new Set();
    const rows = (await tx.query(
      `SELECT k FROM (SELECT DISTINCT k FROM unnest($1::text[]) k ORDER BY k) s
        WHERE pg_try_advisory_xact_lock(hashtextextended(k, 0))`,
      [threads.map((t) => `${t.channel}:${t.key}`)],
    )) as { k: string }[];
    return new Set(rows.map((r) => r.k));
  }

  /**
   * For each item, the appeal it joins: the newest appeal still open on one of its thread keys, else (a reply
   * naming what it answers) the newest appeal on one of the keys it answers, whatever its status, else (a reply
   * that lost its keys but names the appeal's number) the appeal of that number in the item's channel whose
   * applicant is the item's author, whatever its status. Before all of these, an edit joins the appeal of the
   * message it corrects, whatever its status: a typo fixed after the appeal was closed is that appeal's correction,
   * not a new appeal, and a neighbouring appeal open in the same chat is not the one corrected. Items that join
   * none are left out.
   */
  async threadAppeals(
    tx: Db,
    items: ThreadLookup[],
    statuses: { open: readonly string[]; any: readonly string[] },
  ): Promise<Map<string, JoinedAppeal>> {
    if (items.length === 0) return new Map();
    const rows = (await tx.query(
      `SELECT x.id, COALESCE(c.id, o.id, r.id, n.id) AS appeal_id,
              COALESCE(c.registration_number, o.registration_number, r.registration_number, n.registration_number)
                AS registration_number
         FROM jsonb_to_recordset($1::jsonb)
           AS x(id uuid, channel text, keys text[], answered text[], number text, author text, corrects text)
         LEFT JOIN LATERAL (
           SELECT a.id, a.registration_number FROM inbound_items i JOIN appeals a ON a.id = i.appeal_id
            WHERE x.corrects IS NOT NULL AND i.channel = x.channel AND i.external_id = x.corrects
              AND a.status = ANY($3)
            LIMIT 1) c ON true
         LEFT JOIN LATERAL (
           SELECT a.id, a.registration_number FROM appeal_threads t JOIN appeals a ON a.id = t.appeal_id
            WHERE c.id IS NULL AND t.channel = x.channel AND t.thread_key = ANY(x.keys) AND a.status = ANY($2)
            ORDER BY a.registered_at DESC LIMIT 1) o ON true
         LEFT JOIN LATERAL (
           SELECT a.id, a.registration_number FROM appeal_threads t JOIN appeals a ON a.id = t.appeal_id
            WHERE c.id IS NULL AND o.id IS NULL AND t.channel = x.channel AND t.thread_key = ANY(x.answered) AND a.status = ANY($3)
            ORDER BY a.registered_at DESC LIMIT 1) r ON true
         LEFT JOIN LATERAL (
           SELECT a.id, a.registration_number FROM appeals a JOIN applicants p ON p.id = a.applicant_id
            WHERE c.id IS NULL AND o.id IS NULL AND r.id IS NULL AND a.registration_number = x.number AND a.channel = x.channel
              AND a.status = ANY($3) AND p.channel = x.channel AND p.external_id = x.author) n ON true
        WHERE COALESCE(c.id, o.id, r.id, n.id) IS NOT NULL`,
      [JSON.stringify(items), statuses.open, statuses.any],
    )) as { id: string; appeal_id: string; registration_number: string }[];
    return new Map(rows.map((r) => [r.id, { id: r.appeal_id, registration_number: r.registration_number }]));
  }

  /**
   * Adds follow-ups to their appeals in ONE statement, as registration does new appeals: each item's claim
   * (pending → processed) gates its files, its thread key, its history entry, the phone it fills on an empty
   * card (with the card's own history entry) and the appeal's touch, so an item another attempt claimed writes
   * nothing. The appeals must be distinct within the call. Returns the ids of the items claimed here.
   */
  async addFollowUpsAtomically(db: Db, followUps: NewFollowUp[]): Promise<Set<string>> {
    if (followUps.length === 0) return new Set();
    const input = followUps.map((f, ord) => ({
      ord,
      inbound_item_id: f.inboundItemId,
      appeal_id: f.appealId,
      channel: f.channel,
      thread_key: f.threadKey,
      author_external_id: f.authorExternalId,
      phone: f.phone,
      attachments: positioned(f.attachments),
      event: f.event,
    }));
    const rows = (await db.query(ADD_FOLLOW_UPS_SQL, [
      JSON.stringify(input),
      followUps.map((f) => f.inboundItemId),
    ])) as { inbound_item_id: string }[];
    return new Set(rows.map((r) => r.inbound_item_id));
  }

  /**
   * What a follow-up writes, for a whole appeal line 1 joins into an earlier one (the same appeal sent twice): its
   * files become the earlier appeal's (the same rows' bytes, one copy by hash; a file already there by its channel's
   * key is not added twice), its conversation keys lead the citizen's next messages to the earlier appeal, and what
   * it said is returned for the earlier appeal's `follow-up-received` entry, as an item's would be.
   */
  async joinAsFollowUp(db: Db, fromId: string, intoId: string): Promise<JoinedFollowUp> {
    const [row] = (await db.query(
      `WITH files AS (
         INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
                                  rejection_reason, remote_ref, unique_key, created_at)
         SELECT $2, f.inbound_item_id, f.file_name, f.content_type, f.size, f.sha256, f.status, f.rejection_reason,
                f.remote_ref, f.unique_key, f.created_at
           FROM attachments f
          WHERE f.appeal_id = $1 AND (f.unique_key IS NULL OR NOT EXISTS (
                SELECT 1 FROM attachments x WHERE x.appeal_id = $2 AND x.unique_key = f.unique_key))
         RETURNING 1
       ), thread AS (
         INSERT INTO appeal_threads (channel, thread_key, appeal_id)
         SELECT channel, thread_key, $2 FROM appeal_threads WHERE appeal_id = $1 ON CONFLICT DO NOTHING
       )
       SELECT a.inbound_item_id, a.channel, a.external_id, a.received_at, a.subject, a.text,
              (SELECT count(*)::int FROM files) AS attachments
         FROM appeals a WHERE a.id = $1`,
      [fromId, intoId],
    )) as JoinedFollowUp[];
    return row;
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
      snils: n.applicant.snils,
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
      access_code_hash: n.accessCodeHash,
      reply_address: n.replyAddress,
      thread_key: n.threadKey,
      attachments: positioned(n.attachments),
      events: positioned(n.events),
      escalation_due_at: n.escalationDueAt,
    }));
    const rows = (await db.query(REGISTER_MANY_SQL, [
      JSON.stringify(input),
      appeals.map((n) => n.inboundItemId),
    ])) as { inbound_item_id: string; registration_number: string }[];
    return new Map(rows.map((r) => [r.inbound_item_id, r.registration_number]));
  }
}
