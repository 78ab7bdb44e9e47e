import { safeFileName } from '@inbox/integrations/contract';
import { type MessageStructureObject } from 'imapflow';

/** A text part of a letter too large to download whole: read alone (at most `maxLength` bytes of it). */
export interface OversizedText {
  part: string;
  /** The part's MIME type, parameters (charset) and transfer encoding, as BODYSTRUCTURE gave them. */
  type: string;
  parameters: Record<string, string>;
  encoding?: string;
  /** Set when only the part's first bytes are read. */
  maxLength?: number;
}

/** A file of such a letter: named, left in the mailbox. */
export interface OversizedFile {
  part: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface OversizedPlan {
  texts: OversizedText[];
  files: OversizedFile[];
  /** A text part was cut at the budget. */
  truncated: boolean;
}

/**
 * What of a letter over the size limit is read, from its BODYSTRUCTURE: the citizen's words (the text/plain
 * parts, else the text/html ones, that are not attachments) up to `textBudget` bytes, and the list of everything
 * else as files left in the mailbox. A forwarded letter (message/rfc822) is one file: not walked into.
 */
export function planOversized(root: MessageStructureObject | undefined, textBudget: number): OversizedPlan {
  const leaves: MessageStructureObject[] = [];
  // Leaves that are another rendering of the words (a multipart/alternative's other text): neither read nor files.
  const alternatives = new Set<MessageStructureObject>();
  const walk = (node: MessageStructureObject, isRoot: boolean, inAlternative: boolean) => {
    const type = (node.type || 'application/octet-stream').toLowerCase();
    if (type.startsWith('multipart/') && node.childNodes?.length) {
      for (const child of node.childNodes) walk(child, false, type === 'multipart/alternative');
      return;
    }
    // A single-part letter is its own part 1 (RFC 3501 6.4.5).
    const leaf = { ...node, type, part: node.part ?? (isRoot ? '1' : undefined) };
    if (inAlternative && type.startsWith('text/')) alternatives.add(leaf);
    leaves.push(leaf);
  };
  if (root) walk(root, true, false);
  const readable = (node: MessageStructureObject, type: string) =>
    node.type === type && (node.disposition ?? '').toLowerCase() !== 'attachment' && !nameOf(node);
  let chosen = leaves.filter((n) => readable(n, 'text/plain'));
  if (chosen.length === 0) chosen = leaves.filter((n) => readable(n, 'text/html'));

  const texts: OversizedText[] = [];
  const files: OversizedFile[] = [];
  let left = textBudget;
  let truncated = false;
  for (const node of leaves) {
    if (!node.part) continue;
    if (chosen.includes(node) && left > 0) {
      const size = node.size ?? 0;
      const cut = size > left;
      truncated ||= cut;
      texts.push({
        part: node.part,
        type: node.type,
        parameters: node.parameters ?? {},
        ...(node.encoding ? { encoding: node.encoding } : {}),
        ...(cut ? { maxLength: left } : {}),
      });
      left -= Math.min(size, left);
      continue;
    }
    if (chosen.includes(node)) {
      truncated = true;
      continue;
    }
    if (alternatives.has(node)) continue;
    files.push({
      part: node.part,
      fileName: nameOf(node) || fallbackName(node),
      contentType: node.type,
      size: decodedSize(node),
    });
  }
  return { texts, files, truncated };
}

/** BODYSTRUCTURE gives the encoded size: base64 lines of 76 characters and CRLF carry 57 bytes. */
function decodedSize(node: MessageStructureObject): number {
  const size = node.size ?? 0;
  return (node.encoding ?? '').toLowerCase() === 'base64' ? Math.floor((size * 57) / 78) : size;
}

function nameOf(node: MessageStructureObject): string {
  return safeFileName(node.dispositionParameters?.filename ?? node.parameters?.name ?? '');
}

function fallbackName(node: MessageStructureObject): string {
  if (node.type === 'message/rfc822') return `forwarded-${node.part}.eml`;
  const sub = node.type.split('/')[1]?.split(/[;+]/)[0] ?? 'bin';
  return `attachment-${node.part}.${/^[a-z0-9.-]{1,20}$/i.test(sub) ? sub : 'bin'}`;
}

const MIME_TOKEN = /^[\w.+-]{1,100}$/;

/**
 * The letter as parseEmail reads it: its own header (less the MIME fields of its body) over a multipart/mixed of
 * the text parts read, each with the type, charset and transfer encoding BODYSTRUCTURE gave; an empty text part
 * when there is none (a letter of files only).
 */
export function oversizedSource(header: Buffer, texts: { text: OversizedText; content: Buffer }[]): Buffer {
  const kept = unfoldedFields(header.toString('latin1')).filter(
    (field) => !/^content-(?:type|transfer-encoding|disposition)\s*:/i.test(field),
  );
  const head = kept.join('\r\n') + '\r\n';
  if (texts.length === 0)
    return Buffer.from(`${head}Content-Type: text/plain; charset=utf-8\r\n\r\n`, 'latin1');
  const boundary = `=_oversized_${Date.now().toString(36)}_${Math.random().toString(36).slice(2)}`;
  const chunks: Buffer[] = [
    Buffer.from(
      `${head}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n`,
      'latin1',
    ),
  ];
  for (const { text, content } of texts) {
    const params = Object.entries(text.parameters)
      .filter(([key, value]) => MIME_TOKEN.test(key) && /^[^"\\\r\n]{0,200}$/.test(value))
      .map(([key, value]) => `; ${key}="${value}"`)
      .join('');
    const encoding = text.encoding && MIME_TOKEN.test(text.encoding) ? text.encoding : '8bit';
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${text.type}${params}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`,
        'latin1',
      ),
      content,
      Buffer.from('\r\n', 'latin1'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** Header fields, each with its folded lines, without the blank line that ends the header. */
function unfoldedFields(header: string): string[] {
  const fields: string[] = [];
  for (const line of header.split(/\r?\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  return fields;
}
