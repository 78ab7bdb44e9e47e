import * as iconv from 'iconv-lite';

/*
 * Outlook's winmail.dat (TNEF, application/ms-tnef): when Outlook sends in its rich-text format, the citizen's
 * files travel inside it instead of as MIME parts. The stream (MS-OXTNEF): a signature, a 16-bit key, then
 * attributes — level (1 message, 2 attachment), id (low 16 bits) and type (high 16), length, data, a 16-bit sum
 * of the data bytes. Each attachment's attributes begin with attAttachRenddata; its name is attAttachTitle (in
 * the message's OEM code page) or, longer and in Unicode, PR_ATTACH_LONG_FILENAME among its MAPI properties
 * (attAttachment); its bytes are attAttachData. The letter's own body, when Outlook sent it in rich text, is only
 * here too: PR_RTF_COMPRESSED among the message's MAPI properties (attMsgProps; see readTnefBody). Written here: the one npm reader (node-tnef) pulls a logger and
 * a command-line parser into the service, for the hundred lines this takes.
 */

const SIGNATURE = 0x223e9f78;
const LEVEL_MESSAGE = 1;
const LEVEL_ATTACHMENT = 2;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_RENDDATA = 0x9002;
const ATT_ATTACHMENT = 0x9005;
const ATT_OEM_CODEPAGE = 0x9007;

/**
 * More files than this in one winmail.dat and none are taken out (the .dat stays, and the clerk is told it was not
 * read): each file costs an attachment row, a sniff and a hash, and a stream needs only 22 bytes a file — a letter
 * at the mailbox's 64 MB limit would have become two million attachments of one appeal.
 */
export const MAX_TNEF_FILES = 100;

const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_ATTACH_MIME_TAG = 0x370e;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const MV_FLAG = 0x1000;

export interface TnefFile {
  fileName: string;
  contentType?: string;
  content: Buffer;
}

interface Pending {
  title?: Buffer;
  longName?: string;
  mimeTag?: string;
  data?: Buffer;
}

/** True when the bytes begin as a TNEF stream. */
export function isTnefStream(bytes: Buffer): boolean {
  return bytes.length >= 6 && bytes.readUInt32LE(0) === SIGNATURE;
}

/**
 * Calls `visit` with each attribute of a TNEF stream (level, id, data) in order; false when the bytes are not TNEF,
 * an attribute breaks off or its sum is wrong, or `visit` says stop.
 */
function eachAttribute(bytes: Buffer, visit: (level: number, id: number, data: Buffer) => boolean): boolean {
  if (!isTnefStream(bytes)) return false;
  let at = 6;
  while (at < bytes.length) {
    if (at + 9 > bytes.length) return false;
    const level = bytes[at];
    const id = bytes.readUInt16LE(at + 1);
    const start = at + 9;
    const end = start + bytes.readUInt32LE(at + 5);
    if (end + 2 > bytes.length) return false;
    const data = bytes.subarray(start, end);
    let sum = 0;
    for (const b of data) sum = (sum + b) & 0xffff;
    if (sum !== bytes.readUInt16LE(end)) return false;
    at = end + 2;
    if (!visit(level, id, data)) return false;
  }
  return true;
}

/**
 * The files inside a TNEF stream, in order; undefined when the bytes are not TNEF or break off (a wrong length,
 * a bad sum), or hold more than MAX_TNEF_FILES files: a clerk is then told the file could not be read rather than
 * handed part of it.
 */
export function readTnefFiles(bytes: Buffer): TnefFile[] | undefined {
  let codepage = 1252;
  const done: Pending[] = [];
  let current: Pending | undefined;
  const whole = eachAttribute(bytes, (level, id, data) => {
    if (level === LEVEL_MESSAGE && id === ATT_OEM_CODEPAGE && data.length >= 4)
      codepage = data.readUInt32LE(0);
    if (level !== LEVEL_ATTACHMENT) return true;
    if (id === ATT_ATTACH_RENDDATA) {
      if (current) done.push(current);
      if (done.length >= MAX_TNEF_FILES) return false;
      current = {};
    } else if (current && id === ATT_ATTACH_TITLE) current.title = data;
    else if (current && id === ATT_ATTACH_DATA) current.data = data;
    else if (current && id === ATT_ATTACHMENT)
      Object.assign(current, attachmentProps(data, charsetOf(codepage)));
    return true;
  });
  if (!whole) return undefined;
  if (current) done.push(current);
  const charset = charsetOf(codepage);
  return done
    .filter((p): p is Pending & { data: Buffer } => p.data !== undefined)
    .map((p, i) => ({
      fileName:
        p.longName?.trim() ||
        (p.title
          ? iconv
              .decode(p.title, charset)
              .replace(/\0[\s\S]*$/, '')
              .trim()
          : '') ||
        `winmail-${i + 1}.bin`,
      ...(p.mimeTag ? { contentType: p.mimeTag } : {}),
      content: Buffer.from(p.data),
    }));
}

const ATT_BODY = 0x800c;
const ATT_MSG_PROPS = 0x9003;
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;

/**
 * The letter's own body as Outlook packed it into the stream: PR_RTF_COMPRESSED (Outlook's rich text, the only body
 * of a letter sent in RTF format; see rtf-body), else PR_HTML (bytes in the HTML's own charset; read as UTF-8 when
 * it says none), else the plain PR_BODY or attBody (in the message's OEM code page). Undefined when the stream
 * carries none or breaks off.
 */
export function readTnefBody(
  bytes: Buffer,
): { rtfCompressed?: Buffer; html?: string; text?: string } | undefined {
  let codepage = 1252;
  let attBody: Buffer | undefined;
  let props: Buffer | undefined;
  const whole = eachAttribute(bytes, (level, id, data) => {
    if (level !== LEVEL_MESSAGE) return true;
    if (id === ATT_OEM_CODEPAGE && data.length >= 4) codepage = data.readUInt32LE(0);
    else if (id === ATT_BODY) attBody = data;
    else if (id === ATT_MSG_PROPS) props = data;
    return true;
  });
  if (!whole) return undefined;
  const charset = charsetOf(codepage);
  const found = props
    ? mapiValues(props, charset, new Set([PR_BODY, PR_RTF_COMPRESSED, PR_HTML]))
    : new Map();
  const rtf = found.get(PR_RTF_COMPRESSED);
  if (Buffer.isBuffer(rtf)) return { rtfCompressed: rtf };
  const html = found.get(PR_HTML);
  if (html !== undefined) return { html: Buffer.isBuffer(html) ? htmlOf(html) : html };
  const text = found.get(PR_BODY) ?? (attBody ? iconv.decode(attBody, charset) : undefined);
  if (text !== undefined) return { text: String(text).replace(/\0[\s\S]*$/, '') };
  return {};
}

/** HTML bytes in the charset its own <meta> names, else UTF-8. */
function htmlOf(bytes: Buffer): string {
  const declared = /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(
    bytes.subarray(0, 2048).toString('latin1'),
  )?.[1];
  return iconv
    .decode(bytes, declared && iconv.encodingExists(declared) ? declared : 'utf8')
    .replace(/\0[\s\S]*$/, '');
}

const padded = (n: number) => (n + 3) & ~3;
const charsetOf = (codepage: number) =>
  iconv.encodingExists(`cp${codepage}`) ? `cp${codepage}` : 'windows-1252';

/** The long file name and MIME type among an attachment's MAPI properties (MS-OXTNEF 2.1.3.4). */
function attachmentProps(data: Buffer, charset: string): { longName?: string; mimeTag?: string } {
  const values = mapiValues(data, charset, new Set([PR_ATTACH_LONG_FILENAME, PR_ATTACH_MIME_TAG]));
  const text = (id: number) => {
    const value = values.get(id);
    return typeof value === 'string' && value ? value : undefined;
  };
  const longName = text(PR_ATTACH_LONG_FILENAME);
  const mimeTag = text(PR_ATTACH_MIME_TAG)?.toLowerCase();
  return { ...(longName ? { longName } : {}), ...(mimeTag ? { mimeTag } : {}) };
}

/**
 * The wanted properties of a MAPI property list (MS-OXTNEF 2.1.3.4): strings decoded (to their first NUL), binary
 * values as bytes; whatever else is there is stepped over. A list that does not add up yields nothing.
 */
function mapiValues(data: Buffer, charset: string, wanted: Set<number>): Map<number, string | Buffer> {
  const found = new Map<number, string | Buffer>();
  try {
    let at = 0;
    const count = data.readUInt32LE(at);
    at += 4;
    for (let p = 0; p < count; p++) {
      const type = data.readUInt16LE(at);
      const id = data.readUInt16LE(at + 2);
      at += 4;
      if (id >= 0x8000) {
        // A named property: a GUID, then a number or a name.
        at += 16;
        const kind = data.readUInt32LE(at);
        at += 4;
        at += kind === 0 ? 4 : 4 + padded(data.readUInt32LE(at));
      }
      const base = type & ~MV_FLAG;
      const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
      const values = type & MV_FLAG || variable ? data.readUInt32LE(at) : 1;
      if (type & MV_FLAG || variable) at += 4;
      for (let v = 0; v < values; v++) {
        if (variable) {
          const length = data.readUInt32LE(at);
          const value = data.subarray(at + 4, at + 4 + length);
          if (at + 4 + length > data.length) return new Map();
          at += 4 + padded(length);
          if (!wanted.has(id)) continue;
          const text =
            base === PT_UNICODE
              ? value.toString('utf16le')
              : base === PT_STRING8
                ? iconv.decode(value, charset)
                : undefined;
          const clean = text?.replace(/\0[\s\S]*$/, '');
          // The last non-empty value, as the attachment's name was taken before.
          if (clean) found.set(id, clean);
          else if (clean === undefined) found.set(id, Buffer.from(value));
        } else {
          at += fixedSize(base);
          // A count no list this long could hold (a value of four billion longs): stop here, not loop on.
          if (at > data.length) return new Map();
        }
      }
    }
  } catch {
    return new Map();
  }
  return found;
}

/** Bytes a fixed-size MAPI value takes in TNEF, padding to four included. */
function fixedSize(type: number): number {
  switch (type) {
    case 0x0002: // PT_SHORT
    case 0x0003: // PT_LONG
    case 0x0004: // PT_FLOAT
    case 0x000a: // PT_ERROR
    case 0x000b: // PT_BOOLEAN
      return 4;
    case 0x0005: // PT_DOUBLE
    case 0x0006: // PT_CURRENCY
    case 0x0007: // PT_APPTIME
    case 0x0014: // PT_I8
    case 0x0040: // PT_SYSTIME
      return 8;
    case 0x0048: // PT_CLSID
      return 16;
    default:
      throw new Error(`MAPI type ${type}`);
  }
}
