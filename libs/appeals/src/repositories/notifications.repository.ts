import { rowsOf } from '@inbox/common';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db } from './db';

export interface NotificationView {
  id: string;
  kind: string;
  appealId: string | null;
  registrationNumber: string | null;
  /** A knowledge-base term's change request or section (the header's list opens it). */
  kbRequestId: string | null;
  kbSectionId: string | null;
  /**
   * A supervisor's counted notice of another organisation's terms (the clock sweeps', one per organisation, kind
   * and day, updated in place): the organisation, and how many appeals it counts (a knowledge base one counts
   * requests and sections, and says how many in its text).
   */
  organisationId: string | null;
  appealCount: number | null;
  text: string;
  createdAt: Date;
  readAt: Date | null;
}

/**
 * Staff notifications (`notifications`): clock marks (written by libs/clocks), returned parts and
 * sent-back drafts (written here, in the change's transaction), read through the API.
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async notify(
    tx: Db,
    userIds: string[],
    n: { kind: string; appealId: string | null; text: string },
  ): Promise<void> {
    if (userIds.length === 0) return;
    await tx.query(
      `INSERT INTO notifications (user_id, kind, appeal_id, text) SELECT u, $2, $3, $4 FROM unnest($1::uuid[]) u`,
      [[...new Set(userIds)], n.kind, n.appealId, n.text],
    );
  }

  async forUser(
    userId: string,
    options: { unreadOnly: boolean; limit: number; before: string | null },
  ): Promise<NotificationView[]> {
    const rows = (await this.dataSource.query(
      `SELECT n.id::text AS id, n.kind, n.appeal_id AS "appealId", a.registration_number AS "registrationNumber",
              n.kb_request_id AS "kbRequestId", n.kb_section_id AS "kbSectionId",
              n.organisation_id AS "organisationId",
              CASE WHEN n.kind LIKE 'clock-%' THEN cardinality(n.appeal_ids) END AS "appealCount",
              n.text, n.created_at AS "createdAt", n.read_at AS "readAt"
         FROM notifications n LEFT JOIN appeals a ON a.id = n.appeal_id
        WHERE n.user_id = $1 AND ($2::boolean IS FALSE OR n.read_at IS NULL)
          AND ($4::bigint IS NULL OR n.id < $4::bigint)
        ORDER BY n.id DESC LIMIT $3`,
      [userId, options.unreadOnly, options.limit, options.before],
    )) as NotificationView[];
    return rows;
  }

  async unreadCount(userId: string): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    )) as { n: number }[];
    return row.n;
  }

  /** Marks the user's own notification read; false when there is no such notification of theirs. */
  async markRead(userId: string, id: string): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1::bigint AND user_id = $2
         RETURNING id`,
        [id, userId],
      ),
    );
    return rows.length > 0;
  }

  /** Marks read every unread notification of the user up to `upToId` (the newest they were shown); how many. */
  async markAllRead(userId: string, upToId: string): Promise<number> {
    return rowsOf(
      await this.dataSource.query(
        `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id <= $2::bigint AND read_at IS NULL
         RETURNING id`,
        [userId, upToId],
      ),
    ).length;
  }

  /**
   * Who should hear of an appeal come to an organisation for them to work (reopened there after a poor rating):
   * its staff who answer or oversee appeals, not its administrators.
   */
  async organisationStaff(tx: Db, organisationId: string): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT id FROM users
        WHERE organisation_id = $1 AND active AND role IN ('operator', 'clerk', 'head', 'supervisor')`,
      [organisationId],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Who should hear about a returned part: the appeal's line-1 assignee, else the line-1 operators. */
  async lineOneRecipients(tx: Db, appealId: string): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT a.assignee_id AS id FROM appeals a WHERE a.id = $1 AND a.assignee_id IS NOT NULL
       UNION
       SELECT u.id FROM users u, appeals a
        WHERE a.id = $1 AND a.assignee_id IS NULL AND u.active AND u.role = 'operator'
          AND u.organisation_id = a.organisation_id`,
      [appealId],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
