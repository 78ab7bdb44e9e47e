import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** No look-alike characters (0/O, 1/I/L), so a citizen can read it from a screen or dictate it by phone. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** The private code that lets a citizen see their appeal's status. Only its hash is stored. */
export function newAccessCode(length = 8): string {
  let code = '';
  for (let i = 0; i < length; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/**
 * A code that only the holder of `secret` can compute from `subject`: the same subject gives the same code, so a
 * submission sent again gets the code it got the first time without the code being kept anywhere (only its
 * hash is). 4 bytes of the HMAC per character: the bias of `% 31` is below 1e-8.
 */
export function derivedAccessCode(secret: string | Buffer, subject: string, length = 8): string {
  const mac = createHmac('sha256', secret).update(subject).digest();
  let code = '';
  for (let i = 0; i < length; i++) code += ALPHABET[mac.readUInt32BE(i * 4) % ALPHABET.length];
  return code;
}

/**
 * How a stored hash was made, by its prefix: `k1:` an HMAC under ACCESS_CODE_KEY of the appeal's id and the code;
 * `k1w:` an HMAC under it of a hash stored before the key (`keyedLegacyHash`); no prefix, that unkeyed SHA-256 of
 * `number:code` itself. Unkeyed, a leaked database gave a short code away offline in seconds (31^8 tries).
 */
const KEYED = 'k1:';
const WRAPPED = 'k1w:';

const normalised = (code: string) => code.trim().toUpperCase();
const hmacHex = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

/** The hash stored for a new appeal's code, keyed (ACCESS_CODE_KEY): without the key no guess can be tried. */
export function hashAccessCode(key: string, appealId: string, code: string): string {
  return KEYED + hmacHex(key, `${appealId}:${normalised(code)}`);
}

/** A hash stored before the key, keyed where it lies: the code it was made from keeps working. */
export function keyedLegacyHash(key: string, unkeyed: string): string {
  return WRAPPED + hmacHex(key, unkeyed);
}

export function accessCodeMatches(
  key: string,
  appeal: { id: string; registrationNumber: string },
  code: string,
  stored: string,
): boolean {
  const unkeyed = () =>
    createHash('sha256')
      .update(`${appeal.registrationNumber}:${normalised(code)}`)
      .digest('hex');
  const actual = stored.startsWith(KEYED)
    ? hashAccessCode(key, appeal.id, code)
    : stored.startsWith(WRAPPED)
      ? keyedLegacyHash(key, unkeyed())
      : unkeyed();
  const a = Buffer.from(actual);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}
