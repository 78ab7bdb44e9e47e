import { isAbsolute, resolve } from 'node:path';
import {
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  numberSetting,
} from '@inbox/integrations/contract';
import { isKnownZone } from './zones';

export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Settings of a МЭДО account (`ChannelAccountRef.settings`). The exchange folders are shared with the gateway. */
export interface MedoSettings {
  /** Where the gateway drops incoming packages (a folder or a `.zip` per package). */
  inboundDir: string;
  /** Where we put outgoing packages for the gateway to pick up. */
  outboundDir: string;
  /** Unreadable packages are moved here with a `<name>.reason.txt` beside them. */
  quarantineDir: string;
  /** Packages whose items the core has stored (acknowledged) are moved here. */
  processedDir: string;
  /** Our participant GUID in МЭДО (`header/source/@uid` of what we send). */
  ourParticipantUid: string;
  ourOrganisationName: string;
  /** A package (the .zip, or the folder's files together) larger than this is quarantined. */
  maxPackageBytes: number;
  /** All files of a package once unzipped (a 2.7 transport container included). */
  maxUnzippedBytes: number;
  /** Files in a package, or entries in a ZIP. */
  maxFiles: number;
  /** A ZIP entry over 1 MiB that expands more than this many times is taken for a ZIP bomb. */
  maxCompressionRatio: number;
  /**
   * A package whose newest file is younger than this is left for the next pull: the gateway may still be
   * writing it, and a half-written folder must not be quarantined as "no passport".
   */
  settleMs: number;
  /** Time zone of our registration dates (`num/date`, `signed`). */
  timeZone: string;
  /**
   * Where outgoing packages are assembled before the atomic rename into outboundDir. Default: inside
   * outboundDir under a dot-name (same filesystem, so the rename is atomic). Set it, on the same
   * filesystem, for a gateway that does not skip dot-names.
   */
  stagingDir?: string;
  /** Our signatory's post, put on outgoing documents (optional; the organisation is always there). */
  signatoryPost?: string;
}

export const DEFAULT_LIMITS = {
  maxPackageBytes: 50 * 1024 * 1024,
  maxUnzippedBytes: 200 * 1024 * 1024,
  maxFiles: 200,
  maxCompressionRatio: 100,
  settleMs: 5000,
} as const;

export const DEFAULT_TIME_ZONE = 'Europe/Moscow';

/** The settings by the labels the admin screen gives them: a settings problem names each so, with its key. */
const LABELS: Record<string, string> = {
  inboundDir: 'Входящие пакеты',
  outboundDir: 'Исходящие пакеты',
  quarantineDir: 'Карантин',
  processedDir: 'Обработанные',
  stagingDir: 'Папка сборки исходящих',
  ourParticipantUid: 'Наш UID участника',
  ourOrganisationName: 'Наше наименование',
  timeZone: 'Часовой пояс',
  maxPackageBytes: 'Наибольший пакет, байт',
  maxUnzippedBytes: 'Наибольший распакованный пакет, байт',
  maxFiles: 'Наибольшее число файлов в пакете',
  maxCompressionRatio: 'Наибольшая степень сжатия',
  settleMs: 'Ожидание дозаписи пакета, мс',
};

/**
 * A setting the account cannot work with, in Russian by its label and key (`reason` in Russian too): the
 * administrator reads it as is, as the account's last error; the worker's log names the key.
 */
function invalid(key: string, reason: string): ConnectorError {
  // A misconfigured account does not heal by retrying: the core marks it failed, as for bad credentials.
  const problem = `«${LABELS[key] ?? key}» (${key}): ${reason}`;
  return new ConnectorError(ConnectorErrorCode.AuthFailed, `МЭДО не настроен: ${problem}`, {
    fields: { [key]: problem },
    toAdministrator: true,
  });
}

/** numberSetting's complaint («must be a number ≥ 1») in Russian. */
function invalidNumber(key: string, why: string): ConnectorError {
  const min = /≥\s*(\d+)/.exec(why)?.[1] ?? '0';
  return invalid(key, `укажите число не меньше ${min}`);
}

function dirSetting(settings: Record<string, unknown>, key: string): string {
  const raw = settings[key];
  if (typeof raw !== 'string' || !raw.trim()) throw invalid(key, 'не задана папка');
  if (!isAbsolute(raw.trim())) throw invalid(key, 'укажите полный путь к папке (от корня, «/…»)');
  return resolve(raw.trim());
}

export function settingsOf(account: ChannelAccountRef): MedoSettings {
  const s = account.settings ?? {};
  // Every setting is checked and every problem kept: the administrator is told all of them at once.
  const problems: Record<string, string> = {};
  const read = <T>(setting: () => T, fallback: T): T => {
    try {
      return setting();
    } catch (error) {
      if (!(error instanceof ConnectorError) || !error.details.fields) throw error;
      Object.assign(problems, error.details.fields);
      return fallback;
    }
  };
  const problem = (key: string, reason: string) =>
    Object.assign(problems, invalid(key, reason).details.fields);

  const inboundDir = read(() => dirSetting(s, 'inboundDir'), '');
  const outboundDir = read(() => dirSetting(s, 'outboundDir'), '');
  const quarantineDir = read(() => dirSetting(s, 'quarantineDir'), '');
  const processedDir = read(() => dirSetting(s, 'processedDir'), '');
  const dirs = [inboundDir, outboundDir, quarantineDir, processedDir];
  if (dirs.every(Boolean) && new Set(dirs).size !== dirs.length)
    problem('processedDir', 'четыре папки (входящие, исходящие, карантин, обработанные) должны быть разными');

  const uid = typeof s.ourParticipantUid === 'string' ? s.ourParticipantUid.trim() : '';
  if (!GUID_PATTERN.test(uid))
    problem('ourParticipantUid', 'GUID участника МЭДО, например 0d5e3c1a-7b2f-4e8a-9c61-3f0b2a4d5e6f');
  const name = typeof s.ourOrganisationName === 'string' ? s.ourOrganisationName.trim() : '';
  if (!name) problem('ourOrganisationName', 'не задано');

  const timeZone =
    typeof s.timeZone === 'string' && s.timeZone.trim() ? s.timeZone.trim() : DEFAULT_TIME_ZONE;
  if (!isKnownZone(timeZone))
    problem('timeZone', 'часовой пояс IANA, например Europe/Moscow или Asia/Novosibirsk');
  const stagingDir =
    s.stagingDir === undefined || s.stagingDir === ''
      ? undefined
      : read(() => dirSetting(s, 'stagingDir'), undefined);
  const limit = (key: keyof typeof DEFAULT_LIMITS, min: number) =>
    read(() => numberSetting(s, invalidNumber, key, DEFAULT_LIMITS[key], min), DEFAULT_LIMITS[key]);
  const maxPackageBytes = limit('maxPackageBytes', 1);
  const maxUnzippedBytes = limit('maxUnzippedBytes', 1);
  const maxFiles = limit('maxFiles', 1);
  const maxCompressionRatio = limit('maxCompressionRatio', 1);
  const settleMs = limit('settleMs', 0);

  if (Object.keys(problems).length > 0) {
    throw new ConnectorError(
      ConnectorErrorCode.AuthFailed,
      `МЭДО не настроен: ${Object.values(problems).join('; ')}`,
      { fields: problems, toAdministrator: true },
    );
  }
  return {
    inboundDir,
    outboundDir,
    quarantineDir,
    processedDir,
    ourParticipantUid: uid.toLowerCase(),
    ourOrganisationName: name,
    maxPackageBytes,
    maxUnzippedBytes,
    maxFiles,
    maxCompressionRatio,
    settleMs,
    timeZone,
    stagingDir,
    signatoryPost:
      typeof s.signatoryPost === 'string' && s.signatoryPost.trim() ? s.signatoryPost.trim() : undefined,
  };
}
