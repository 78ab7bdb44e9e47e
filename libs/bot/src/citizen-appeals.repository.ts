import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CitizenAppealLine } from './texts';

const COLUMNS = `a.registration_number AS "registrationNumber",
  to_char(a.registered_at AT TIME ZONE a.time_zone, 'YYYY-MM-DD') AS "registeredOn", a.status,
  to_char(a.answer_due_date, 'YYYY-MM-DD') AS "answerDueDate"`;

/**
 * A messenger user's own appeals, found by who they are in the channel (applicants.channel + external_id =
 * the Telegram / VK / OK user id). A number that is not theirs is "not found": the bot tells a citizen
 * nothing about anyone else's appeal.
 */
@Injectable()
export class CitizenAppeals {
  constructor(private readonly dataSource: DataSource) {}

  async list(channel: string, author: string, limit: number): Promise<CitizenAppealLine[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = $1 AND p.external_id = $2 ORDER BY a.registered_at DESC, a.id DESC LIMIT $3`,
      [channel, author, limit],
    )) as CitizenAppealLine[];
  }

  async one(
    channel: string,
    author: string,
    registrationNumber: string,
  ): Promise<CitizenAppealLine | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = $1 AND p.external_id = $2 AND a.registration_number = $3`,
      [channel, author, registrationNumber],
    )) as CitizenAppealLine[];
    return row;
  }

  /**
   * The appeal whose rating request (OK: answered by typing digits) this author may still answer: the latest
   * one sent to them within `days`, not rated since.
   */
  async openRatingRequest(channel: string, author: string, days: number): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT a.registration_number AS "registrationNumber"
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = $1 AND p.external_id = $2 AND m.kind = 'rating-request' AND m.status = 'sent'
          AND m.sent_at > now() - make_interval(days => $3)
          AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.appeal_id = a.id AND r.received_at > m.sent_at)
        ORDER BY m.sent_at DESC LIMIT 1`,
      [channel, author, days],
    )) as { registrationNumber: string }[];
    return row?.registrationNumber;
  }

  /** The latest rating request sent to this author, however old, and whether its answer was rated since. */
  async lastRatingRequest(
    channel: string,
    author: string,
  ): Promise<{ registrationNumber: string; rated: boolean } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT a.registration_number AS "registrationNumber",
              EXISTS (SELECT 1 FROM ratings r WHERE r.appeal_id = a.id AND r.received_at > m.sent_at) AS rated
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = $1 AND p.external_id = $2 AND m.kind = 'rating-request' AND m.status = 'sent'
        ORDER BY m.sent_at DESC LIMIT 1`,
      [channel, author],
    )) as { registrationNumber: string; rated: boolean }[];
    return row;
  }
}
