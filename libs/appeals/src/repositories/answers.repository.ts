import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db } from './db';
import { storeContentOnce } from './attachments.repository';

export interface LockedAnswer {
  id: string;
  status: string;
  organisation_id: string;
  author_id: string;
  text: string;
}

/** An answer as the card lists it, with its state and who wrote and approved it. */
export interface AnswerView {
  id: string;
  status: string;
  text: string;
  organisationId: string;
  organisationName: string;
  authorId: string;
  authorName: string;
  templateId: string | null;
  approvedBy: string | null;
  approvedByName: string | null;
  approvedAt: Date | null;
  sentAt: Date | null;
  createdAt: Date;
  editedAt: Date | null;
  sentBackBy: string | null;
  sentBackAt: Date | null;
  sentBackComment: string | null;
  /**
   * An answer staff give the applicant themselves (a call, a visit, a letter without an e-mail): `awaiting`
   * until they record it, then how it was given; null for one a channel delivers.
   */
  handover: 'awaiting' | 'phone' | 'in-person' | 'post' | null;
  /**
   * The latest message a channel carries this answer in, as delivery left it (queued, maybe with the last
   * failed try's reason; sent; failed); null for a draft, an answer held for a combined one or handed over.
   */
  delivery: AnswerDelivery | null;
  attachments: AnswerFile[];
}

/** Where an answer's message to the applicant stands: what «Недоставленные» and the history know, for the card. */
export interface AnswerDelivery {
  channel: string;
  status: 'queued' | 'sent' | 'failed';
  lastError: string | null;
  /** Of a send in several messages not yet whole: the parts already out, of how many (0 and null else). */
  partsSent: number;
  partsTotal: number | null;
  /** When the channel took it (JSON's ISO text). */
  sentAt: string | null;
}

/** A file of an answer, without its content. */
export interface AnswerFile {
  id: string;
  answerId: string;
  fileName: string;
  contentType: string;
  size: number;
}

/** Answers to appeals (`answers`): draft → approved → sent. */
@Injectable()
export class AnswersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async forAppeal(appealId: string): Promise<AnswerView[]> {
    const answers = (await this.dataSource.query(
      `SELECT n.id, n.status, n.text, n.organisation_id AS "organisationId", o.short_name AS "organisationName",
              n.author_id AS "authorId", au.full_name AS "authorName", n.template_id AS "templateId",
              n.approved_by AS "approvedBy", ap.full_name AS "approvedByName", n.approved_at AS "approvedAt",
              n.sent_at AS "sentAt", n.created_at AS "createdAt", n.edited_at AS "editedAt",
              n.sent_back_by AS "sentBackBy", n.sent_back_at AS "sentBackAt", n.sent_back_comment AS "sentBackComment",
              (SELECT CASE WHEN m.delivery_state = 'awaiting-handover' THEN 'awaiting'
                           ELSE substr(m.delivery_state, length('handed-over:') + 1) END
                 FROM outbound_message_answers ma JOIN outbound_messages m ON m.id = ma.outbound_message_id
                WHERE ma.answer_id = n.id
                  AND (m.delivery_state = 'awaiting-handover' OR m.delivery_state LIKE 'handed-over:%')
                ORDER BY m.created_at DESC LIMIT 1) AS handover,
              (SELECT json_build_object('channel', m.channel, 'status', m.status, 'lastError', m.last_error,
                                        'sentAt', m.sent_at,
                                        'partsSent', CASE WHEN m.status = 'sent' THEN 0
                                                          ELSE coalesce(cardinality(m.parts_sent), 0) END,
                                        'partsTotal', m.parts_total)
                 FROM outbound_message_answers ma JOIN outbound_messages m ON m.id = ma.outbound_message_id
                WHERE ma.answer_id = n.id
                  AND (m.delivery_state IS NULL
                       OR NOT (m.delivery_state = 'awaiting-handover' OR m.delivery_state LIKE 'handed-over:%'))
                ORDER BY m.created_at DESC LIMIT 1) AS delivery
         FROM answers n JOIN organisations o ON o.id = n.organisation_id
         JOIN users au ON au.id = n.author_id LEFT JOIN users ap ON ap.id = n.approved_by
        WHERE n.appeal_id = $1 AND n.status <> 'discarded' ORDER BY n.created_at`,
      [appealId],
    )) as Omit<AnswerView, 'attachments'>[];
    const files = await this.filesOf(answers.map((a) => a.id));
    return answers.map((a) => ({ ...a, attachments: files.filter((f) => f.answerId === a.id) }));
  }

  /** The files of these answers, oldest first. */
  async filesOf(answerIds: string[], db: Db = this.dataSource.manager): Promise<AnswerFile[]> {
    if (answerIds.length === 0) return [];
    return (await db.query(
      `SELECT id, answer_id AS "answerId", file_name AS "fileName", content_type AS "contentType", size
         FROM answer_attachments WHERE answer_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [answerIds],
    )) as AnswerFile[];
  }

  /** A file stored once by hash, added to a draft. */
  async addFile(
    tx: Db,
    file: { answerId: string; fileName: string; contentType: string; content: Buffer; sha256: string },
  ): Promise<string> {
    await storeContentOnce(tx, file.sha256, file.content);
    const [row] = (await tx.query(
      `INSERT INTO answer_attachments (answer_id, file_name, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5)
       RETURNING id`,
      [file.answerId, file.fileName, file.contentType, file.content.length, file.sha256],
    )) as { id: string }[];
    return row.id;
  }

  /**
   * Takes a file off an answer: the row goes, and its bytes with it when nothing else refers to them (stored once
   * by hash). The removed file's name, or undefined when the answer has no such file.
   */
  async removeFile(tx: Db, answerId: string, fileId: string): Promise<{ fileName: string } | undefined> {
    const [row] = (await tx.query(
      // Through a CTE: a bare DELETE … RETURNING comes back from TypeORM as [rows, count].
      `WITH removed AS (DELETE FROM answer_attachments WHERE id = $1 AND answer_id = $2 RETURNING file_name, sha256)
       SELECT file_name AS "fileName", sha256 FROM removed`,
      [fileId, answerId],
    )) as { fileName: string; sha256: string }[];
    if (!row) return undefined;
    await tx.query(
      `DELETE FROM attachment_contents c WHERE c.sha256 = $1
          AND NOT EXISTS (SELECT 1 FROM attachments x WHERE x.sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM answer_attachments x WHERE x.sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM kb_attachments x WHERE x.sha256 = c.sha256)`,
      [row.sha256],
    );
    return { fileName: row.fileName };
  }

  /** A file's content, when it belongs to this answer of this appeal (and, with `sentOnly`, the answer was sent). */
  async fileContent(
    appealId: string,
    answerId: string,
    fileId: string,
    sentOnly: boolean,
  ): Promise<{ fileName: string; contentType: string; content: Buffer } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT f.file_name AS "fileName", f.content_type AS "contentType", c.content
         FROM answer_attachments f JOIN answers n ON n.id = f.answer_id
         JOIN attachment_contents c ON c.sha256 = f.sha256
        WHERE f.id = $3 AND n.id = $2 AND n.appeal_id = $1 AND (NOT $4 OR n.status = 'sent')`,
      [appealId, answerId, fileId, sentOnly],
    )) as { fileName: string; contentType: string; content: Buffer }[];
    return row;
  }

  /**
   * Sent answers no message to the citizen carries yet (held for a combined answer, or the one just sent), with
   * the full name of the organisation that gave each, in the order they were sent.
   */
  async unreleased(tx: Db, appealId: string): Promise<{ id: string; organisation: string; text: string }[]> {
    return (await tx.query(
      `SELECT n.id, o.name AS organisation, n.text
         FROM answers n JOIN organisations o ON o.id = n.organisation_id
        WHERE n.appeal_id = $1 AND n.status = 'sent'
          AND NOT EXISTS (SELECT 1 FROM outbound_message_answers x WHERE x.answer_id = n.id)
        ORDER BY n.sent_at, n.created_at, n.id`,
      [appealId],
    )) as { id: string; organisation: string; text: string }[];
  }

  /**
   * Sent answers as the citizen reads them on the status page: who answered, when, what. Only those a message
   * has brought the citizen: one held for a combined answer shows with the others once it goes out.
   */
  async sentForCitizen(appealId: string): Promise<
    {
      id: string;
      organisation: string;
      text: string;
      sentAt: Date;
      rated: boolean;
      attachments: AnswerFile[];
    }[]
  > {
    const answers = (await this.dataSource.query(
      `SELECT n.id, o.short_name AS organisation, n.text, n.sent_at AS "sentAt",
              EXISTS (SELECT 1 FROM ratings r WHERE r.answer_id = n.id
                         AND (r.answered IS NOT NULL OR r.satisfaction IS NOT NULL)) AS rated
         FROM answers n JOIN organisations o ON o.id = n.organisation_id
        WHERE n.appeal_id = $1 AND n.status = 'sent'
          AND EXISTS (SELECT 1 FROM outbound_message_answers x WHERE x.answer_id = n.id)
        ORDER BY n.sent_at`,
      [appealId],
    )) as { id: string; organisation: string; text: string; sentAt: Date; rated: boolean }[];
    const files = await this.filesOf(answers.map((a) => a.id));
    return answers.map((a) => ({ ...a, attachments: files.filter((f) => f.answerId === a.id) }));
  }

  async insertDraft(
    tx: Db,
    draft: {
      appealId: string;
      organisationId: string;
      authorId: string;
      templateId: string | null;
      text: string;
    },
  ): Promise<string> {
    const [row] = (await tx.query(
      `INSERT INTO answers (appeal_id, organisation_id, author_id, template_id, text) VALUES ($1,$2,$3,$4,$5)
       RETURNING id`,
      [draft.appealId, draft.organisationId, draft.authorId, draft.templateId, draft.text],
    )) as { id: string }[];
    return row.id;
  }

  /** Whether an answer of the appeal is being prepared or was given (a draft, approved or sent; not discarded). */
  async anyGiven(tx: Db, appealId: string): Promise<boolean> {
    const rows = (await tx.query(
      `SELECT 1 FROM answers WHERE appeal_id = $1 AND status <> 'discarded' LIMIT 1`,
      [appealId],
    )) as unknown[];
    return rows.length > 0;
  }

  async lock(tx: Db, appealId: string, answerId: string): Promise<LockedAnswer | undefined> {
    const [answer] = (await tx.query(
      `SELECT id, status, organisation_id, author_id, text FROM answers WHERE id = $1 AND appeal_id = $2 FOR UPDATE`,
      [answerId, appealId],
    )) as LockedAnswer[];
    return answer;
  }

  async approve(tx: Db, answerId: string, approvedBy: string): Promise<void> {
    await tx.query(
      `UPDATE answers SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1`,
      [answerId, approvedBy],
    );
  }

  async editDraft(tx: Db, answerId: string, text: string, at: Date): Promise<void> {
    await tx.query(`UPDATE answers SET text = $2, edited_at = $3 WHERE id = $1`, [answerId, text, at]);
  }

  async discard(tx: Db, answerId: string): Promise<void> {
    await tx.query(`UPDATE answers SET status = 'discarded' WHERE id = $1`, [answerId]);
  }

  async sendBack(tx: Db, answerId: string, by: string, comment: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE answers SET sent_back_by = $2, sent_back_comment = $3, sent_back_at = $4 WHERE id = $1`,
      [answerId, by, comment, at],
    );
  }

  async markSent(tx: Db, answerId: string, at: Date): Promise<void> {
    await tx.query(`UPDATE answers SET status = 'sent', sent_at = $2 WHERE id = $1`, [answerId, at]);
  }

  /**
   * The answer most recently sent, which a rating refers to; one held for a combined answer does not count
   * (the citizen has not read it yet).
   */
  /** A sent answer of this appeal that has reached the citizen's way (a message carries it), by id. */
  async sentOne(
    tx: Db,
    appealId: string,
    answerId: string,
  ): Promise<{ id: string; organisation_id: string } | undefined> {
    const [answer] = (await tx.query(
      `SELECT id, organisation_id FROM answers n WHERE appeal_id = $1 AND id = $2 AND status = 'sent'
          AND EXISTS (SELECT 1 FROM outbound_message_answers x WHERE x.answer_id = n.id)`,
      [appealId, answerId],
    )) as { id: string; organisation_id: string }[];
    return answer;
  }

  async lastSent(tx: Db, appealId: string): Promise<{ id: string; organisation_id: string } | undefined> {
    const [answer] = (await tx.query(
      `SELECT id, organisation_id FROM answers n WHERE appeal_id = $1 AND status = 'sent'
          AND EXISTS (SELECT 1 FROM outbound_message_answers x WHERE x.answer_id = n.id)
        ORDER BY sent_at DESC LIMIT 1`,
      [appealId],
    )) as { id: string; organisation_id: string }[];
    return answer;
  }
}
