import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '@inbox/config';
import { computeAppealDeadlines, localDateOf, ProductionCalendar, type AppealDeadlines } from '@inbox/deadlines';
import { type StoredInboundItem } from '@inbox/intake/entities';
import { OrganisationDirectory, type OrganisationEntity } from '@inbox/organisations';
import { newAccessCode, hashAccessCode } from './access-code';
import { AppealStatus, OPEN_STATUSES } from './appeal-status';
import { formatRegistrationNumber } from './registration-number';
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
    return this.dataSource.transaction(async (tx) => {
      const [item] = (await tx.query(
        `SELECT id, channel, external_id, received_at, payload, status, appeal_id
           FROM inbound_items WHERE id = $1 FOR UPDATE`,
        [inboundItemId],
      )) as ItemRow[];
      if (!item) throw new Error(`Inbound item ${inboundItemId} does not exist`);
      if (item.status === 'processed' && item.appeal_id) {
        const [appeal] = (await tx.query(`SELECT registration_number FROM appeals WHERE id = $1`, [
          item.appeal_id,
        ])) as { registration_number: string }[];
        return { kind: 'already-processed', appealId: item.appeal_id, registrationNumber: appeal.registration_number };
      }
      if (item.status === 'quarantined') return { kind: 'quarantined', reason: 'already quarantined' };

      const problem = checkStoredItem(item.payload);
      if (problem) {
        await tx.query(
          `UPDATE inbound_items SET status = 'quarantined', error = $2, attempts = attempts + 1 WHERE id = $1`,
          [item.id, problem],
        );
        return { kind: 'quarantined', reason: problem };
      }

      const open = await this.findOpenThreadAppeal(tx, item);
      if (open) return this.addFollowUp(tx, item, open);
      return this.registerNew(tx, item, now);
    });
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
  ): Promise<RegistrationOutcome> {
    const p = item.payload;
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
    await this.markProcessed(tx, item.id, appeal.id);
    return { kind: 'follow-up', appealId: appeal.id, registrationNumber: appeal.registration_number };
  }

  private async registerNew(tx: EntityManager, item: ItemRow, now: Date): Promise<RegistrationOutcome> {
    const p = item.payload;
    const organisation = await this.organisationFor(p);
    const registeredAt = p.registeredAt ? new Date(p.registeredAt) : now;
    const receivedAt = new Date(item.received_at);
    const fastTrack = p.fastTrack === true;
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
    const [{ seq }] = (await tx.query(`SELECT next_registration_seq($1) AS seq`, [year])) as { seq: string }[];
    const registrationNumber = formatRegistrationNumber(year, Number(seq));
    const accessCode = newAccessCode();
    const applicantId = await this.upsertApplicant(tx, item);

    const [{ id: appealId }] = (await tx.query(
      `INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
          inbound_item_id, applicant_id, subject, text, address, territory_code, channel_category, fast_track,
          status, organisation_id, time_zone, registration_due_at, redirect_due_at, answer_due_date,
          answer_due_at, deadline_warnings, calendar_version, access_code_hash, reply_address)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)
       RETURNING id`,
      [
        registrationNumber,
        registeredAt,
        receivedAt,
        p.regime ?? 'appeal',
        item.channel,
        item.external_id,
        item.id,
        applicantId,
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
        hashAccessCode(registrationNumber, accessCode),
        p.replyAddress ?? null,
      ],
    )) as { id: string }[];

    await tx.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at) VALUES ($1, $2, 'responsible', $3)`,
      [appealId, organisation.id, registeredAt],
    );
    await this.insertThreadKey(tx, item, appealId);
    await this.insertAttachments(tx, appealId, item);
    await tx.query(
      `INSERT INTO appeal_events (appeal_id, type, occurred_at, data) VALUES
         ($1, 'received', $2, $3), ($1, 'registered', $4, $5), ($1, 'routed', $4, $6)`,
      [
        appealId,
        receivedAt,
        { inboundItemId: item.id, channel: item.channel, externalId: item.external_id },
        registeredAt,
        {
          registrationNumber,
          regime: p.regime ?? 'appeal',
          fastTrack,
          termDays: deadlines.termDays,
          answerDueDate: deadlines.answerDueDate,
          answerDueAt: deadlines.answerDueAt,
          registrationDueAt: deadlines.registrationDueAt,
          redirectDueAt: deadlines.redirectDueAt,
          calendarVersion: this.calendar.version,
          warnings: deadlines.warnings,
        },
        {
          organisationId: organisation.id,
          organisationCode: organisation.code,
          reason: organisation.code === this.config.managementCentreCode ? 'management-centre' : 'addressee',
        },
      ],
    );
    await this.markProcessed(tx, item.id, appealId);
    return {
      kind: 'registered',
      appealId,
      registrationNumber,
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

  private async upsertApplicant(tx: EntityManager, item: ItemRow): Promise<string> {
    const a = item.payload.author;
    const values = [
      item.channel,
      a.externalId ?? null,
      a.surname ?? null,
      a.firstName ?? null,
      a.patronymic ?? null,
      a.displayName ?? null,
      a.email ?? null,
      a.phone ?? null,
      a.postalAddress ?? null,
    ];
    const sql = `INSERT INTO applicants (channel, external_id, surname, first_name, patronymic, display_name, email,
                   phone, postal_address) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`;
    if (!a.externalId) {
      const [row] = (await tx.query(`${sql} RETURNING id`, values)) as { id: string }[];
      return row.id;
    }
    // A known author keeps one applicant record; newer contact details win, missing ones don't erase.
    const [row] = (await tx.query(
      `${sql} ON CONFLICT (channel, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
         surname = COALESCE(EXCLUDED.surname, applicants.surname),
         first_name = COALESCE(EXCLUDED.first_name, applicants.first_name),
         patronymic = COALESCE(EXCLUDED.patronymic, applicants.patronymic),
         display_name = COALESCE(EXCLUDED.display_name, applicants.display_name),
         email = COALESCE(EXCLUDED.email, applicants.email),
         phone = COALESCE(EXCLUDED.phone, applicants.phone),
         postal_address = COALESCE(EXCLUDED.postal_address, applicants.postal_address)
       RETURNING id`,
      values,
    )) as { id: string }[];
    return row.id;
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
    const files = item.payload.attachments ?? [];
    if (files.length === 0) return;
    await tx.query(
      `INSERT INTO attachments (appeal_id, inbound_item_id, file_name, content_type, size, sha256, status,
         rejection_reason, remote_ref)
       SELECT $1, $2, f.file_name, f.content_type, f.size, f.sha256, f.status, f.rejection_reason, f.remote_ref
         FROM jsonb_to_recordset($3::jsonb) AS f(file_name text, content_type text, size integer, sha256 text,
              status text, rejection_reason text, remote_ref text)`,
      [
        appealId,
        item.id,
        JSON.stringify(
          files.map((f) => ({
            file_name: f.fileName,
            content_type: f.contentType,
            size: f.size,
            sha256: f.sha256 ?? null,
            status: f.rejectionReason ? 'rejected' : f.sha256 ? 'stored' : 'remote',
            rejection_reason: f.rejectionReason ?? null,
            remote_ref: f.remoteRef ?? null,
          })),
        ),
      ],
    );
  }

  private async markProcessed(tx: EntityManager, itemId: string, appealId: string): Promise<void> {
    await tx.query(
      `UPDATE inbound_items SET status = 'processed', appeal_id = $2, processed_at = now(), error = NULL,
              attempts = attempts + 1 WHERE id = $1`,
      [itemId, appealId],
    );
  }
}

function threadKeys(p: StoredInboundItem): string[] {
  if (!p.thread) return [];
  return [...new Set([p.thread.key, ...(p.thread.refersTo ?? [])].filter((k): k is string => !!k))];
}
