import { ConnectorError, ConnectorErrorCode } from '../connector-error';

/**
 * A webhook's body as the HTTP layer kept it (raw Buffer, string or parsed JSON), parsed. Tolerates a UTF-8 BOM
 * and invalid UTF-8 (replaced with U+FFFD): VK bodies with broken emoji are real. Empty or not JSON →
 * InvalidPayload.
 */
export function decodeJsonBody(body: unknown): unknown {
  if (body === undefined || body === null) {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'empty body', { fields: { body: 'empty' } });
  }
  let text: string;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) text = new TextDecoder('utf-8').decode(body);
  else if (typeof body === 'string') text = body;
  else return body;
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'body is not JSON', {
      fields: { body: 'not JSON' },
    });
  }
}

/**
 * A remote text as we store it: lone UTF-16 surrogates (a half emoji escaped as \ud83d) become U+FFFD; NUL is
 * dropped (Postgres text refuses it); NFC. Anything but a string is ''.
 */
export function cleanText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replaceAll('\u0000', '')
    .normalize('NFC');
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/**
 * A file name a remote side gave (a citizen's own, a document's title) fit to store and show: NFC, the last path
 * segment only (no directories either way round), control characters as spaces, at most 255 characters.
 */
export function safeFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  return base.replace(CONTROL_CHARS, ' ').replace(/ {2,}/g, ' ').trim().slice(0, 255);
}
