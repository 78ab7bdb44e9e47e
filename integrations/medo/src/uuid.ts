import { createHash } from 'node:crypto';

/** Namespace of the uids this connector derives (a fixed random GUID). */
const MEDO_NAMESPACE = '6f1b8f52-3c7e-4d7a-9a51-2b0c8e4d9f13';

/**
 * A name-based (version 5) UUID. Outgoing messages get uids derived from our own ids, so a retried send
 * writes the same message again and the receiver, who dedupes by header uid, sees it once.
 */
export function uuidV5(name: string, namespace = MEDO_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
