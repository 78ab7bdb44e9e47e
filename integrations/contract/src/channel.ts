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
