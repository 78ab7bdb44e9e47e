import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What writing a notice to a citizen needs to know (the notice itself is queued by libs/delivery). */
@Injectable()
export class NoticesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async replyAddressOf(appealId: string): Promise<Record<string, unknown> | null> {
    const [appeal] = (await this.dataSource.query(`SELECT reply_address FROM appeals WHERE id = $1`, [
      appealId,
    ])) as { reply_address: Record<string, unknown> | null }[];
    return appeal?.reply_address ?? null;
  }

  async applicantHasPhone(appealId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1 AND p.phone IS NOT NULL`,
      [appealId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Short names, in name order. */
  async organisationNames(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT short_name FROM organisations WHERE id::text = ANY($1) ORDER BY short_name`,
      [ids],
    )) as { short_name: string }[];
    return rows.map((r) => r.short_name);
  }
}
