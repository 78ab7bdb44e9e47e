import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Letters and digits nobody confuses on paper or a screen (no I, L, O, 0, 1): 31 of them. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 10;
/** How long an enrolment code works after it is issued. */
export const ENROLMENT_CODE_HOURS = 24;

/** Cyrillic letters that look like Latin ones, as a code typed on a Russian layout comes in. */
const LOOKALIKES: Record<string, string> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  З: '3',
};

/** A new code, 10 characters of 31 (≈ 49.5 bits), written in two groups: `ABCDE-FGHJK`. */
export function newEnrolmentCode(): string {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** A code as typed (lower case, spaces, dashes, Cyrillic look-alikes) in the form it was issued without its dash. */
export function normaliseEnrolmentCode(typed: string): string {
  return [...typed.toUpperCase()]
    .map((c) => LOOKALIKES[c] ?? c)
    .filter((c) => /[A-Z0-9]/.test(c))
    .join('');
}

/**
 * What is stored of a code: an HMAC-SHA256 under ACCESS_CODE_KEY of the account and the code (`k1:`), so a copy
 * of the database gives no code away to a search, and a code of one account is nothing for another.
 */
export function hashEnrolmentCode(key: string, userId: string, code: string): string {
  const mac = createHmac('sha256', key)
    .update(`staff-enrolment:${userId}:${normaliseEnrolmentCode(code)}`)
    .digest('base64url');
  return `k1:${mac}`;
}

export function enrolmentCodeMatches(key: string, userId: string, typed: string, stored: string): boolean {
  const actual = Buffer.from(hashEnrolmentCode(key, userId, typed));
  const expected = Buffer.from(stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
