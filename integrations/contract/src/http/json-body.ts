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

/** A file name a remote side gave (a citizen's own, a document's title), fit to store and show: see @inbox/common. */
export { safeFileName } from '@inbox/common';
