import { fromBuffer } from 'file-type';

/**
 * What a file is by its bytes (`file-type`'s magic numbers), never by its name or the type the sender claimed.
 * Plain text has no magic number: it is text when `textCharset` can read it.
 */
export async function sniffContentType(content: Buffer): Promise<string | undefined> {
  // UTF-16's byte-order mark FF FE is also an MPEG audio frame's sync (`file-type` says audio/mpeg); a file of
  // whole UTF-16 characters without control characters after it is text.
  if (utf16ByMark(content) && textCharset(content)) return 'text/plain';
  const found = await fromBuffer(content);
  if (found) return found.mime;
  return textCharset(content) ? 'text/plain' : undefined;
}

/** The encodings a citizen's text file comes in: UTF-8, Notepad's «Юникод» (UTF-16 with a BOM) and «ANSI». */
export type TextCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1251';

const TEXT_WINDOW = 64 * 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * The charset plain text is in, or undefined when the bytes are not text (judged on the first 64 KB). A Russian
 * Windows saves a .txt as windows-1251 («ANSI») or UTF-16 («Юникод») unless told otherwise, and such a file from
 * a citizen was refused as not text and its bytes never kept. windows-1251 has no invalid bytes but 0x98, so a
 * file is read as it only when it has no control characters and at least four in five of its non-ASCII bytes are
 * Cyrillic letters. The bytes are kept as sent and served with their charset.
 */
export function textCharset(content: Buffer): TextCharset | undefined {
  if (content.length === 0) return undefined;
  const window = content.subarray(0, TEXT_WINDOW);
  const utf16 = utf16ByMark(window);
  if (utf16) {
    // An odd window ends inside a code unit: held back by `stream`, as a cut surrogate pair is.
    const text = new TextDecoder(utf16, { fatal: false }).decode(window.subarray(2), { stream: true });
    return text.length > 0 && !text.includes('\uFFFD') && !CONTROL.test(text) ? utf16 : undefined;
  }
  // `stream`: a character cut by the 64 KB window is held back, not read as U+FFFD (a long Cyrillic text was
  // refused as not text whenever byte 65 536 fell inside a letter).
  const text = new TextDecoder('utf-8', { fatal: false }).decode(window, { stream: true });
  if (CONTROL.test(text)) return undefined;
  if (!text.includes('\uFFFD')) return 'utf-8';
  return isWindows1251(window) ? 'windows-1251' : undefined;
}

function utf16ByMark(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
}

function isWindows1251(bytes: Buffer): boolean {
  let high = 0;
  let letters = 0;
  for (const b of bytes) {
    if (b < 0x80) continue;
    if (b === 0x98) return false;
    high++;
    if (b >= 0xc0 || b === 0xa8 || b === 0xb8) letters++;
  }
  // A Russian text's non-ASCII bytes are nearly all letters (the rest «», —, №); random bytes' are about half.
  return high > 0 && letters >= high * 0.8;
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
  if (sniffed === 'text/plain')
    return { contentType: `text/plain; charset=${textCharset(content)}`, inline: false };
  return { contentType: sniffed ?? 'application/octet-stream', inline: false };
}
