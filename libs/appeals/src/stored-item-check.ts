import { type StoredInboundItem } from '@inbox/intake/entities';

/**
 * The last gate before registration. Connectors validate what they parse; this catches what slipped
 * through (an old payload, a buggy connector) so it is quarantined with a reason instead of failing forever.
 */
export function checkStoredItem(p: StoredInboundItem): string | undefined {
  if (!p || typeof p !== 'object') return 'payload is not an object';
  if (typeof p.text !== 'string') return 'text is missing';
  if (p.text.trim() === '' && (p.attachments ?? []).length === 0) return 'neither text nor attachments';
  if (!p.author || typeof p.author !== 'object') return 'author is missing';
  if (p.regime !== undefined && p.regime !== 'message' && p.regime !== 'appeal') return 'unknown regime';
  if (p.registeredAt !== undefined && Number.isNaN(Date.parse(p.registeredAt)))
    return 'registeredAt is not a date';
  return undefined;
}
