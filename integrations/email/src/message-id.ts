/**
 * Message-IDs are the e-mail thread: a reply names its parent in In-Reply-To and the chain in References
 * (RFC 5322 3.6.4). We keep ids without the angle brackets and use them as dedupe keys and thread keys.
 */

/** Thread key of a message in the core: the same for an inbound item and for what we sent. */
export function emailThreadKey(messageId: string): string {
  return `msgid:${messageId}`;
}

/** One Message-ID from a header value: the first `<…>` token, or a bare `local@domain`; without brackets. */
export function normaliseMessageId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  return messageIdList(raw)[0];
}

/** All Message-IDs named in a header (References, In-Reply-To), in order, without duplicates. */
export function messageIdList(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const bracketed = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
    // Some agents drop the brackets; a lone token with an @ is still an id.
    const tokens = bracketed.length ? bracketed : value.split(/[\s,]+/).filter((t) => t.includes('@'));
    for (const token of tokens) {
      // Folded headers may leave whitespace inside a long id.
      const id = token.replace(/\s+/g, '');
      if (id && id.length <= 998 && !out.includes(id)) out.push(id);
    }
  }
  return out;
}

const SAFE_LOCAL = /^[A-Za-z0-9_-]$/;

/** The domain our own Message-IDs carry: `inbox.` + the domain of the account's From address. */
export function ownMessageIdDomain(fromAddress: string): string {
  return `inbox.${fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase()}`;
}

/**
 * Our Message-ID for an outbound message, derived from its id only: a retry after a lost SMTP response
 * sends the same id, so clients and servers that dedupe on Message-ID show one letter, not two.
 * Characters outside [A-Za-z0-9_-] are written as `=XX` (UTF-8 bytes), so the id is a valid dot-atom.
 */
export function outboundMessageId(outboundId: string, fromAddress: string): string {
  let local = '';
  for (const char of outboundId) {
    local += SAFE_LOCAL.test(char)
      ? char
      : [...Buffer.from(char, 'utf8')]
          .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
  }
  return `${local}@${ownMessageIdDomain(fromAddress)}`;
}

/** The outbound message id behind one of our Message-IDs, or undefined when the id is not ours. */
export function outboundIdOf(messageId: string, fromAddress: string): string | undefined {
  const suffix = `@${ownMessageIdDomain(fromAddress)}`;
  if (!messageId.toLowerCase().endsWith(suffix)) return undefined;
  const local = messageId.slice(0, -suffix.length);
  if (!/^(?:[A-Za-z0-9_-]|=[0-9A-F]{2})+$/.test(local)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < local.length; i++) {
    if (local[i] === '=') {
      bytes.push(parseInt(local.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(local.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}
