/**
 * Files uuencoded into a letter's text: `begin <mode> <name>`, lines of uuencoded data, `end`. Outlook Express's
 * and The Bat!'s "UUE" option and old Unix mailers still write them; mailparser leaves them in the text, where a
 * clerk reads a screen of «M4DE9…» and the file is lost.
 */
export interface UuencodedFile {
  fileName: string;
  content: Buffer;
}

/**
 * Files taken out of one letter's text at most; the blocks after stay in the text as they came. A block of a byte
 * takes some 25 bytes, so a letter at the mailbox's 64 MB limit would have become two and a half million
 * attachments of one appeal (each a row, a sniff, a hash).
 */
export const MAX_UUENCODED_FILES = 100;

const BLOCK = /^begin(?:-base64)? [0-7]{3,4} ([^\n]+)\n([\s\S]*?)\n(?:`\n)?end[ \t]*$/gm;

/** One uuencoded line's bytes, or undefined when the line is not uuencoding. */
function decodeLine(line: string): Buffer | undefined {
  if (line === '' || line === '`') return Buffer.alloc(0);
  const length = (line.charCodeAt(0) - 32) & 63;
  const data = line.slice(1);
  // Lower-case letters and the like: prose, not uuencoding. Trailing blanks a transport stripped read as zeros.
  if (!/^[\x20-\x60]*$/.test(data)) return undefined;
  const out = Buffer.alloc(Math.ceil(length / 3) * 3);
  const value = (i: number) => ((data.charCodeAt(i) || 32) - 32) & 63;
  for (let i = 0, o = 0; o < out.length; i += 4, o += 3) {
    const n = (value(i) << 18) | (value(i + 1) << 12) | (value(i + 2) << 6) | value(i + 3);
    out[o] = (n >> 16) & 255;
    out[o + 1] = (n >> 8) & 255;
    out[o + 2] = n & 255;
  }
  return out.subarray(0, length);
}

function decodeBlock(body: string): Buffer | undefined {
  const parts: Buffer[] = [];
  for (const line of body.split('\n')) {
    const bytes = decodeLine(line);
    if (!bytes) return undefined;
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

/**
 * The text without its uuencoded blocks, each named in its place, and the files they hold. A block that does not
 * decode cleanly stays in the text as it was. `begin-base64` (a base64 block) is left alone too, and so is every
 * block after the first MAX_UUENCODED_FILES files.
 */
export function extractUuencoded(text: string): { text: string; files: UuencodedFile[] } {
  if (!/^begin [0-7]{3,4} /m.test(text)) return { text, files: [] };
  const files: UuencodedFile[] = [];
  const rest = text.replace(BLOCK, (block, name: string, body: string) => {
    if (block.startsWith('begin-base64') || files.length >= MAX_UUENCODED_FILES) return block;
    const content = decodeBlock(body);
    const fileName = name.trim().split(/[\\/]/).pop() ?? '';
    if (!content || content.length === 0 || !fileName) return block;
    files.push({ fileName, content });
    return `[Вложение «${fileName}» (было вставлено в текст письма)]`;
  });
  return { text: rest, files };
}
