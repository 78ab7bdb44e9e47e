import { Headers, Joiner, Rewriter, Splitter, type MimeNode } from '@zone-eu/mailsplit';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as iconv from 'iconv-lite';

/*
 * Letters whose text parts say nothing of their charset (or say UTF-8 or an unknown name) but carry 8-bit
 * Cyrillic: old mail clients, scanners and web forms still send windows-1251 or KOI8-R this way. mailparser reads
 * such a part as UTF-8 and a clerk gets «�����». Here those parts are decoded by guess and written back as UTF-8.
 */

/** Single-byte Cyrillic charsets, in the order tried; the one whose text reads most like Russian wins. */
const CANDIDATES = ['windows-1251', 'koi8-r', 'cp866'] as const;
// The most frequent letters of Russian text, lower case: a charset that misreads the bytes gives few of them.
const FREQUENT = new Set('оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё');

/** True when the bytes are well-formed UTF-8. */
function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function score(text: string): number {
  let n = 0;
  for (const ch of text) {
    if (FREQUENT.has(ch)) n += 2;
    else if (/[\p{L}\p{N}\s.,;:!?()«»"'\-–—№%/]/u.test(ch)) n += 0;
    else n -= 1;
  }
  return n;
}

/** UTF-16 by its byte-order mark, or by the zero high bytes every other byte of Latin and Cyrillic text has. */
function utf16Of(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes.length < 8 || bytes.length % 2 !== 0) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    if (bytes[i] === 0 || bytes[i] === 4) evenZeros += 1;
    if (bytes[i + 1] === 0 || bytes[i + 1] === 4) oddZeros += 1;
  }
  const half = bytes.length / 2;
  if (oddZeros > half * 0.6 && evenZeros < half * 0.1) return 'utf-16le';
  if (evenZeros > half * 0.6 && oddZeros < half * 0.1) return 'utf-16be';
  return undefined;
}

/**
 * Decodes text of an unknown charset: UTF-16 when it looks so (a web form's export), else the single-byte
 * Cyrillic charset that reads best.
 */
export function decodeGuessingCyrillic(bytes: Buffer): string {
  return iconv.decode(bytes, guessCharset(bytes));
}

function guessCharset(bytes: Buffer): string {
  const utf16 = utf16Of(bytes);
  if (utf16) return utf16;
  let best = { charset: CANDIDATES[0] as string, score: -Infinity };
  for (const charset of CANDIDATES) {
    const s = score(iconv.decode(bytes, charset));
    if (s > best.score) best = { charset, score: s };
  }
  return best.charset;
}

/** The letter split into MIME nodes, passed through `step` (which may change them) and joined again. */
async function resplit(raw: Buffer, step: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([raw]),
    new Splitter(),
    step,
    new Joiner(),
    async (joined: AsyncIterable<Buffer>) => {
      for await (const chunk of joined) out.push(chunk);
    },
  );
  return Buffer.concat(out);
}

/** Header lines that are not UTF-8 re-encoded as UTF-8, from the single-byte Cyrillic charset that reads best. */
function utf8Headers(headers: Buffer): Buffer {
  const lines: Buffer[] = [];
  for (let at = 0; at < headers.length; ) {
    const end = headers.indexOf(0x0a, at);
    const next = end === -1 ? headers.length : end + 1;
    lines.push(headers.subarray(at, next));
    at = next;
  }
  const broken = lines.filter((line) => !isUtf8(line));
  // Judged by their 8-bit bytes only: the header names and addresses would dilute the score.
  const charset = guessCharset(Buffer.from(Buffer.concat(broken).filter((b) => b >= 0x80)));
  return Buffer.concat(
    lines.map((line) => (isUtf8(line) ? line : Buffer.from(iconv.decode(line, charset), 'utf8'))),
  );
}

/**
 * The letter with every header block (the letter's own and each part's) written in raw 8-bit windows-1251 or
 * KOI8-R — a subject, a sender's name, an attachment's file name without encoded-words, as old clients and
 * scanners write them — re-encoded as UTF-8, which is how mailparser reads raw header bytes; undefined when every
 * header block is UTF-8.
 */
export async function repairRawHeaders(raw: Buffer): Promise<Buffer | undefined> {
  let changed = false;
  const fix = new Transform({
    objectMode: true,
    transform(chunk: { type?: string } & Partial<MimeNode>, _encoding, done) {
      if (chunk.type === 'node' && typeof chunk.getHeaders === 'function') {
        const headers = chunk.getHeaders();
        if (!isUtf8(headers)) {
          changed = true;
          chunk.headers = new Headers(utf8Headers(headers));
        }
      }
      done(null, chunk);
    },
  });
  const out = await resplit(raw, fix);
  return changed ? out : undefined;
}

/**
 * The names of US-ASCII, as normalised below: «ANSI_X3.4-1968» is what a script's C locale reports (a server's
 * form mailer, cron), written on letters whose text is 8-bit Cyrillic all the same.
 */
const ASCII_NAME =
  /^(?:usascii|ascii|ansix341968|ansix341986|iso646us|iso646irv1991|us|cp367|ibm367|csascii)$/;

/** How a text part says it is written: unknown (nothing, UTF-8, ASCII, a name iconv does not know), or 8-bit. */
function declaredOf(node: MimeNode): 'unknown' | 'single-byte' | undefined {
  if (node.multipart || !/^text\/(?:plain|html)$/i.test(node.contentType || '')) return undefined;
  if (node.disposition === 'attachment') return undefined;
  const declared = node.charset || '';
  const charset = declared.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!charset || charset === 'utf8' || ASCII_NAME.test(charset)) return 'unknown';
  if (!iconv.encodingExists(declared)) return 'unknown';
  return /^(?:windows1251|cp1251|win1251|koi8r|koi8u|cp866|ibm866|iso88595)$/.test(charset)
    ? 'single-byte'
    : undefined;
}

/** Bytes with characters beyond ASCII that are well-formed UTF-8: no single-byte Russian text is. */
function isMultiByteUtf8(bytes: Buffer): boolean {
  return bytes.some((b) => b >= 0x80) && isUtf8(bytes);
}

/**
 * UTF-8 read as windows-1251 («РџСЂРёРІРµС‚» for «Привет»: Р or С followed by the characters UTF-8's second
 * bytes become, which never follow them in Russian) or as KOI8-R («п÷я─п╦п╡п╣я┌»: box-drawing characters).
 * Only a hint to look at the bytes: the bytes decide.
 */
const MOJIBAKE =
  /[РС][\u00a0-\u00bf\u0402-\u040f\u0452-\u045f\u2018-\u203a\u20ac\u2116\u2122]|[\u2500-\u259f]/g;

export function looksLikeMisreadUtf8(text: string): boolean {
  return (text.match(MOJIBAKE)?.length ?? 0) >= 3;
}

/**
 * The letter with every text part that is not what its charset says re-encoded as UTF-8 (and declared so), or
 * undefined when no part needed it: undeclared 8-bit Cyrillic decoded by guess, UTF-8 under a single-byte
 * Cyrillic label relabelled. Other parts are left as they are.
 */
export async function repairUndeclaredCharsets(raw: Buffer): Promise<Buffer | undefined> {
  let changed = false;
  const rewriter = new Rewriter((node: MimeNode) => declaredOf(node) !== undefined);
  rewriter.on('node', ({ node, decoder, encoder }) => {
    const declared = declaredOf(node);
    const chunks: Buffer[] = [];
    decoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    decoder.on('end', () => {
      const bytes = Buffer.concat(chunks);
      if (declared === 'single-byte') {
        // Labelled windows-1251 or KOI8-R by a form or a relay, written in UTF-8.
        if (isMultiByteUtf8(bytes)) {
          changed = true;
          node.setCharset('utf-8');
        }
        encoder.end(bytes);
        return;
      }
      if (isUtf8(bytes)) {
        encoder.end(bytes);
        return;
      }
      changed = true;
      node.setCharset('utf-8');
      encoder.end(Buffer.from(decodeGuessingCyrillic(bytes), 'utf8'));
    });
  });
  const out = await resplit(raw, rewriter);
  return changed ? out : undefined;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * The text of a raw header value's encoded-words (RFC 2047), for the words mailparser could not read: a charset
 * nobody knows (`x-unknown`), or windows-1251 bytes under a UTF-8 label (PHP form scripts). A word whose bytes
 * are valid in its charset is decoded by it; any other by the Cyrillic guess. Undefined when the value has none.
 */
export function decodeEncodedWordsGuessing(rawValue: string): string | undefined {
  if (!rawValue.includes('=?')) return undefined;
  const unfolded = rawValue.replace(/\r?\n[ \t]+/g, ' ');
  // Whitespace between two encoded-words is not part of the text.
  const joined = unfolded.replace(/\?=\s+=\?/g, '?==?');
  if (!new RegExp(ENCODED_WORD.source).test(joined)) return undefined;
  return joined.replace(ENCODED_WORD, (_word, charset: string, kind: string, data: string) => {
    const bytes =
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
    const label = charset.split('*')[0].toLowerCase();
    // UTF-8 and ASCII (no 8-bit byte is ASCII): bytes that are not what the label says are Cyrillic by guess.
    if (/^utf-?8$/.test(label) || ASCII_NAME.test(label.replace(/[^a-z0-9]/g, '')))
      return isUtf8(bytes) ? bytes.toString('utf8') : decodeGuessingCyrillic(bytes);
    return iconv.encodingExists(label) ? iconv.decode(bytes, label) : decodeGuessingCyrillic(bytes);
  });
}
