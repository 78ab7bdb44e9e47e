import iconv from 'iconv-lite';
import { PackageRejected } from './errors';

export interface DecodedText {
  text: string;
  /** The encoding the text was actually read in. */
  encoding: string;
  /** What the XML declaration said, when it said something. */
  declared?: string;
  /** Set when the bytes contradicted the declaration and a safe reading was still possible. */
  note?: string;
}

const UTF8 = 'utf-8';
const CP1251 = 'windows-1251';
const CP1251_ALIASES = new Set(['windows-1251', 'cp1251', 'win-1251', 'win1251', 'x-cp1251', 'cp-1251']);
const UTF8_ALIASES = new Set(['utf-8', 'utf8']);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** C0 controls that XML 1.0 forbids (everything below 0x20 but TAB, LF, CR). */
function firstForbiddenControl(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return i;
  }
  return -1;
}

export function hasForbiddenControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return false;
}

function hasHighBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Does a windows-1251 reading look like Russian text? Every byte sequence is "valid" windows-1251 except
 * 0x98, so validity alone proves nothing: most non-ASCII characters must be Cyrillic letters or the usual
 * typographic signs (« » — – № …).
 */
function plausibleCp1251(bytes: Uint8Array): boolean {
  if (bytes.includes(0x98) || firstForbiddenControl(bytes) >= 0) return false;
  let high = 0;
  let cyrillic = 0;
  for (const b of bytes) {
    if (b < 0x80) continue;
    high++;
    if (
      b >= 0xc0 ||
      b === 0xa8 ||
      b === 0xb8 ||
      [0xab, 0xbb, 0x96, 0x97, 0xb9, 0x85, 0x93, 0x94].includes(b)
    ) {
      cyrillic++;
    }
  }
  return high > 0 && cyrillic / high >= 0.9;
}

export function normaliseEncodingName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (UTF8_ALIASES.has(lower)) return UTF8;
  if (CP1251_ALIASES.has(lower)) return CP1251;
  return lower;
}

function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  const declaration = /^\s*<\?xml\s[^>]*?\?>/.exec(head)?.[0];
  if (!declaration) return undefined;
  return /\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(declaration)?.[1];
}

function rejectEncoding(reason: string, reasonRu: string): PackageRejected {
  return new PackageRejected('bad-encoding', reason, reasonRu);
}

function checkControls(bytes: Uint8Array, encoding: string): void {
  const at = firstForbiddenControl(bytes);
  if (at >= 0) {
    throw rejectEncoding(
      `the XML read as ${encoding} contains the control byte 0x${bytes[at].toString(16).padStart(2, '0')} at offset ${at}, which no XML text may contain`,
      `XML в кодировке ${encoding} содержит недопустимый управляющий байт 0x${bytes[at].toString(16).padStart(2, '0')} (смещение ${at}): файл повреждён`,
    );
  }
}

/**
 * Reads XML bytes in the encoding their declaration states (МЭДО requires the declaration; windows-1251
 * and UTF-8 are the usual ones). Gateways do get it wrong, so two unambiguous contradictions are read
 * the way they were really written, with a `note`:
 *   - declared UTF-8 (or nothing) but not valid UTF-8, and the bytes read as Russian windows-1251 text;
 *   - declared windows-1251 but the bytes are valid UTF-8 with multi-byte sequences (real windows-1251
 *     Russian text is practically never valid UTF-8).
 * Anything else that does not decode cleanly (control bytes, 0x98 in windows-1251, invalid UTF-8 that is
 * not Russian windows-1251, an unknown encoding) is rejected: guessing would register garbled text.
 */
export function decodeXmlBytes(input: Uint8Array): DecodedText {
  const bytes = input;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const text = tryUtf8(bytes.subarray(3));
    if (text === undefined) {
      throw rejectEncoding(
        'UTF-8 byte order mark, but the bytes are not UTF-8',
        'Метка UTF-8, но файл не в UTF-8',
      );
    }
    checkControls(bytes.subarray(3), UTF8);
    return { text, encoding: UTF8, declared: declaredEncoding(bytes.subarray(3)) };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = iconv.decode(Buffer.from(bytes.subarray(2)), encoding);
    if (text.includes('\uFFFD') || hasForbiddenControlChar(text)) {
      throw rejectEncoding(`invalid ${encoding} text`, `Файл в кодировке ${encoding} повреждён`);
    }
    return { text, encoding };
  }

  const declared = declaredEncoding(bytes);
  const encoding = declared ? normaliseEncodingName(declared) : UTF8;

  if (encoding === UTF8) {
    const text = tryUtf8(bytes);
    if (text !== undefined) {
      checkControls(bytes, UTF8);
      return { text, encoding: UTF8, declared };
    }
    if (plausibleCp1251(bytes)) {
      return {
        text: iconv.decode(Buffer.from(bytes), CP1251),
        encoding: CP1251,
        declared,
        note: `declared ${declared ?? 'no encoding (UTF-8)'}, the bytes are windows-1251: read as windows-1251`,
      };
    }
    throw rejectEncoding(
      `the XML declares ${declared ?? 'no encoding (so UTF-8)'} but is not valid UTF-8, nor recognisable windows-1251 text`,
      `XML объявлен в кодировке ${declared ?? 'UTF-8 (по умолчанию)'}, но не является корректным UTF-8 и не распознан как windows-1251`,
    );
  }

  if (encoding === CP1251) {
    if (hasHighBytes(bytes)) {
      const asUtf8 = tryUtf8(bytes);
      if (asUtf8 !== undefined) {
        checkControls(bytes, UTF8);
        return {
          text: asUtf8,
          encoding: UTF8,
          declared,
          note: `declared ${declared}, the bytes are UTF-8: read as UTF-8`,
        };
      }
    }
    checkControls(bytes, CP1251);
    const at = bytes.indexOf(0x98);
    if (at >= 0) {
      throw rejectEncoding(
        `the XML declares windows-1251 but contains the byte 0x98 at offset ${at}, which windows-1251 does not define`,
        `XML объявлен в кодировке windows-1251, но содержит байт 0x98 (смещение ${at}), которого нет в windows-1251: файл повреждён`,
      );
    }
    return { text: iconv.decode(Buffer.from(bytes), CP1251), encoding: CP1251, declared };
  }

  if (!iconv.encodingExists(encoding)) {
    throw rejectEncoding(
      `the XML declares the unsupported encoding "${declared}"`,
      `XML объявлен в неподдерживаемой кодировке «${declared}»`,
    );
  }
  checkControls(bytes, encoding);
  const text = iconv.decode(Buffer.from(bytes), encoding);
  if (text.includes('\uFFFD')) {
    throw rejectEncoding(
      `the XML declares ${declared} but contains bytes that are not ${declared}`,
      `XML объявлен в кодировке ${declared}, но содержит недопустимые для неё байты`,
    );
  }
  return { text, encoding, declared };
}

/**
 * Text files of older gateways (the INI envelope) carry no declaration: windows-1251 by convention,
 * UTF-8 when the bytes say so unambiguously.
 */
export function decodeLegacyText(bytes: Uint8Array): string {
  let body = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  if (hasHighBytes(body)) {
    const utf8 = tryUtf8(body);
    if (utf8 !== undefined) return utf8;
  }
  return iconv.decode(Buffer.from(body), CP1251);
}
