import { fromBuffer } from 'file-type';

/**
 * What a file is by its bytes (`file-type`'s magic numbers), never by its name or the type the sender claimed.
 * Plain text has no magic number: it is text when it is valid UTF-8 without control characters other than
 * tab, line feed and carriage return.
 */
export async function sniffContentType(content: Buffer): Promise<string | undefined> {
  const found = await fromBuffer(content);
  if (found) return found.mime;
  return isPlainText(content) ? 'text/plain' : undefined;
}

function isPlainText(content: Buffer): boolean {
  if (content.length === 0) return false;
  // `stream`: a character cut by the 64 KB window is held back, not read as U+FFFD (a long Cyrillic text was
  // refused as not text whenever byte 65 536 fell inside a letter).
  const text = new TextDecoder('utf-8', { fatal: false }).decode(content.subarray(0, 64 * 1024), {
    stream: true,
  });
  // eslint-disable-next-line no-control-regex
  return !text.includes('\uFFFD') && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text);
}

/**
 * The form's allow-list: each extension a citizen may attach and the types its bytes may sniff as. A Word 97
 * document is an OLE compound file; a .txt must be text (an HTML page renamed .txt is served as text, never
 * rendered).
 */
const ALLOWED: Record<string, readonly string[]> = {
  jpg: ['image/jpeg'],
  jpeg: ['image/jpeg'],
  png: ['image/png'],
  pdf: ['application/pdf'],
  doc: ['application/x-cfb', 'application/msword'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/zip'],
  odt: ['application/vnd.oasis.opendocument.text', 'application/zip'],
  rtf: ['application/rtf'],
  txt: ['text/plain'],
};

/** The sniffed type when the bytes are what the name says and on the allow-list; undefined otherwise. */
export async function allowedUpload(fileName: string, content: Buffer): Promise<string | undefined> {
  const ext = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
  const sniffed = await sniffContentType(content);
  return sniffed && ALLOWED[ext]?.includes(sniffed) ? sniffed : undefined;
}

/**
 * What a channel's file (Telegram, VK, OK, e-mail, ПОС, МЭДО) may be by its bytes: pictures, scans, documents,
 * text, voice and video messages. An executable, a script or anything unknown is not kept.
 */
const CHANNEL_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/heif',
  'image/tiff',
  'image/bmp',
  'application/pdf',
  'text/plain',
  'application/xml',
  'application/rtf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'audio/ogg',
  'audio/opus',
  'audio/mpeg',
  'audio/mp4',
  'audio/x-m4a',
  'video/mp4',
  'video/quicktime',
]);
/** Containers that are a document only when the name says which (Word 97 and Excel 97 files, OOXML as zip). */
const CONTAINER_EXTENSIONS: Record<string, readonly string[]> = {
  'application/x-cfb': ['doc', 'xls'],
  'application/zip': ['docx', 'xlsx', 'odt', 'ods'],
};

const SIGNATURE_EXTENSIONS = ['p7s', 'sig', 'sgn'];

/**
 * The sniffed type when a channel's file may be kept (CHANNEL_TYPES, or a container its name explains);
 * undefined otherwise: the file is then kept as a reference marked `type-not-allowed`, its bytes never stored
 * nor served.
 */
export async function allowedChannelFile(fileName: string, content: Buffer): Promise<string | undefined> {
  const sniffed = await sniffContentType(content);
  const ext = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
  // A detached signature (МЭДО's .p7s) is DER, which has no magic number: an ASN.1 SEQUENCE named as one.
  if (!sniffed && SIGNATURE_EXTENSIONS.includes(ext) && content[0] === 0x30)
    return 'application/pkcs7-signature';
  if (!sniffed) return undefined;
  if (CHANNEL_TYPES.has(sniffed)) return sniffed;
  return CONTAINER_EXTENSIONS[sniffed]?.includes(ext) ? sniffed : undefined;
}

/** Types a browser may show inline; anything else is offered as a download, never rendered. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/** How to serve stored bytes: the sniffed type, inline only for pictures and PDF. */
export async function servedAs(content: Buffer): Promise<{ contentType: string; inline: boolean }> {
  const sniffed = await sniffContentType(content);
  if (sniffed && INLINE_TYPES.has(sniffed)) return { contentType: sniffed, inline: true };
  if (sniffed === 'text/plain') return { contentType: 'text/plain; charset=utf-8', inline: false };
  return { contentType: sniffed ?? 'application/octet-stream', inline: false };
}
