/** Every channel the inbox knows. The value is stored in the database: never rename one. */
export enum Channel {
  Website = 'website',
  Pos = 'pos',
  Email = 'email',
  Medo = 'medo',
  Vk = 'vk',
  Ok = 'ok',
  Telegram = 'telegram',
  /** Registered by a line-1 operator from a phone call, a personal reception or a letter by post. */
  Operator = 'operator',
  /** Imported in bulk from another system. */
  Import = 'import',
}

export const ALL_CHANNELS: readonly Channel[] = Object.values(Channel);

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (ALL_CHANNELS as readonly string[]).includes(value);
}

/**
 * Which adapter serves an account: the channel alone is not enough (our form and a site's feed are both
 * "website"). The value is stored with each account: never rename one.
 */
export type ConnectorKind = 'email' | 'telegram' | 'vk' | 'ok' | 'pos' | 'medo' | 'website-feed';

export const CONNECTOR_KINDS: readonly ConnectorKind[] = [
  'email',
  'telegram',
  'vk',
  'ok',
  'pos',
  'medo',
  'website-feed',
];

export function isConnectorKind(value: unknown): value is ConnectorKind {
  return typeof value === 'string' && (CONNECTOR_KINDS as readonly string[]).includes(value);
}

/** The channel each connector kind's items belong to. */
export const KIND_CHANNEL: Record<ConnectorKind, Channel> = {
  email: Channel.Email,
  telegram: Channel.Telegram,
  vk: Channel.Vk,
  ok: Channel.Ok,
  pos: Channel.Pos,
  medo: Channel.Medo,
  'website-feed': Channel.Website,
};
