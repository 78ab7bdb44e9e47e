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

export function hashAccessCode(registrationNumber: string, code: string): string {
  return createHash('sha256').update(`${registrationNumber}:${code.trim().toUpperCase()}`).digest('hex');
}

export function accessCodeMatches(registrationNumber: string, code: string, storedHash: string): boolean {
  const actual = Buffer.from(hashAccessCode(registrationNumber, code), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
