import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sizeText } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { AttachmentsRepository } from '../../repositories/attachments.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { WorkflowError } from '../workflow-error';

/**
 * A file of the appeal itself added by staff — a scanned letter, a document brought to a reception — by
 * whoever may work the appeal: stored with its bytes as the channels' files are, listed on the card and
 * served by the same audited read. At most ATTACHMENT_MAX_COUNT such files per appeal.
 */
@Injectable()
export class AttachFileCommand {
  constructor(
    private readonly change: AppealChange,
    private readonly attachments: AttachmentsRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(
    appealId: string,
    actor: Actor,
    file: { fileName: string; contentType: string; content: Buffer },
  ): Promise<{ id: string }> {
    return this.change.run(appealId, actor, 'attach-to-appeal', async ({ tx, appeal: a, record }) => {
      const fileName = file.fileName.trim();
      if (!fileName || file.content.length === 0) {
        throw new WorkflowError('invalid-input', 'Приложите непустой файл', { file: 'Нет файла' });
      }
      if (file.content.length > this.config.attachmentMaxBytes) {
        const message = `Файл больше ${sizeText(this.config.attachmentMaxBytes)}`;
        throw new WorkflowError('too-large', message, { file: message });
      }
      if ((await this.attachments.addedByStaff(tx, a.id)) >= this.config.attachmentMaxCount) {
        const message = `К обращению можно приложить не больше ${this.config.attachmentMaxCount} файлов`;
        throw new WorkflowError('invalid-input', message, { file: message });
      }
      const id = await this.attachments.add(tx, {
        appealId: a.id,
        fileName: fileName.slice(0, 255),
        contentType: file.contentType || 'application/octet-stream',
        content: file.content,
        sha256: createHash('sha256').update(file.content).digest('hex'),
      });
      // The name may carry personal data: the history names the file by its id only.
      await record('file-attached', { attachmentId: id });
      return { id };
    });
  }
}
