import { Channel, type ConnectorKind } from '@inbox/integrations/contract';

export type { ConnectorKind };

export interface ConfiguredAccount {
  kind: ConnectorKind;
  channel: Channel;
  name: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface ChannelsFromEnv {
  accounts: ConfiguredAccount[];
  /** Channels that are off, each with the reason in words an operator understands. */
  off: { kind: ConnectorKind; reason: string }[];
}

/** A numeric setting, or its default; a value that is no number is a boot problem, not a NaN in settings. */
const numIn =
  (problems: string[]) =>
  (name: string, v: string | undefined, d: number): number => {
    if (!v) return d;
    const n = Number(v);
    if (!Number.isFinite(n)) problems.push(`${name} must be a number, got "${v}"`);
    return Number.isFinite(n) ? n : d;
  };
const bool = (v: string | undefined, d: boolean) =>
  v === undefined || v === '' ? d : ['1', 'true', 'yes'].includes(v);
/** An optional numeric setting: absent unless its variable is set, so the connector's default applies. */
const optNumIn =
  (problems: string[]) =>
  (key: string, v: string | undefined, name = key): Record<string, number> => {
    if (!v) return {};
    const n = Number(v);
    if (!Number.isFinite(n)) {
      problems.push(`${name} must be a number, got "${v}"`);
      return {};
    }
    return { [key]: n };
  };
const optStr = (key: string, v: string | undefined): Record<string, string> => (v ? { [key]: v } : {});
/** `code=id,code=id` → { code: id }: our organisation codes mapped to a channel's ids. */
const pairs = (v: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (v ?? '')
      .split(',')
      .map((p) => p.split('=').map((s) => s.trim()))
      .filter(([k, id]) => k && id),
  );

/**
 * Channel accounts from the environment: settings (stored in channel_accounts, shown on /health) apart from
 * secrets (kept in memory only). A channel whose required variables are missing is off, with the reason; a
 * value that cannot be right (a number that is no number) is added to `problems`, which AppConfig reports at
 * boot with every other problem.
 */
export function channelsFromEnv(env: NodeJS.ProcessEnv, problems: string[] = []): ChannelsFromEnv {
  const accounts: ConfiguredAccount[] = [];
  const off: ChannelsFromEnv['off'] = [];
  const num = numIn(problems);
  const optNum = optNumIn(problems);
  const need = (kind: ConnectorKind, names: string[]): boolean => {
    const missing = names.filter((n) => !env[n]);
    if (missing.length > 0) off.push({ kind, reason: `не заданы ${missing.join(', ')}` });
    return missing.length === 0;
  };

  if (
    need('email', [
      'EMAIL_IMAP_HOST',
      'EMAIL_IMAP_USER',
      'EMAIL_IMAP_PASSWORD',
      'EMAIL_SMTP_HOST',
      'EMAIL_FROM_ADDRESS',
    ])
  ) {
    accounts.push({
      kind: 'email',
      channel: Channel.Email,
      name: env.EMAIL_ACCOUNT_NAME ?? env.EMAIL_FROM_ADDRESS!,
      settings: {
        imapHost: env.EMAIL_IMAP_HOST,
        imapPort: num('EMAIL_IMAP_PORT', env.EMAIL_IMAP_PORT, 993),
        imapSecure: bool(env.EMAIL_IMAP_SECURE, true),
        mailbox: env.EMAIL_MAILBOX ?? 'INBOX',
        smtpHost: env.EMAIL_SMTP_HOST,
        smtpPort: num('EMAIL_SMTP_PORT', env.EMAIL_SMTP_PORT, 587),
        smtpSecure: bool(env.EMAIL_SMTP_SECURE, false),
        fromAddress: env.EMAIL_FROM_ADDRESS,
        fromName: env.EMAIL_FROM_NAME ?? 'Единый центр обращений граждан',
        policy547: env.EMAIL_POLICY_547 ?? 'message-with-notice',
        // Where sent letters are looked for after an interrupted send (the \Sent folder unless named), and
        // whether the provider files every letter its SMTP server accepts there (then absence means not sent).
        ...(env.EMAIL_SENT_MAILBOX ? { sentMailbox: env.EMAIL_SENT_MAILBOX } : {}),
        smtpSavesToSent: bool(env.EMAIL_SMTP_SAVES_TO_SENT, false),
        ...optNum('timeoutMs', env.EMAIL_TIMEOUT_MS, 'EMAIL_TIMEOUT_MS'),
        ...optNum('maxAttachmentBytes', env.EMAIL_MAX_ATTACHMENT_BYTES, 'EMAIL_MAX_ATTACHMENT_BYTES'),
        ...optNum('maxMessageBytes', env.EMAIL_MAX_MESSAGE_BYTES, 'EMAIL_MAX_MESSAGE_BYTES'),
        ...optNum('pullEveryMs', env.EMAIL_PULL_EVERY_MS, 'EMAIL_PULL_EVERY_MS'),
        ...optStr('timeZone', env.EMAIL_TIME_ZONE),
      },
      secrets: {
        imapUser: env.EMAIL_IMAP_USER!,
        imapPassword: env.EMAIL_IMAP_PASSWORD!,
        ...(env.EMAIL_SMTP_USER
          ? { smtpUser: env.EMAIL_SMTP_USER, smtpPassword: env.EMAIL_SMTP_PASSWORD ?? '' }
          : {}),
      },
    });
  }
  if (need('telegram', ['TELEGRAM_BOT_TOKEN'])) {
    accounts.push({
      kind: 'telegram',
      channel: Channel.Telegram,
      name: env.TELEGRAM_ACCOUNT_NAME ?? 'bot',
      settings: {
        apiRoot: env.TELEGRAM_API_ROOT ?? 'https://api.telegram.org',
        mode: env.TELEGRAM_WEBHOOK_SECRET && env.TELEGRAM_WEBHOOK_URL ? 'webhook' : 'polling',
        webhookUrl: env.TELEGRAM_WEBHOOK_URL,
        pollTimeoutSeconds: num('TELEGRAM_POLL_TIMEOUT_SECONDS', env.TELEGRAM_POLL_TIMEOUT_SECONDS, 25),
        // How long one Bot API call may take before it is given up (a send then has an unknown outcome).
        requestTimeoutMs: num('TELEGRAM_REQUEST_TIMEOUT_MS', env.TELEGRAM_REQUEST_TIMEOUT_MS, 30_000),
        // Comments under the official channel's posts, read in its discussion group (8-ФЗ open-source messages).
        channelComments: bool(env.TELEGRAM_CHANNEL_COMMENTS, false),
      },
      secrets: { botToken: env.TELEGRAM_BOT_TOKEN!, webhookSecret: env.TELEGRAM_WEBHOOK_SECRET ?? '' },
    });
  }
  if (need('vk', ['VK_GROUP_ID', 'VK_GROUP_TOKEN'])) {
    accounts.push({
      kind: 'vk',
      channel: Channel.Vk,
      name: env.VK_ACCOUNT_NAME ?? `group-${env.VK_GROUP_ID}`,
      settings: {
        groupId: num('VK_GROUP_ID', env.VK_GROUP_ID, 0),
        apiBaseUrl: env.VK_API_BASE_URL ?? 'https://api.vk.com/method',
        confirmationCode: env.VK_CONFIRMATION_CODE,
        mode: env.VK_CALLBACK_SECRET ? 'callback' : 'long-poll',
        longPollWaitSeconds: num('VK_LONG_POLL_WAIT_SECONDS', env.VK_LONG_POLL_WAIT_SECONDS, 25),
      },
      secrets: { groupToken: env.VK_GROUP_TOKEN!, callbackSecret: env.VK_CALLBACK_SECRET ?? '' },
    });
  }
  if (need('ok', ['OK_ACCESS_TOKEN', 'OK_WEBHOOK_SECRET'])) {
    accounts.push({
      kind: 'ok',
      channel: Channel.Ok,
      name: env.OK_ACCOUNT_NAME ?? 'group',
      settings: {
        apiBaseUrl: env.OK_API_BASE_URL ?? 'https://api.ok.ru/graph',
        webhookUrl: env.OK_WEBHOOK_URL,
        // The group wall is read (pulled) through the REST API when the group and the application are named.
        mode: env.OK_GROUP_ID && env.OK_APPLICATION_KEY ? 'wall' : 'webhook',
        ...optStr('groupId', env.OK_GROUP_ID),
        ...optStr('applicationKey', env.OK_APPLICATION_KEY),
        ...optStr('restUrl', env.OK_REST_URL),
        ...optNum('pullEveryMs', env.OK_WALL_PULL_EVERY_MS, 'OK_WALL_PULL_EVERY_MS'),
      },
      secrets: {
        accessToken: env.OK_ACCESS_TOKEN!,
        webhookSecret: env.OK_WEBHOOK_SECRET!,
        ...(env.OK_APPLICATION_SECRET_KEY ? { applicationSecretKey: env.OK_APPLICATION_SECRET_KEY } : {}),
      },
    });
  }
  if (
    need('pos', [
      'POS_BASE_URL',
      'POS_USERNAME',
      'POS_PASSWORD',
      'POS_CLIENT_ID',
      'POS_CLIENT_SECRET',
      'POS_REGION_ID',
      'POS_OPA_IDS',
    ])
  ) {
    accounts.push({
      kind: 'pos',
      channel: Channel.Pos,
      name: env.POS_ACCOUNT_NAME ?? 'region',
      settings: {
        baseUrl: env.POS_BASE_URL,
        regionId: env.POS_REGION_ID,
        opaIds: env
          .POS_OPA_IDS!.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        // Our organisation codes → ПОС organisation ids, for "forwarded down/up" status events.
        organisations: pairs(env.POS_ORGANISATIONS),
        ...optStr('startFrom', env.POS_START_FROM),
        ...optNum('timeoutMs', env.POS_TIMEOUT_MS, 'POS_TIMEOUT_MS'),
        ...optNum('maxResponseBytes', env.POS_MAX_RESPONSE_BYTES, 'POS_MAX_RESPONSE_BYTES'),
        ...optNum('pullEveryMs', env.POS_PULL_EVERY_MS, 'POS_PULL_EVERY_MS'),
        ...optNum('rubricatorSyncEveryMs', env.POS_RUBRICATOR_SYNC_EVERY_MS, 'POS_RUBRICATOR_SYNC_EVERY_MS'),
      },
      secrets: {
        username: env.POS_USERNAME!,
        password: env.POS_PASSWORD!,
        clientId: env.POS_CLIENT_ID!,
        clientSecret: env.POS_CLIENT_SECRET!,
      },
    });
  }
  if (need('medo', ['MEDO_INBOUND_DIR', 'MEDO_OUTBOUND_DIR', 'MEDO_PARTICIPANT_UID'])) {
    const base = env.MEDO_INBOUND_DIR!;
    accounts.push({
      kind: 'medo',
      channel: Channel.Medo,
      name: env.MEDO_ACCOUNT_NAME ?? 'gateway',
      settings: {
        inboundDir: base,
        outboundDir: env.MEDO_OUTBOUND_DIR,
        quarantineDir: env.MEDO_QUARANTINE_DIR ?? `${base}/../quarantine`,
        processedDir: env.MEDO_PROCESSED_DIR ?? `${base}/../processed`,
        ourParticipantUid: env.MEDO_PARTICIPANT_UID,
        ourOrganisationName: env.MEDO_ORGANISATION_NAME ?? 'Правительство области',
        ...optStr('timeZone', env.MEDO_TIME_ZONE),
        ...optStr('stagingDir', env.MEDO_STAGING_DIR),
        ...optStr('signatoryPost', env.MEDO_SIGNATORY_POST),
        ...optNum('settleMs', env.MEDO_SETTLE_MS, 'MEDO_SETTLE_MS'),
        ...optNum('maxPackageBytes', env.MEDO_MAX_PACKAGE_BYTES, 'MEDO_MAX_PACKAGE_BYTES'),
        ...optNum('maxUnzippedBytes', env.MEDO_MAX_UNZIPPED_BYTES, 'MEDO_MAX_UNZIPPED_BYTES'),
        ...optNum('maxFiles', env.MEDO_MAX_FILES, 'MEDO_MAX_FILES'),
        ...optNum('pullEveryMs', env.MEDO_PULL_EVERY_MS, 'MEDO_PULL_EVERY_MS'),
      },
      secrets: {},
    });
  }
  if (need('website-feed', ['WEBSITE_FEED_URL'])) {
    // A typo in the JSON turns this one channel off with the reason instead of stopping the boot.
    let settings: unknown;
    try {
      settings = JSON.parse(env.WEBSITE_FEED_SETTINGS ?? '{}');
    } catch {
      settings = undefined;
    }
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) {
      off.push({ kind: 'website-feed', reason: 'WEBSITE_FEED_SETTINGS не является JSON-объектом' });
    } else {
      accounts.push({
        kind: 'website-feed',
        channel: Channel.Website,
        name: env.WEBSITE_FEED_NAME ?? 'site',
        settings: {
          ...(settings as Record<string, unknown>),
          url: env.WEBSITE_FEED_URL,
          ...optNum(
            'maxResponseBytes',
            env.WEBSITE_FEED_MAX_RESPONSE_BYTES,
            'WEBSITE_FEED_MAX_RESPONSE_BYTES',
          ),
        },
        secrets: env.WEBSITE_FEED_TOKEN ? { bearerToken: env.WEBSITE_FEED_TOKEN } : {},
      });
    }
  }
  return { accounts, off };
}
