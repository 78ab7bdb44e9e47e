import { sniffContentType } from '@inbox/common';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Attachments of articles — office documents, PDFs and images (a legal act's scan, a form to fill in) — by the
 * type declared, and what its bytes may sniff as (`file-type`'s magic numbers). Word 97 and Excel 97 files are
 * OLE compound files; a Word or Excel 2007 file is a zip `file-type` names by its parts, or a bare zip when the
 * parts come in an order it does not look that far for.
 */
const SNIFFED_AS: Record<string, readonly string[]> = {
  'application/pdf': ['application/pdf'],
  'application/msword': ['application/x-cfb'],
  'application/vnd.ms-excel': ['application/x-cfb'],
  [DOCX]: [DOCX, 'application/zip'],
  [XLSX]: [XLSX, 'application/zip'],
  'application/rtf': ['application/rtf'],
  'text/plain': ['text/plain'],
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png'],
};

/** What a clerk reads a sniffed type as. */
const NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/x-cfb': 'документ Word или Excel',
  [DOCX]: 'документ Word',
  [XLSX]: 'таблица Excel',
  'application/zip': 'архив ZIP',
  'application/rtf': 'RTF',
  'text/plain': 'текст',
  'image/jpeg': 'изображение JPEG',
  'image/png': 'изображение PNG',
};

export const KB_ATTACHMENT_TYPES = Object.keys(SNIFFED_AS);
const ACCEPTED = new Set(Object.values(SNIFFED_AS).flat());

/**
 * Why an article's attachment is refused by what its bytes are, in Russian; undefined when they are what the
 * uploader's browser declared. The declared type alone was trusted: a program or a web page sent as
 * `application/pdf` was kept, and another clerk opened it as the PDF it claimed to be.
 */
export async function kbAttachmentMismatch(declared: string, content: Buffer): Promise<string | undefined> {
  const sniffed = await sniffContentType(content);
  if (!sniffed || !ACCEPTED.has(sniffed))
    return 'Содержимое файла не PDF, не документ Word или Excel, не RTF, не текст и не изображение: файл не принят';
  if (SNIFFED_AS[declared]?.includes(sniffed)) return undefined;
  return `Содержимое файла не совпадает с его типом: по содержимому это ${NAMES[sniffed] ?? sniffed}`;
}
