import { Headers, Joiner, Rewriter, Splitter, type MimeNode } from '@zone-eu/mailsplit';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as iconv from 'iconv-lite';

/*
 * Letters whose text parts say nothing of their charset (or say UTF-8 or an unknown name) but carry 8-bit
 * Cyrillic: old mail clients, scanners and web forms still send windows-1251 or KOI8-R this way. mailparser reads
 * such a part as UTF-8 and a clerk gets «�����». Here those parts are decoded by guess and written back as UTF-8.
 */

/*
 * Charset labels Russian mail clients write that neither mailparser's alias table (libmime) nor iconv-lite know,
 * by their normalised spelling (lower case, letters and digits only), and the iconv-lite charset they name: Apple
 * Mail and old Mac clients label Cyrillic `x-mac-cyrillic` (or `x-mac-ukrainian`), which mailparser leaves
 * undecoded. Labels libmime already maps (cp1251, win-1251, x-cp1251, koi8, ibm866, iso8859-5…) need no entry.
 */
const CHARSET_ALIASES: Record<string, string> = {
  xmaccyrillic: 'maccyrillic',
  xmaccyr: 'maccyrillic',
  maccyr: 'maccyrillic',
  xmacukrainian: 'macukraine',
  xmacukraine: 'macukraine',
  macukrainian: 'macukraine',
};

const normalisedLabel = (label: string) => label.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The charset iconv-lite decodes a label by that mailparser does not know, or undefined. */
export function aliasedCharset(label: string): string | undefined {
  return CHARSET_ALIASES[normalisedLabel(label)];
}

/** Single-byte Cyrillic charsets, in the order tried; the one whose text reads most like Russian wins. */
const CANDIDATES = ['windows-1251', 'koi8-r', 'cp866', 'iso-8859-5'] as const;

/*
 * The most frequent letter pairs of Russian text, case folded. Text decoded by the right charset has about 0.4 of
 * them per 8-bit byte, in lower case, in capitals or mixed; by a wrong one (KOI8-R read as windows-1251, which
 * swaps the cases, or cp866 read as either) 0.2 at most. Single letters would not do: KOI8-R's lower case is
 * windows-1251's upper case, so a letter in capitals reads as frequent lower-case letters in the other charset.
 */
const FREQUENT_PAIRS = new Set(
  (
    'ст но то на ен ов ни ра во ко ет пр ро ре по ал ли ос ер ол ор ан ел ло ка ве ле та не ва от ат ом он ит ' +
    'ри де ес ин ти ла ск ль го ми ий ег да ак ам им ть ие ся ия ых ое ой ей ую ая ые ем ме ма мо об ав ди ед ' +
    'чт че ру до ки ас ог ил из ус ым ещ ны ез'
  ).split(' '),
);

const CYRILLIC_LOWER = /[а-яё]/;
const CYRILLIC_UPPER = /[А-ЯЁ]/;

/**
 * How Russian text reads: its frequent letter pairs, less two for every capital right after a small letter in a
 * word («пФПРМЕОЙЕ», «нБТЙС»: KOI8-R and windows-1251 swap the cases, and a name has few frequent pairs).
 */
function frequentPairs(text: string): number {
  const lower = text.toLowerCase();
  let n = 0;
  for (let i = 0; i + 1 < lower.length; i++) {
    if (FREQUENT_PAIRS.has(lower[i] + lower[i + 1])) n += 1;
    if (CYRILLIC_LOWER.test(text[i]) && CYRILLIC_UPPER.test(text[i + 1])) n -= 2;
  }
  return n;
}

/** Frequent Russian letter pairs per character beyond ASCII: about 0.4 for Russian read right. */
function russianness(text: string): { pairs: number; ratio: number; wide: number } {
  let wide = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) wide += 1;
  const pairs = frequentPairs(text);
  return { pairs, ratio: wide ? pairs / wide : 0, wide };
}

// Fewer characters beyond ASCII than this say too little to judge by.
const MIN_WIDE = 6;
// Russian read right scores about 0.4; a wrong single-byte charset 0.2 at most.
const RUSSIAN_RATIO = 0.25;
// Below this, text is worth a look at its bytes: short Russian (a subject, a name) scores anywhere from 0.2 up.
const HINT_RATIO = 0.35;

/**
 * Text with Cyrillic-range characters that does not read as Russian: the hint that a part's declared charset
 * may be wrong (KOI8-R labelled windows-1251, cp866 labelled either). Only a hint: the bytes decide.
 */
export function looksLikeMisdeclaredCyrillic(text: string): boolean {
  if (!/[\u0400-\u04ff]/.test(text)) return false;
  const { ratio, wide } = russianness(text);
  return wide >= MIN_WIDE && ratio < HINT_RATIO;
}

/**
 * The single-byte Cyrillic charset these bytes are really in, when the declared one clearly produces garbage
 * and another reads as Russian; undefined when the declared one is right or nothing reads better.
 */
export function misdeclaredCyrillic(bytes: Buffer, declared: string): string | undefined {
  const wide = bytes.reduce((n, b) => n + (b >= 0x80 ? 1 : 0), 0);
  if (wide < MIN_WIDE || !iconv.encodingExists(declared)) return undefined;
  const own = frequentPairs(iconv.decode(bytes, declared));
  let best = { charset: '', pairs: -1 };
  for (const charset of CANDIDATES) {
    const pairs = frequentPairs(iconv.decode(bytes, charset));
    if (pairs > best.pairs) best = { charset, pairs };
  }
  const normalised = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalised(best.charset) === normalised(declared)) return undefined;
  return best.pairs >= wide * RUSSIAN_RATIO && own * 2 < best.pairs ? best.charset : undefined;
}

/** True when the bytes are well-formed UTF-8. */
function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
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
  // By letter pairs, not single letters: a letter in capitals would read best in the charset that swaps cases.
  let best = { charset: CANDIDATES[0] as string, pairs: -1 };
  for (const charset of CANDIDATES) {
    const pairs = frequentPairs(iconv.decode(bytes, charset));
    if (pairs > best.pairs) best = { charset, pairs };
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

// A charset label in a header where only our alias table knows it: `charset=x-mac-cyrillic`, an encoded-word's
// `=?x-mac-cyrillic?`, an RFC 2231 parameter's `filename*=x-mac-cyrillic''`.
const ALIAS_LABEL =
  /(charset\s*=\s*"?|=\?|\*=\s*"?)(x-mac-cyrillic|x-mac-cyr|mac-cyr|x-mac-ukrainian|x-mac-ukraine|mac-ukrainian)(?=["'?;\s]|$)/gim;

/**
 * The letter with the charset labels only our alias table knows (Apple Mail's `x-mac-cyrillic`) renamed in every
 * header block to the names mailparser knows, so that file names (RFC 2231), encoded-words and text parts in them
 * are all decoded; undefined when the letter has none. A letter without `mac-` anywhere pays one byte search.
 */
export async function canonicalCharsetLabels(raw: Buffer): Promise<Buffer | undefined> {
  if (raw.indexOf('mac-') === -1 && raw.indexOf('MAC-') === -1 && raw.indexOf('Mac-') === -1)
    return undefined;
  let changed = false;
  const rename = new Transform({
    objectMode: true,
    transform(chunk: { type?: string } & Partial<MimeNode>, _encoding, done) {
      if (chunk.type === 'node' && typeof chunk.getHeaders === 'function') {
        const headers = chunk.getHeaders().toString('latin1');
        const renamed = headers.replace(
          ALIAS_LABEL,
          (_m, before: string, label: string) => before + (aliasedCharset(label) ?? label),
        );
        if (renamed !== headers) {
          changed = true;
          chunk.headers = new Headers(Buffer.from(renamed, 'latin1'));
        }
      }
      done(null, chunk);
    },
  });
  const out = await resplit(raw, rename);
  return changed ? out : undefined;
}

/**
 * The names of US-ASCII, as normalised below: «ANSI_X3.4-1968» is what a script's C locale reports (a server's
 * form mailer, cron), written on letters whose text is 8-bit Cyrillic all the same.
 */
const ASCII_NAME =
  /^(?:usascii|ascii|ansix341968|ansix341986|iso646us|iso646irv1991|us|cp367|ibm367|csascii)$/;

/** The names of Latin-1 and windows-1252, normalised: labels a misconfigured client writes on Cyrillic text. */
const LATIN1_NAME = /^(?:iso88591|latin1|l1|windows1252|cp1252|win1252|iso885915|latin9)$/;

/**
 * How a text part says it is written: unknown (nothing, UTF-8, ASCII, a name iconv does not know), by a label only
 * our alias table knows (`x-mac-cyrillic`), Latin-1 (the default of a client set up in the West, often written
 * on Russian text), or single-byte Cyrillic.
 */
function declaredOf(node: MimeNode): 'unknown' | 'aliased' | 'latin' | 'single-byte' | undefined {
  if (node.multipart || !/^text\/(?:plain|html)$/i.test(node.contentType || '')) return undefined;
  if (node.disposition === 'attachment') return undefined;
  const declared = node.charset || '';
  const charset = normalisedLabel(declared);
  if (!charset || charset === 'utf8' || ASCII_NAME.test(charset)) return 'unknown';
  if (aliasedCharset(declared)) return 'aliased';
  if (!iconv.encodingExists(declared)) return 'unknown';
  if (LATIN1_NAME.test(charset)) return 'latin';
  return /^(?:windows1251|cp1251|win1251|koi8r|koi8u|cp866|ibm866|iso88595|maccyrillic)$/.test(charset)
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
 * Cyrillic label relabelled, one single-byte Cyrillic charset under another's label re-decoded, a label only our
 * alias table knows (`x-mac-cyrillic`) decoded by it, Cyrillic labelled Latin-1 re-decoded. Other parts are left
 * as they are.
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
      let utf8: Buffer | undefined;
      try {
        utf8 = declared && repairedText(declared, node.charset || '', bytes);
      } catch {
        // The part as it came rather than a letter that never finishes parsing (the encoder must end).
        utf8 = undefined;
      }
      if (!utf8) {
        encoder.end(bytes);
        return;
      }
      changed = true;
      node.setCharset('utf-8');
      encoder.end(utf8);
    });
  });
  const out = await resplit(raw, rewriter);
  return changed ? out : undefined;
}

/** A text part's bytes re-encoded as UTF-8 when they are not what its label says, else undefined. */
function repairedText(
  declared: 'unknown' | 'aliased' | 'latin' | 'single-byte',
  label: string,
  bytes: Buffer,
): Buffer | undefined {
  const utf8 = (charset: string) => Buffer.from(iconv.decode(bytes, charset), 'utf8');
  switch (declared) {
    case 'aliased': {
      // `x-mac-cyrillic`: mailparser left the bytes undecoded; decoded by the charset the label names.
      const charset = aliasedCharset(label) as string;
      return utf8(misdeclaredCyrillic(bytes, charset) ?? charset);
    }
    case 'latin': {
      // Labelled Latin-1, written in windows-1251 (or another Cyrillic charset): re-decoded only when the bytes
      // read as Russian there; a real Latin-1 letter (French, German) reads as no Russian and is left alone.
      const actual = misdeclaredCyrillic(bytes, label);
      return actual ? utf8(actual) : undefined;
    }
    case 'single-byte': {
      // Labelled windows-1251 or KOI8-R by a form or a relay, written in UTF-8.
      if (isMultiByteUtf8(bytes)) return bytes;
      // Labelled windows-1251, written in KOI8-R or cp866 (or the other way round): re-decoded when the
      // label's reading is no Russian and another charset's is.
      const actual = misdeclaredCyrillic(bytes, label);
      return actual ? utf8(actual) : undefined;
    }
    case 'unknown':
      return isUtf8(bytes) ? undefined : Buffer.from(decodeGuessingCyrillic(bytes), 'utf8');
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * The text of a raw header value's encoded-words (RFC 2047), for the words mailparser could not read: a charset
 * nobody knows (`x-unknown`), windows-1251 bytes under a UTF-8 label (PHP form scripts), KOI8-R bytes under a
 * windows-1251 label. A word whose bytes read as Russian in its charset is decoded by it; any other by the
 * Cyrillic guess. Undefined when the value has none.
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
    const given = charset.split('*')[0].toLowerCase();
    const label = aliasedCharset(given) ?? given;
    // UTF-8 and ASCII (no 8-bit byte is ASCII): bytes that are not what the label says are Cyrillic by guess.
    if (/^utf-?8$/.test(label) || ASCII_NAME.test(label.replace(/[^a-z0-9]/g, '')))
      return isUtf8(bytes) ? bytes.toString('utf8') : decodeGuessingCyrillic(bytes);
    // A single-byte Cyrillic label on another one's bytes (KOI8-R words labelled windows-1251): by the letters.
    return iconv.encodingExists(label)
      ? iconv.decode(bytes, misdeclaredCyrillic(bytes, label) ?? label)
      : decodeGuessingCyrillic(bytes);
  });
}
