import { Channel, type InboundItem, isChannel } from '@inbox/integrations/contract';

/**
 * One line of an import file: an item registered in another system (a region migrating from its old
 * document system, or an operator's batch of letters received by post).
 */
export interface ImportLine {
  channel: string;
  externalId: string;
  /** The original registration instant (ISO 8601 with an offset or Z): deadlines run from it. */
  registeredAt: string;
  /** Organisation code in our directory. */
  organisation: string;
  regime: 'message' | 'appeal';
  fastTrack?: boolean;
  applicant: {
    surname?: string;
    firstName?: string;
    patronymic?: string;
    email?: string;
    phone?: string;
    postalAddress?: string;
  };
  text: string;
  subject?: string;
  address?: string;
}

export type ParsedLine = { ok: true; item: InboundItem } | { ok: false; reason: string };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Validates one JSON line; every problem is named, so the operator can fix the file. */
export function parseImportLine(raw: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  const str = (key: string, required: boolean, max = 100_000): string | undefined => {
    const x = v[key];
    if (x === undefined || x === null || x === '') {
      if (required) problems.push(`${key} is required`);
      return undefined;
    }
    if (typeof x !== 'string') problems.push(`${key} must be a string`);
    else if (x.length > max) problems.push(`${key} is longer than ${max} characters`);
    return typeof x === 'string' ? x : undefined;
  };
  const channel = str('channel', true);
  if (channel !== undefined && !isChannel(channel)) problems.push(`channel "${channel}" is unknown`);
  const externalId = str('externalId', true, 500);
  const registeredAt = str('registeredAt', true);
  if (registeredAt && (!ISO_INSTANT.test(registeredAt) || Number.isNaN(Date.parse(registeredAt)))) {
    problems.push(
      'registeredAt must be an ISO 8601 instant with a time zone, e.g. 2026-03-02T10:15:00+07:00',
    );
  }
  const organisation = str('organisation', true, 100);
  const regime = str('regime', true);
  if (regime && regime !== 'message' && regime !== 'appeal')
    problems.push('regime must be "message" or "appeal"');
  if (v.fastTrack !== undefined && typeof v.fastTrack !== 'boolean')
    problems.push('fastTrack must be true or false');
  const text = str('text', true);
  const subject = str('subject', false, 1000);
  const address = str('address', false, 1000);
  const applicant = v.applicant;
  if (!applicant || typeof applicant !== 'object' || Array.isArray(applicant))
    problems.push('applicant is required');
  const a = (applicant ?? {}) as Record<string, unknown>;
  for (const key of ['surname', 'firstName', 'patronymic', 'email', 'phone', 'postalAddress']) {
    if (a[key] !== undefined && a[key] !== null && typeof a[key] !== 'string') {
      problems.push(`applicant.${key} must be a string`);
    }
  }
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  const pick = (key: string) => (typeof a[key] === 'string' && a[key] ? (a[key] as string) : undefined);
  return {
    ok: true,
    item: {
      channel: channel as Channel,
      externalId: externalId!,
      receivedAt: new Date(registeredAt!).toISOString(),
      registeredAt: new Date(registeredAt!).toISOString(),
      regime: regime as 'message' | 'appeal',
      fastTrack: v.fastTrack === true,
      author: {
        surname: pick('surname'),
        firstName: pick('firstName'),
        patronymic: pick('patronymic'),
        email: pick('email'),
        phone: pick('phone'),
        postalAddress: pick('postalAddress'),
      },
      subject,
      text: text!,
      address,
      addressee: { code: organisation },
    },
  };
}

export { Channel };
