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

  /** A message to the applicant through the channel of origin, delivered by the worker. */
  async queueOutbound(
    tx: Db,
    message: {
      appealId: string;
      answerId: string | null;
      channel: string;
      kind: string;
      text: string;
      subject: string;
    },
  ): Promise<string> {
    const [row] = (await tx.query(
      `INSERT INTO outbound_messages (appeal_id, answer_id, channel, kind, text, subject) VALUES ($1,$2,$3,$4,$5,$6)
       RETURNING id`,
      [message.appealId, message.answerId, message.channel, message.kind, message.text, message.subject],
    )) as { id: string }[];
    return row.id;
  }
}
