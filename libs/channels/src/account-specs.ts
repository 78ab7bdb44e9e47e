import { type ConnectorKind } from '@inbox/integrations/contract';
import { isChannelSecretVariable } from '@inbox/config';

type FieldType = 'string' | 'url' | 'email' | 'number' | 'boolean' | 'string[]' | 'record';

/** A setting of an account: its key as the connector reads it, a label an administrator reads, and its type. */
export interface SettingField {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  default?: unknown;
  options?: readonly string[];
}

/** A secret of an account: write-only, stored encrypted or named by environment variable. */
export interface SecretField {
  key: string;
  label: string;
  required?: boolean;
}

export interface AccountSpec {
  kind: ConnectorKind;
  label: string;
  settings: readonly SettingField[];
  secrets: readonly SecretField[];
  /** Settings this kind takes beyond the listed ones (a site feed's field mapping). */
  openSettings?: boolean;
  /** Fields that work only together (OK's wall): none of them, or every one. */
  together?: readonly FieldGroup[];
}

/** Settings and secrets that are needed together once one of them is given. */
export interface FieldGroup {
  label: string;
  settings: readonly string[];
  secrets: readonly string[];
}

/**
 * What an administrator may configure per connector kind: the same settings and secrets the environment
 * variables give the one implicit account (libs/config channel-settings.ts), with the same defaults.
 */
export const ACCOUNT_SPECS: Record<ConnectorKind, AccountSpec> = {
  email: {
    kind: 'email',
    label: 'Электронная почта',
    settings: [
      { key: 'imapHost', label: 'IMAP-сервер', type: 'string', required: true },
      { key: 'imapPort', label: 'Порт IMAP', type: 'number', default: 993 },
      { key: 'imapSecure', label: 'IMAP по TLS', type: 'boolean', default: true },
      { key: 'mailbox', label: 'Папка', type: 'string', default: 'INBOX' },
      { key: 'smtpHost', label: 'SMTP-сервер', type: 'string', required: true },
      { key: 'smtpPort', label: 'Порт SMTP', type: 'number', default: 587 },
      { key: 'smtpSecure', label: 'SMTP по TLS', type: 'boolean', default: false },
      { key: 'fromAddress', label: 'Адрес отправителя', type: 'email', required: true },
      {
        key: 'fromName',
        label: 'Имя отправителя',
        type: 'string',
        default: 'Единый центр обращений граждан',
      },
      {
        key: 'policy547',
        label: 'Письма по 547-ФЗ',
        type: 'string',
        default: 'message-with-notice',
        options: ['message-with-notice', 'appeal'],
      },
      { key: 'timeoutMs', label: 'Тайм-аут, мс', type: 'number' },
      { key: 'maxAttachmentBytes', label: 'Наибольшее вложение, байт', type: 'number' },
      {
        key: 'maxMessageBytes',
        label: 'Наибольшее письмо, байт (из большего читается только текст)',
        type: 'number',
      },
      {
        key: 'timeZone',
        label: 'Часовой пояс отправителей (для даты письма без пояса)',
        type: 'string',
        default: 'Europe/Moscow',
      },
      { key: 'pullEveryMs', label: 'Опрос каждые, мс', type: 'number' },
    ],
    secrets: [
      { key: 'imapUser', label: 'Логин IMAP', required: true },
      { key: 'imapPassword', label: 'Пароль IMAP', required: true },
      { key: 'smtpUser', label: 'Логин SMTP' },
      { key: 'smtpPassword', label: 'Пароль SMTP' },
    ],
  },
  telegram: {
    kind: 'telegram',
    label: 'Telegram',
    settings: [
      { key: 'apiRoot', label: 'Адрес Bot API', type: 'url', default: 'https://api.telegram.org' },
      { key: 'mode', label: 'Режим', type: 'string', options: ['polling', 'webhook'] },
      { key: 'webhookUrl', label: 'Адрес вебхука', type: 'url' },
      { key: 'pollTimeoutSeconds', label: 'Длинный опрос, с', type: 'number', default: 25 },
      {
        key: 'channelComments',
        label:
          'Регистрировать комментарии к постам официального канала (бот — администратор группы обсуждения канала)',
        type: 'boolean',
        default: false,
      },
    ],
    secrets: [
      { key: 'botToken', label: 'Токен бота', required: true },
      { key: 'webhookSecret', label: 'Секрет вебхука' },
    ],
  },
  vk: {
    kind: 'vk',
    label: 'ВКонтакте',
    settings: [
      { key: 'groupId', label: 'ID сообщества', type: 'number', required: true },
      { key: 'apiBaseUrl', label: 'Адрес API', type: 'url', default: 'https://api.vk.com/method' },
      { key: 'confirmationCode', label: 'Строка подтверждения Callback API', type: 'string' },
      { key: 'mode', label: 'Режим', type: 'string', options: ['callback', 'long-poll'] },
      { key: 'longPollWaitSeconds', label: 'Длинный опрос, с', type: 'number', default: 25 },
    ],
    secrets: [
      { key: 'groupToken', label: 'Ключ доступа сообщества', required: true },
      { key: 'callbackSecret', label: 'Секретный ключ Callback API' },
    ],
  },
  ok: {
    kind: 'ok',
    label: 'Одноклассники',
    settings: [
      { key: 'apiBaseUrl', label: 'Адрес API', type: 'url', default: 'https://api.ok.ru/graph' },
      { key: 'webhookUrl', label: 'Адрес вебхука', type: 'url' },
      // The group's wall, read and answered through the REST API with the application's keys.
      { key: 'groupId', label: 'ID группы (стена)', type: 'number' },
      { key: 'applicationKey', label: 'Публичный ключ приложения (стена)', type: 'string' },
      { key: 'restUrl', label: 'Адрес REST API (стена)', type: 'url', default: 'https://api.ok.ru/fb.do' },
      { key: 'wallTopics', label: 'Тем стены за опрос', type: 'number', default: 20 },
      { key: 'wallLookbackMs', label: 'Первый опрос стены назад, мс', type: 'number' },
      { key: 'pullEveryMs', label: 'Опрос стены каждые, мс', type: 'number' },
    ],
    secrets: [
      { key: 'accessToken', label: 'Ключ доступа группы', required: true },
      { key: 'webhookSecret', label: 'Секрет вебхука', required: true },
      { key: 'applicationSecretKey', label: 'Секретный ключ приложения (стена)' },
    ],
    together: [
      {
        label: 'Стена группы',
        settings: ['groupId', 'applicationKey'],
        secrets: ['applicationSecretKey'],
      },
    ],
  },
  pos: {
    kind: 'pos',
    label: 'ПОС',
    settings: [
      { key: 'baseUrl', label: 'Адрес ПОС', type: 'url', required: true },
      { key: 'regionId', label: 'Код региона', type: 'string', required: true },
      { key: 'opaIds', label: 'ID организаций в ПОС', type: 'string[]', required: true },
      { key: 'organisations', label: 'Наши коды → ID в ПОС', type: 'record', default: {} },
      { key: 'startFrom', label: 'Начать с даты', type: 'string' },
      { key: 'timeoutMs', label: 'Тайм-аут, мс', type: 'number' },
      { key: 'maxResponseBytes', label: 'Наибольший ответ ПОС, байт', type: 'number' },
      { key: 'pullEveryMs', label: 'Опрос каждые, мс', type: 'number' },
      { key: 'rubricatorSyncEveryMs', label: 'Синхронизация рубрикатора, мс', type: 'number' },
    ],
    secrets: [
      { key: 'username', label: 'Логин', required: true },
      { key: 'password', label: 'Пароль', required: true },
      { key: 'clientId', label: 'Client ID', required: true },
      { key: 'clientSecret', label: 'Client secret', required: true },
    ],
  },
  medo: {
    kind: 'medo',
    label: 'МЭДО',
    settings: [
      { key: 'inboundDir', label: 'Входящие пакеты', type: 'string', required: true },
      { key: 'outboundDir', label: 'Исходящие пакеты', type: 'string', required: true },
      { key: 'quarantineDir', label: 'Карантин', type: 'string' },
      { key: 'processedDir', label: 'Обработанные', type: 'string' },
      { key: 'ourParticipantUid', label: 'Наш UID участника', type: 'string', required: true },
      {
        key: 'ourOrganisationName',
        label: 'Наше наименование',
        type: 'string',
        default: 'Правительство области',
      },
      { key: 'timeZone', label: 'Часовой пояс', type: 'string' },
      { key: 'pullEveryMs', label: 'Опрос каждые, мс', type: 'number' },
    ],
    secrets: [],
  },
  'website-feed': {
    kind: 'website-feed',
    label: 'Лента сайта',
    settings: [
      { key: 'url', label: 'Адрес ленты', type: 'url', required: true },
      { key: 'maxResponseBytes', label: 'Наибольший ответ ленты, байт', type: 'number' },
    ],
    secrets: [{ key: 'bearerToken', label: 'Токен доступа' }],
    openSettings: true,
  },
};

/** Settings that name a host our connector sends the account's secrets to: its API, mail servers, feed. */
const SECRET_BEARING_HOSTS = new Set(['imapHost', 'smtpHost']);

function isSecretBearing(field: SettingField): boolean {
  // A webhook address is where the channel calls us: nothing of ours is sent there but the webhook secret's echo.
  return (field.type === 'url' && field.key !== 'webhookUrl') || SECRET_BEARING_HOSTS.has(field.key);
}

/** Each setting of an account that names a host its secrets are sent to, with that host (lower case). */
export function secretBearingSettings(
  kind: ConnectorKind,
  settings: Record<string, unknown>,
): { field: SettingField; host: string }[] {
  const hosts: { field: SettingField; host: string }[] = [];
  for (const field of ACCOUNT_SPECS[kind].settings.filter(isSecretBearing)) {
    const value = settings[field.key];
    if (typeof value !== 'string' || !value.trim()) continue;
    if (field.type !== 'url') {
      hosts.push({ field, host: value.trim().toLowerCase() });
      continue;
    }
    try {
      hosts.push({ field, host: new URL(value).hostname.toLowerCase() });
    } catch {
      hosts.push({ field, host: value.trim().toLowerCase() });
    }
  }
  return hosts;
}

/** The host names (lower case) an account with these settings sends its secrets to. */
export function secretBearingHosts(kind: ConnectorKind, settings: Record<string, unknown>): string[] {
  return secretBearingSettings(kind, settings).map((s) => s.host);
}

/** The channels' own API hosts (the specs' default addresses): api.telegram.org, api.vk.com, api.ok.ru. */
export function officialChannelHosts(): string[] {
  return (Object.keys(ACCOUNT_SPECS) as ConnectorKind[]).flatMap((kind) => {
    const defaults = Object.fromEntries(ACCOUNT_SPECS[kind].settings.map((f) => [f.key, f.default]));
    return secretBearingHosts(kind, defaults);
  });
}

/**
 * The settings an account's secrets are sent to, changed between `before` and `after`: a secret kept from before
 * was given for the old address, and an administrator who changes the address must give it again (else a new
 * address of their choosing would receive a token someone else entered).
 */
export function changedSecretBearingSettings(
  kind: ConnectorKind,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): SettingField[] {
  return ACCOUNT_SPECS[kind].settings.filter(
    (f) =>
      isSecretBearing(f) && JSON.stringify(before[f.key] ?? null) !== JSON.stringify(after[f.key] ?? null),
  );
}

/**
 * Why an account may not send its secrets named by environment variable where its settings point, in Russian;
 * undefined when every such host is allowed. The variable's value was put there by whoever runs the system, not by
 * the administrator: an address of the administrator's choosing would receive it.
 */
export function namedSecretHostProblem(
  kind: ConnectorKind,
  settings: Record<string, unknown>,
  secretEnv: Record<string, string>,
  allowedHosts: ReadonlySet<string>,
): string | undefined {
  const named = Object.values(secretEnv).filter((name) => name !== '');
  if (named.length === 0) return undefined;
  const refused = secretBearingHosts(kind, settings).filter((host) => !allowedHosts.has(host));
  if (refused.length === 0) return undefined;
  return (
    `Секреты из переменных окружения (${named.join(', ')}) не отправляются на ${[...new Set(refused)].join(', ')}: ` +
    'это не адрес API канала и не адрес из настроек окружения. Введите секрет здесь или добавьте адрес в CHANNEL_SECRET_HOSTS'
  );
}

const ENV_NAME = /^[A-Z][A-Z0-9_]{1,100}$/;

/** A setting that is not what its field says, in words an administrator reads; undefined when it is. */
function settingProblem(field: SettingField, value: unknown): string | undefined {
  const name = `«${field.label}» (${field.key})`;
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${name} — число`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name} — да или нет (true/false)`;
    case 'string[]':
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim())
        ? undefined
        : `${name} — список строк`;
    case 'record':
      return value && typeof value === 'object' && !Array.isArray(value)
        ? undefined
        : `${name} — соответствие «код: значение»`;
    case 'url':
      try {
        return typeof value === 'string' && ['http:', 'https:'].includes(new URL(value).protocol)
          ? undefined
          : `${name} — адрес http(s)://`;
      } catch {
        return `${name} — адрес http(s)://`;
      }
    case 'email':
      return typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
        ? undefined
        : `${name} — адрес электронной почты`;
    default:
      if (typeof value !== 'string' || !value.trim()) return `${name} — строка`;
      return field.options && !field.options.includes(value)
        ? `${name}: одно из ${field.options.join(', ')}`
        : undefined;
  }
}

export interface AccountInput {
  settings: Record<string, unknown>;
  /** Secret values to store (encrypted); an empty string removes one. */
  secrets: Record<string, string>;
  /** Secrets named by environment variable: { groupToken: 'VK_MUNICIPAL_TOKEN' }; '' removes one. */
  secretEnv: Record<string, string>;
}

/**
 * An account's settings with the kind's defaults filled in, or the problems found (Russian, one per field).
 * `stored` is what the account already has: a secret set before need not be sent again.
 */
export function checkAccount(
  kind: ConnectorKind,
  input: AccountInput,
  stored: { secretKeys: string[] } = { secretKeys: [] },
): { settings: Record<string, unknown>; problems: string[] } {
  const spec = ACCOUNT_SPECS[kind];
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  const known = new Set(spec.settings.map((f) => f.key));
  for (const key of Object.keys(input.settings)) {
    if (!known.has(key) && !spec.openSettings)
      problems.push(`Неизвестная настройка «${key}» для канала «${spec.label}»`);
    else if (!known.has(key)) settings[key] = input.settings[key];
  }
  for (const field of spec.settings) {
    const value = input.settings[field.key];
    if (value === undefined || value === null || value === '') {
      if (field.required) problems.push(`Укажите «${field.label}» (${field.key})`);
      else if (field.default !== undefined) settings[field.key] = field.default;
      continue;
    }
    const problem = settingProblem(field, value);
    if (problem) problems.push(problem);
    else settings[field.key] = value;
  }
  const secretKeys = new Set(spec.secrets.map((s) => s.key));
  for (const key of [...Object.keys(input.secrets), ...Object.keys(input.secretEnv)]) {
    if (!secretKeys.has(key)) problems.push(`Неизвестный секрет «${key}» для канала «${spec.label}»`);
  }
  for (const [key, value] of Object.entries(input.secrets)) {
    if (typeof value !== 'string') problems.push(`Секрет «${key}» — строка`);
  }
  for (const [key, name] of Object.entries(input.secretEnv)) {
    if (typeof name !== 'string' || (name !== '' && !ENV_NAME.test(name)))
      problems.push(`Секрет «${key}»: имя переменной окружения — заглавные латинские буквы, цифры и _`);
    else if (name !== '' && !isChannelSecretVariable(name))
      problems.push(
        `Секрет «${key}»: переменная окружения должна быть переменной канала (TELEGRAM_, VK_, OK_, EMAIL_, POS_, MEDO_, WEBSITE_FEED_), не системной`,
      );
  }
  const secretSet = (key: string) =>
    Boolean(input.secrets[key] || input.secretEnv[key]) ||
    (input.secrets[key] !== '' && input.secretEnv[key] !== '' && stored.secretKeys.includes(key));
  for (const field of spec.secrets.filter((s) => s.required)) {
    if (!secretSet(field.key)) problems.push(`Задайте секрет «${field.label}» (${field.key})`);
  }
  for (const group of spec.together ?? []) {
    const settingSet = (key: string) => ![undefined, null, ''].includes(input.settings[key] as never);
    const given = group.settings.filter(settingSet).length + group.secrets.filter(secretSet).length;
    if (given === 0 || given === group.settings.length + group.secrets.length) continue;
    for (const key of group.settings.filter((k) => !settingSet(k))) {
      const field = spec.settings.find((f) => f.key === key)!;
      problems.push(`${group.label}: укажите «${field.label}» (${key})`);
    }
    for (const key of group.secrets.filter((k) => !secretSet(k))) {
      const field = spec.secrets.find((f) => f.key === key)!;
      problems.push(`${group.label}: задайте секрет «${field.label}» (${key})`);
    }
  }
  return { settings, problems };
}
