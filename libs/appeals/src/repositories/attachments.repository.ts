import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { type Db } from './db';
import { queryCount } from '@inbox/database';

export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string | null;
  status: string;
  rejectionReason: string | null;
}

/**
 * Stores a file's bytes once by their hash (`attachment_contents`), whoever refers to them: appeals' and answers'
 * files, messenger downloads, feed files and the knowledge base's attachments.
 */
export async function storeContentOnce(db: Db, sha256: string, content: Buffer): Promise<void> {
  await db.query(
    `INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`,
    [sha256, content.length, content],
  );
}

/** Files of appeals (`attachments`, contents deduplicated in `attachment_contents`). */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async forAppeal(appealId: string): Promise<AttachmentView[]> {
    return (await this.dataSource.query(
      `SELECT id, file_name AS "fileName", content_type AS "contentType", size, sha256, status,
              rejection_reason AS "rejectionReason"
         FROM attachments WHERE appeal_id = $1 ORDER BY created_at`,
      [appealId],
    )) as AttachmentView[];
  }

  /** How many files staff added to the appeal (those that came with no inbound item). */
  async addedByStaff(tx: Db, appealId: string): Promise<number> {
    return queryCount(
      tx,
      `SELECT count(*)::int AS n FROM attachments WHERE appeal_id = $1 AND inbound_item_id IS NULL`,
      [appealId],
    );
  }

  /** Stores a file of the appeal (its bytes once by hash) and returns its id. */
  async add(
    tx: Db,
    file: { appealId: string; fileName: string; contentType: string; content: Buffer; sha256: string },
  ): Promise<string> {
    await storeContentOnce(tx, file.sha256, file.content);
    const [row] = (await tx.query(
      `INSERT INTO attachments (appeal_id, file_name, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5)
       RETURNING id`,
      [file.appealId, file.fileName, file.contentType, file.content.length, file.sha256],
    )) as { id: string }[];
    return row.id;
  }

  /** A stored file's content, when its appeal lies within the scope. */
  async contentInScope(
    appealId: string,
    attachmentId: string,
    scope: AccessScope,
  ): Promise<{ fileName: string; contentType: string; content: Buffer } | undefined> {
    const params: unknown[] = [appealId, attachmentId];
    const [row] = (await this.dataSource.query(
      `SELECT t.file_name, t.content_type, c.content
         FROM appeals a JOIN attachments t ON t.appeal_id = a.id
         JOIN attachment_contents c ON c.sha256 = t.sha256
        WHERE a.id = $1 AND t.id = $2 AND t.status = 'stored' AND ${appealScopeSql(scope, params, 'a')}`,
      params,
    )) as { file_name: string; content_type: string; content: Buffer }[];
    return row && { fileName: row.file_name, contentType: row.content_type, content: row.content };
  }
}
