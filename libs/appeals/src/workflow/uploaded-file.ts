import { createHash } from 'node:crypto';
import { sizeText } from '@inbox/common';
import { WorkflowError } from './workflow-error';

/** A file as staff upload it: a scanned letter onto an appeal, an enclosure onto a draft answer. */
export interface UploadedFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/**
 * A staff upload refused when empty or over `maxBytes`, else ready to store: the name trimmed and cut to
 * its column's 255, a content type by default, and the hash its bytes are stored once by.
 */
export function checkedUpload(file: UploadedFile, maxBytes: number): UploadedFile & { sha256: string } {
  const fileName = file.fileName.trim();
  if (!fileName || file.content.length === 0) {
    throw new WorkflowError('invalid-input', 'Приложите непустой файл', { file: 'Нет файла' });
  }
  if (file.content.length > maxBytes) {
    const message = `Файл больше ${sizeText(maxBytes)}`;
    throw new WorkflowError('too-large', message, { file: message });
  }
  return {
    fileName: fileName.slice(0, 255),
    contentType: file.contentType || 'application/octet-stream',
    content: file.content,
    sha256: createHash('sha256').update(file.content).digest('hex'),
  };
}
