import { type IncomingMessage } from 'node:http';

/** A file part of a multipart body. */
export interface UploadedPart {
  fieldName: string;
  fileName: string;
  contentType: string;
  content: Buffer;
}

export interface ParsedBody {
  fields: Record<string, string | unknown>;
  files: UploadedPart[];
}

export async function readRaw(req: IncomingMessage, max = 60 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The three encodings the Bot API accepts: JSON, application/x-www-form-urlencoded and
 * multipart/form-data; plus the query string, which it also reads.
 */
export function parseBody(contentType: string | undefined, raw: Buffer, query: URLSearchParams): ParsedBody {
  const fields: Record<string, unknown> = Object.fromEntries(query.entries());
  const files: UploadedPart[] = [];
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (raw.length === 0) return { fields, files };
  if (type === 'application/json') {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('JSON body is not an object');
    Object.assign(fields, parsed);
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(fields, Object.fromEntries(new URLSearchParams(raw.toString('utf8')).entries()));
  } else if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!boundary) throw new Error('multipart body without boundary');
    for (const part of parseMultipart(raw, (boundary[1] ?? boundary[2]).trim())) {
      if (part.fileName !== undefined) {
        files.push({
          fieldName: part.name,
          fileName: part.fileName,
          contentType: part.contentType ?? 'application/octet-stream',
          content: part.content,
        });
      } else {
        fields[part.name] = part.content.toString('utf8');
      }
    }
  } else {
    throw new Error(`unsupported content type ${type}`);
  }
  return { fields, files };
}

interface RawPart {
  name: string;
  fileName?: string;
  contentType?: string;
  content: Buffer;
}

/** A small RFC 7578 reader: enough for what telegraf, curl and browsers send. */
export function parseMultipart(body: Buffer, boundary: string): RawPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: RawPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new Error('multipart boundary not found');
  for (;;) {
    start += delimiter.length;
    // `--boundary--` closes the body.
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw new Error('multipart body is cut off');
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd < 0 || headerEnd > next) throw new Error('multipart part without headers');
    const headers = parseHeaders(body.subarray(start, headerEnd).toString('utf8'));
    const disposition = headers['content-disposition'] ?? '';
    const name = paramOf(disposition, 'name');
    if (name === undefined) throw new Error('multipart part without a name');
    parts.push({
      name,
      fileName: paramOf(disposition, 'filename*') ?? paramOf(disposition, 'filename'),
      contentType: headers['content-type'],
      content: Buffer.from(body.subarray(headerEnd + 4, next)),
    });
    start = next + 2;
  }
  return parts;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

function paramOf(header: string, key: string): string | undefined {
  const escaped = key.replace(/[*]/g, '\\*');
  const match = new RegExp(`(?:^|;)\\s*${escaped}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(header);
  if (!match) return undefined;
  const value = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].trim();
  if (key.endsWith('*')) {
    // RFC 5987: charset''percent-encoded
    const [, encoded = ''] = /^[^']*'[^']*'(.*)$/.exec(value) ?? [];
    return decodeURIComponent(encoded);
  }
  return value;
}
