import { rowsOf } from '@inbox/common';
import { Injectable } from '@nestjs/common';
import { type WorkingHours } from '@inbox/deadlines';
import { type Db } from './db';

export interface OrganisationClock {
  id: string;
  code: string;
  short_name: string;
  parent_id: string | null;
  kind: string;
  time_zone: string;
  working_hours: WorkingHours;
}

/**
 * What the workflow reads of other libs' tables (staff, the rubricator, the directory) and the rows it
 * writes into them (clock marks, the applicant's outbound messages) inside its own transaction: those libs
 * depend on this one, so they cannot be called from here, and the rows must commit with the change.
 */
@Injectable()
export class WorkflowReferencesRepository {
  async activeUser(tx: Db, userId: string): Promise<{ id: string; organisation_id: string } | undefined> {
    const [user] = (await tx.query(`SELECT id, organisation_id FROM users WHERE id = $1 AND active`, [
      userId,
    ])) as { id: string; organisation_id: string }[];
    return user;
  }

  /** Whether the organisation has an active department head (then answers and extensions go through them). */
  async hasHead(tx: Db, organisationId: string): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM users WHERE organisation_id = $1 AND role = 'head' AND active LIMIT 1`,
      [organisationId],
    )) as unknown[];
    return rows.length > 0;
  }

  async topics(tx: Db, ids: string[]): Promise<{ id: string; parent_id: string | null }[]> {
    return (await tx.query(`SELECT id, parent_id FROM topics WHERE id = ANY($1)`, [ids])) as {
      id: string;
      parent_id: string | null;
    }[];
  }

  async organisations(tx: Db, ids: string[]): Promise<OrganisationClock[]> {
    return (await tx.query(
      `SELECT id, code, short_name, parent_id, kind, time_zone, working_hours FROM organisations WHERE id = ANY($1)`,
      [ids],
    )) as OrganisationClock[];
  }

  /** A clock missed at the moment of the action: recorded once, charged to who held the item. */
  async markOverdue(
    tx: Db,
    mark: { appealId: string; organisationId: string; clock: string; dueAt: Date; holderUserId: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at, holder_user_id)
       VALUES ($1, $2, $3, 'overdue', $4, $5) ON CONFLICT DO NOTHING`,
      [mark.appealId, mark.organisationId, mark.clock, mark.dueAt, mark.holderUserId],
    );
  }

  /**
   * A message to the applicant through the channel of origin, delivered by the worker; or, where the channel
   * has no way back, `published` (the status page shows it) or `awaiting-handover` (staff give it by phone,
   * in person or by post and say so).
   */
  async queueOutbound(
    tx: Db,
    message: {
      appealId: string;
      answerId: string | null;
      channel: string;
      kind: string;
      text: string;
      subject: string;
      deliveryState?: 'published' | 'awaiting-handover';
      /** The answers the message brings, in order (several for a combined answer); default: `answerId`. */
      answerIds?: string[];
    },
  ): Promise<string> {
    const published = message.deliveryState === 'published';
    const [row] = (await tx.query(
      `INSERT INTO outbound_messages (appeal_id, answer_id, channel, kind, text, subject, status, sent_at,
         delivery_state, delivery_state_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,CASE WHEN $9::text IS NULL THEN NULL ELSE now() END) RETURNING id`,
      [
        message.appealId,
        message.answerId,
        message.channel,
        message.kind,
        message.text,
        message.subject,
        published ? 'sent' : 'queued',
        published ? new Date() : null,
        message.deliveryState ?? null,
      ],
    )) as { id: string }[];
    const answerIds = message.answerIds ?? (message.answerId ? [message.answerId] : []);
    if (answerIds.length > 0) {
      await tx.query(
        `INSERT INTO outbound_message_answers (outbound_message_id, answer_id, position)
         SELECT $1, x.id, x.ord FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, ord)`,
        [row.id, answerIds],
      );
    }
    return row.id;
  }

  /** The messages' runs as their delivery jobs are named (deliveryJobId): automatic round, a person's retries. */
  async deliveryRuns(db: Db, ids: string[]): Promise<{ id: string; round: number; retries: number }[]> {
    return (await db.query(
      `SELECT id, retry_rounds AS round, manual_retries AS retries FROM outbound_messages WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; round: number; retries: number }[];
  }

  /**
   * How the responsible organisation has its line-2 answers reach the citizen: `each` as it comes, or
   * `combined` in one message once no part is owed any more.
   */
  async answerDelivery(tx: Db, organisationId: string): Promise<'each' | 'combined'> {
    const [row] = (await tx.query(`SELECT answer_delivery FROM organisations WHERE id = $1`, [
      organisationId,
    ])) as { answer_delivery: 'each' | 'combined' }[];
    return row?.answer_delivery ?? 'each';
  }

  /** Where an answer can reach the applicant of a form, a call, a visit or a letter: their e-mail, if any. */
  /** Where an answer may go back to the applicant outside their channel: their e-mail, their postal address. */
  async applicantAddresses(
    tx: Db,
    appealId: string,
  ): Promise<{ email: string | null; postalAddress: string | null }> {
    const [row] = (await tx.query(
      `SELECT p.email, p.postal_address AS "postalAddress"
         FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
      [appealId],
    )) as { email: string | null; postalAddress: string | null }[];
    return { email: row?.email ?? null, postalAddress: row?.postalAddress?.trim() || null };
  }

  /**
   * Staff gave the answer by phone, in person or by post: the message that carries it (alone or combined with
   * others) is delivered, with who and how.
   */
  async markHandedOver(
    tx: Db,
    answerId: string,
    handover: { medium: string; by: string; at: Date },
  ): Promise<boolean> {
    const rows = rowsOf(
      await tx.query(
        `UPDATE outbound_messages SET status = 'sent', sent_at = $2, delivery_state = $3, delivery_state_at = $2,
                remote_id = $4
          WHERE id IN (SELECT outbound_message_id FROM outbound_message_answers WHERE answer_id = $1)
            AND delivery_state = 'awaiting-handover' RETURNING id`,
        [answerId, handover.at, `handed-over:${handover.medium}`, `staff:${handover.by}`],
      ),
    );
    return rows.length > 0;
  }
}
