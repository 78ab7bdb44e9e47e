import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope, appealScopeSql } from '@inbox/access';

export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string | null;
  status: string;
  rejectionReason: string | null;
}

/** Files of appeals (`attachments`, contents deduplicated in `attachment_contents`). */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async forAppeal(appealId: string): Promise<AttachmentView[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, file_name, content_type, size, sha256, status, rejection_reason FROM attachments
        WHERE appeal_id = $1 ORDER BY created_at`,
      [appealId],
    )) as Record<string, unknown>[];
    return rows.map((a) => ({
      id: a.id as string,
      fileName: a.file_name as string,
      contentType: a.content_type as string,
      size: a.size as number,
      sha256: a.sha256 as string | null,
      status: a.status as string,
      rejectionReason: a.rejection_reason as string | null,
    }));
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
