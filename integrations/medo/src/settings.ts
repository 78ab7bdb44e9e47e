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

function invalid(key: string, reason: string): ConnectorError {
  // A misconfigured account does not heal by retrying: the core marks it failed, as for bad credentials.
  return new ConnectorError(ConnectorErrorCode.AuthFailed, `МЭДО account setting ${key} ${reason}`, {
    fields: { [key]: reason },
  });
}

function dirSetting(settings: Record<string, unknown>, key: string): string {
  const raw = settings[key];
  if (typeof raw !== 'string' || !raw.trim()) throw invalid(key, 'is required');
  if (!isAbsolute(raw.trim())) throw invalid(key, 'must be an absolute path');
  return resolve(raw.trim());
}

export function settingsOf(account: ChannelAccountRef): MedoSettings {
  const s = account.settings ?? {};
  const inboundDir = dirSetting(s, 'inboundDir');
  const outboundDir = dirSetting(s, 'outboundDir');
  const quarantineDir = dirSetting(s, 'quarantineDir');
  const processedDir = dirSetting(s, 'processedDir');
  const dirs = [inboundDir, outboundDir, quarantineDir, processedDir];
  if (new Set(dirs).size !== dirs.length) throw invalid('processedDir', 'the four folders must differ');

  const uid = typeof s.ourParticipantUid === 'string' ? s.ourParticipantUid.trim() : '';
  if (!GUID_PATTERN.test(uid)) throw invalid('ourParticipantUid', 'must be a GUID');
  const name = typeof s.ourOrganisationName === 'string' ? s.ourOrganisationName.trim() : '';
  if (!name) throw invalid('ourOrganisationName', 'is required');

  const timeZone =
    typeof s.timeZone === 'string' && s.timeZone.trim() ? s.timeZone.trim() : DEFAULT_TIME_ZONE;
  if (!isKnownZone(timeZone)) throw invalid('timeZone', 'is not an IANA time zone');
  const stagingDir =
    s.stagingDir === undefined || s.stagingDir === '' ? undefined : dirSetting(s, 'stagingDir');

  return {
    inboundDir,
    outboundDir,
    quarantineDir,
    processedDir,
    ourParticipantUid: uid.toLowerCase(),
    ourOrganisationName: name,
    maxPackageBytes: numberSetting(s, invalid, 'maxPackageBytes', DEFAULT_LIMITS.maxPackageBytes, 1),
    maxUnzippedBytes: numberSetting(s, invalid, 'maxUnzippedBytes', DEFAULT_LIMITS.maxUnzippedBytes, 1),
    maxFiles: numberSetting(s, invalid, 'maxFiles', DEFAULT_LIMITS.maxFiles, 1),
    maxCompressionRatio: numberSetting(
      s,
      invalid,
      'maxCompressionRatio',
      DEFAULT_LIMITS.maxCompressionRatio,
      1,
    ),
    settleMs: numberSetting(s, invalid, 'settleMs', DEFAULT_LIMITS.settleMs, 0),
    timeZone,
    stagingDir,
    signatoryPost:
      typeof s.signatoryPost === 'string' && s.signatoryPost.trim() ? s.signatoryPost.trim() : undefined,
  };
}
