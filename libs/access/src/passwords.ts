import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost: N (CPU/memory), r (block size), p (parallelism). */
export interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet (2023–): scrypt with N = 2^17, r = 8, p = 1 (128 MiB per hash).
 * Stored hashes carry their own parameters; a weaker one is re-hashed at the next sign-in (`needsRehash`).
 */
export const OWASP_SCRYPT: ScryptParams = { n: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, { n, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      // scrypt needs 128·N·r bytes; room for that and a little more.
      { N: n, r, p, maxmem: 256 * n * r + 32 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** scrypt (Node's own, no native build): "scrypt$N$r$p$salt$hash", parameters kept for later upgrades. */
export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.n, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

function parse(stored: string): (ScryptParams & { salt: string; hash: string }) | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = { n: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  // A stored hash is ours, but a corrupt or hostile row must not make scrypt allocate without bound.
  if (![params.n, params.r, params.p].every(Number.isSafeInteger) || params.n > 2 ** 20 || params.r > 32)
    return undefined;
  return { ...params, salt, hash };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, 'base64url');
  const actual = await derive(password, Buffer.from(parsed.salt, 'base64url'), parsed);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Was this hash made with weaker parameters than today's? Then hash the password again once it is known. */
export function needsRehash(stored: string, params: ScryptParams = OWASP_SCRYPT): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  return parsed.n * parsed.r * parsed.p < params.n * params.r * params.p || parsed.n < params.n;
}
