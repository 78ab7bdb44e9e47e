import { Injectable } from '@nestjs/common';
import { AppConfig } from '@inbox/config';
import { AttachmentsRepository } from '../../repositories/attachments.repository';
import { type Actor } from '../actor';
import { AppealChange } from '../appeal-change';
import { checkedUpload, type UploadedFile } from '../uploaded-file';
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

  async execute(appealId: string, actor: Actor, file: UploadedFile): Promise<{ id: string }> {
    return this.change.run(appealId, actor, 'attach-to-appeal', async ({ tx, appeal: a, record }) => {
      const upload = checkedUpload(file, this.config.attachmentMaxBytes);
      if ((await this.attachments.addedByStaff(tx, a.id)) >= this.config.attachmentMaxCount) {
        const message = `К обращению можно приложить не больше ${this.config.attachmentMaxCount} файлов`;
        throw new WorkflowError('invalid-input', message, { file: message });
      }
      const id = await this.attachments.add(tx, { appealId: a.id, ...upload });
      // The name may carry personal data: the history names the file by its id only.
      await record('file-attached', { attachmentId: id });
      return { id };
    });
  }
}
