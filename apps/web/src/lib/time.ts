import { plural } from './labels';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** 21.11.2026 14:05 in the given zone (the organisation's), or the browser's when none. */
export function formatDateTime(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return '—';
  return formatter(timeZone, true).format(new Date(value)).replace(',', '');
}

export function formatDate(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return '—';
  return formatter(timeZone, false).format(new Date(value));
}

/**
 * A term in words as a notice says it, in the given zone: «12 января 2027 г.», with the time «…, 18:00» when
 * `withTime`.
 */
export function formatLongDate(value: string | Date, timeZone: string, withTime = false): string {
  const day = new Intl.DateTimeFormat('ru-RU', { timeZone, day: 'numeric', month: 'long', year: 'numeric' });
  const at = new Date(value);
  return withTime ? `${day.format(at)}, ${formatDateTime(at, timeZone).slice(-5)}` : day.format(at);
}

/** '2026-03-07' → '07.03.2026' without any zone arithmetic. */
export function formatLocalDate(date: string | null | undefined): string {
  if (!date) return '—';
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

/** The browser's zone: what the person at the screen reads as "local". */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function offsetOf(timeZone: string, at: Date): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  );
}

/** Whether a zone reads the instant like the browser does (same UTC offset then). */
export function sameAsBrowser(timeZone: string, at: Date = new Date()): boolean {
  return offsetOf(timeZone, at) === offsetOf(browserZone(), at);
}

/**
 * The one rule for instants (issue 17): in the organisation's zone, and the zone named when it is not the
 * reader's own — «01.12.2026 19:44» or «02.12.2026 02:44 (Новосибирск, UTC+7)». The same instant reads the
 * same in the list, the card, exports and reports.
 */
export function formatInZone(value: string | Date | null | undefined, timeZone: string): string {
  if (!value) return '—';
  const at = new Date(value);
  const text = formatDateTime(at, timeZone);
  return sameAsBrowser(timeZone, at) ? text : `${text} (${zoneLabel(timeZone)})`;
}

/** The zone's name when it differs from the reader's, else nothing (for a column header or a caption). */
export function zoneNote(timeZone: string): string {
  return sameAsBrowser(timeZone) ? '' : zoneLabel(timeZone);
}

/** Today's local date 'YYYY-MM-DD' in a zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
  return parts;
}

/** UTC offset label of a zone, e.g. 'Asia/Novosibirsk' → 'UTC+7'. */
export function zoneLabel(timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName');
  const city: Record<string, string> = {
    'Asia/Novosibirsk': 'Новосибирск',
    'Asia/Omsk': 'Омск',
    'Asia/Krasnoyarsk': 'Красноярск',
    'Asia/Tomsk': 'Томск',
    'Europe/Moscow': 'Москва',
  };
  const offset = (part?.value ?? 'GMT').replace('GMT', 'UTC');
  // A zone without a Russian name here reads as its offset alone, never as its Latin identifier.
  return city[timeZone] ? `${city[timeZone]}, ${offset}` : offset;
}

export type Urgency = 'overdue' | 'critical' | 'soon' | 'ok';

/** «осталось 2 дн 4 ч» / «просрочено на 3 ч», and how urgent it is. */
export function countdown(due: string | Date, now = Date.now()): { text: string; urgency: Urgency } {
  const ms = new Date(due).getTime() - now;
  const abs = Math.abs(ms);
  const minutes = Math.floor(abs / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  // A number and its unit never part at a line's end (a narrow column showed «3» and «ч» on two lines).
  const nb = '\u00a0';
  let span: string;
  if (days >= 1) span = `${days}${nb}${plural(days, 'день', 'дня', 'дней')} ${hours % 24}${nb}ч`;
  else if (hours >= 1) span = `${hours}${nb}ч ${minutes % 60}${nb}мин`;
  else span = `${minutes}${nb}мин`;
  if (ms < 0) return { text: `просрочено на ${span}`, urgency: 'overdue' };
  return {
    text: `осталось ${span}`,
    urgency: ms < 24 * 3_600_000 ? 'critical' : ms < 3 * 24 * 3_600_000 ? 'soon' : 'ok',
  };
}

/** Text colours of a countdown, each at least 4.5:1 on white (WCAG 2.1 AA). */
export const URGENCY_COLOR: Record<Urgency, string> = {
  overdue: '#b02525',
  critical: '#a63a00',
  soon: '#7c5300',
  ok: '#1f6b30',
};

/** Local date 'YYYY-MM-DD' of an instant in the browser's zone. */
export function isoDay(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** The instant a local date starts in a zone: '2026-03-07' in Asia/Novosibirsk → 2026-03-06T17:00Z. */
export function startOfDayIn(date: string, timeZone: string): Date {
  const probe = new Date(`${date}T12:00:00Z`);
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(probe)
    .find((p) => p.type === 'timeZoneName');
  const offset = (part?.value ?? 'GMT').replace('GMT', '') || '+00:00';
  return new Date(`${date}T00:00:00${offset}`);
}

/** An instant as the local date and time 'YYYY-MM-DDTHH:MM' in a zone (instantIn's inverse). */
export function localIn(value: string | Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(value))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The instant a local date and time 'YYYY-MM-DDTHH:MM' is in a zone (the offset of that day's noon). */
export function instantIn(local: string, timeZone: string): Date {
  const [date, time = '00:00'] = local.split('T');
  const [hours, minutes] = time.split(':').map(Number);
  return new Date(startOfDayIn(date, timeZone).getTime() + (hours * 60 + minutes) * 60_000);
}
