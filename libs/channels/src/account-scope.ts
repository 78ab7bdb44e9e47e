import {
  type AppealRef,
  type ConnectorKind,
  type InboundEvent,
  type InboundItem,
} from '@inbox/integrations/contract';
import { type ChannelEntry } from './channel-registry.service';

/**
 * Kinds whose ids are only unique within one account. An e-mail's Message-ID, a ПОС or МЭДО id is the remote
 * system's own and goes back to it in answers (In-Reply-To, the ПОС appeal), so it is kept as it is.
 */
const PER_ACCOUNT_IDS: ReadonlySet<ConnectorKind> = new Set<ConnectorKind>(['vk', 'telegram', 'ok']);

type Scope = Pick<ChannelEntry, 'kind' | 'account' | 'source'>;

function unscoped(entry: Scope): boolean {
  return entry.source === 'env' || !PER_ACCOUNT_IDS.has(entry.kind);
}

/**
 * A messenger's ids are only unique within one account: VK numbers every community's dialogue messages from 1,
 * a Telegram message id is per chat per bot. Items, corrections, thread keys and reply keys of an account an
 * administrator added are therefore named with the account (`acct:<id>/…`); the environment's account keeps
 * the channel's own ids, so what it stored before stays as it was. Applying it twice changes nothing.
 */
export function scopedKey(entry: Scope | undefined, key: string): string;
export function scopedKey(entry: Scope | undefined, key: string | undefined): string | undefined;
export function scopedKey(entry: Scope | undefined, key: string | undefined): string | undefined {
  if (key === undefined || !entry || unscoped(entry)) return key;
  const prefix = `acct:${entry.account.id}/`;
  return key.startsWith(prefix) ? key : prefix + key;
}

/** The item as its account names it: its id, its correction's original, its thread and what it answers. */
export function scopedItem(entry: ChannelEntry, item: InboundItem): InboundItem {
  if (unscoped(entry)) return item;
  const key = (k: string) => scopedKey(entry, k);
  const correctionOf = item.features?.correctionOf;
  return {
    ...item,
    externalId: key(item.externalId),
    ...(item.thread
      ? {
          thread: {
            ...item.thread,
            key: key(item.thread.key),
            ...(item.thread.refersTo ? { refersTo: item.thread.refersTo.map(key) } : {}),
          },
        }
      : {}),
    ...(typeof correctionOf === 'string'
      ? { features: { ...item.features, correctionOf: key(correctionOf) } }
      : {}),
  };
}

/** The event as its account names it: its id and the item or conversation it refers to. */
export function scopedEvent(entry: ChannelEntry, event: InboundEvent): InboundEvent {
  if (unscoped(entry)) return event;
  const out = { ...event, externalId: scopedKey(entry, event.externalId) } as InboundEvent;
  if ('target' in out && out.target) {
    const target: AppealRef = { ...out.target };
    if (target.externalId) target.externalId = scopedKey(entry, target.externalId);
    if (target.threadKey) target.threadKey = scopedKey(entry, target.threadKey);
    (out as { target: AppealRef }).target = target;
  }
  return out;
}
