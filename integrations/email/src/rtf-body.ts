import { decompressRTF } from '@kenjiuno/decompressrtf';
import * as iconv from 'iconv-lite';
import { deEncapsulateSync, Tokenize } from 'rtf-stream-parser';
// Not re-exported by the package's index; a plain CommonJS module of its published dist.
import { ToPlainText } from 'rtf-stream-parser/dist/src/ToPlainText';
import { type Token } from 'rtf-stream-parser/dist/src/tokenize';

/*
 * The body of a letter Outlook sent in its rich-text format: inside winmail.dat, PR_RTF_COMPRESSED, RTF packed by
 * LZFu (MS-OXRTFCP). Taken from npm rather than written: @kenjiuno/decompressrtf (BSD-2, no dependencies, what
 * @kenjiuno/msgreader uses) unpacks it; rtf-stream-parser (MIT, no dependencies) takes out the HTML or text
 * Outlook encapsulated (\fromhtml1, \fromtext, MS-OXRTFEX) or, for RTF written as RTF, its plain text; both decode
 * \'xx escapes in the document's \ansicpg (windows-1251 for a Russian Outlook) and \uN characters.
 */

const COMPRESSED = 0x75465a4c; // «LZFu»
const UNCOMPRESSED = 0x414c454d; // «MELA»
/** Most an RTF body may unpack to: LZFu writes at most 17 bytes for two it reads, so this bounds its input too. */
export const MAX_RTF_BYTES = 16 * 1024 * 1024;

/** The RTF a PR_RTF_COMPRESSED value holds; undefined when its header does not add up or it is not RTF. */
export function decompressRtf(value: Buffer): Buffer | undefined {
  if (value.length < 16) return undefined;
  const compSize = value.readUInt32LE(0);
  const rawSize = value.readUInt32LE(4);
  const type = value.readUInt32LE(8);
  // The header's size counts from after itself: a value that claims more than it has is cut or forged (the
  // decompressor would read on past its end, taking zeros, for as long as the claim says).
  if (compSize + 4 > value.length || rawSize > MAX_RTF_BYTES) return undefined;
  let rtf: Buffer;
  if (type === UNCOMPRESSED) rtf = value.subarray(16, Math.min(value.length, 16 + rawSize));
  else if (type === COMPRESSED) {
    try {
      rtf = Buffer.from(decompressRTF([...value.subarray(0, compSize + 4)]));
    } catch {
      return undefined;
    }
    rtf = rtf.subarray(0, rawSize);
  } else return undefined;
  return rtf.subarray(0, 5).toString('latin1') === '{\\rtf' ? rtf : undefined;
}

const decode = (bytes: Buffer, encoding: string) =>
  iconv.decode(bytes, iconv.encodingExists(encoding) ? encoding : 'windows-1252');
const options = { decode, warn: () => undefined };

/** What an RTF document says: the HTML it encapsulates, else its text (encapsulated or stripped of RTF). */
export function textOfRtf(rtf: Buffer): { html: string } | { text: string } | undefined {
  try {
    const { mode, text } = deEncapsulateSync(rtf, { ...options, mode: 'either' });
    return mode === 'html' ? { html: String(text) } : { text: String(text) };
  } catch {
    // Not encapsulated: RTF written as RTF (WordPad, Outlook's own rich text). Its plain text below.
  }
  try {
    const chunks: string[] = [];
    const onError = (error?: Error | null) => {
      if (error) throw error;
    };
    // As the package's deEncapsulateSync drives its own streams: synchronously, token by token.
    const tokens = new Tokenize();
    const plain = new ToPlainText(options);
    tokens.push = (token: Token) => {
      plain._transform(token, '', onError);
      return true;
    };
    plain.push = (piece: string | Buffer) => {
      chunks.push(piece.toString());
      return true;
    };
    tokens._transform(rtf, 'buffer', onError);
    tokens._flush(onError);
    plain._flush(onError);
    return { text: chunks.join('') };
  } catch {
    return undefined;
  }
}
