import { DateTime, IANAZone } from 'luxon';
import { DeadlineRuleError } from './errors';

/** A calendar date without a zone, 'YYYY-MM-DD'. */
export type LocalDate = string;

const DAY_MS = 86_400_000;
const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a local date; throws on malformed or impossible dates (e.g. 2025-02-30). */
export function toEpochDay(date: LocalDate): number {
  const known = EPOCH_DAYS.get(date);
  if (known !== undefined) return known;
  const m = typeof date === 'string' ? LOCAL_DATE_RE.exec(date) : null;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) {
      remember(EPOCH_DAYS, date, ms / DAY_MS);
      return ms / DAY_MS;
    }
  }
  throw new DeadlineRuleError('invalid-date', `Некорректная дата (ГГГГ-ММ-ДД): ${String(date)}`);
}

export function fromEpochDay(epochDay: number): LocalDate {
  let date = LOCAL_DATES.get(epochDay);
  if (date === undefined) {
    date = new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
    remember(LOCAL_DATES, epochDay, date);
  }
  return date;
}

/*
 * Parsing and printing dates (a Date and a string each) were most of the deadline arithmetic's CPU: every
 * calendar step converts both ways. The dates met are few (days around today), so both directions are kept.
 */
const EPOCH_DAYS = new Map<string, number>();
const LOCAL_DATES = new Map<number, LocalDate>();
const MAX_REMEMBERED = 50_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_REMEMBERED) map.clear();
  map.set(key, value);
}

export function assertLocalDate(date: LocalDate): LocalDate {
  toEpochDay(date);
  return date;
}

/** Plain calendar arithmetic; negative `days` go backwards. */
export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) {
    throw new DeadlineRuleError('invalid-days', `Число дней должно быть целым, получено ${days}`);
  }
  return fromEpochDay(toEpochDay(date) + days);
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const jsDay = new Date(toEpochDay(date) * DAY_MS).getUTCDay();
  return jsDay === 0 ? 7 : jsDay;
}

/** 2026-12-07 → 07.12.2026: a local date as staff and citizens read it. */
export function russianLocalDate(date: LocalDate): string {
  return date.split('-').reverse().join('.');
}

export function yearOf(date: LocalDate): number {
  return Number(assertLocalDate(date).slice(0, 4));
}

/** Zone validation builds an Intl formatter (~0.15 ms); zones are few, so remember the valid ones. */
const VALID_ZONES = new Set<string>();

export function assertTimeZone(timeZone: string): string {
  if (VALID_ZONES.has(timeZone)) return timeZone;
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw new DeadlineRuleError('invalid-time-zone', `Неизвестный часовой пояс IANA: ${String(timeZone)}`);
  }
  VALID_ZONES.add(timeZone);
  return timeZone;
}

export function assertInstant(instant: Date, name = 'instant'): Date {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new DeadlineRuleError('invalid-instant', `${name}: нужен корректный момент времени`);
  }
  return instant;
}

/** One local day of a zone whose offset holds from its first to its last instant: [start, end). */
interface DayWindow {
  start: number;
  end: number;
  date: LocalDate;
}

/** Per zone, the local days met lately (a registration asks about today and a few days back). */
const DAY_WINDOWS = new Map<string, DayWindow[]>();
const WINDOWS_PER_ZONE = 16;
const MINUTE_MS = 60_000;

/**
 * The calendar date an instant falls on in the given zone. luxon's zone lookup (an Intl formatter per call)
 * was a tenth of a registration's CPU, so the day around the instant is remembered per zone — only a day whose
 * offset is the same at its first and last millisecond, where the date follows from the offset alone; days with
 * a transition ask luxon every time.
 */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  assertInstant(instant);
  const t = instant.getTime();
  const windows = DAY_WINDOWS.get(timeZone);
  if (windows) {
    for (const w of windows) if (t >= w.start && t < w.end) return w.date;
  }
  const zone = assertTimeZone(timeZone);
  const dt = DateTime.fromMillis(t, { zone });
  const date = dt.toISODate() as string;
  const start = toEpochDay(date) * DAY_MS - dt.offset * MINUTE_MS;
  const end = start + DAY_MS;
  // The window is kept only if luxon agrees at both its edges and just outside them (rare: a cache miss).
  const at = (ms: number) => DateTime.fromMillis(ms, { zone });
  const [first, last] = [at(start), at(end - 1)];
  if (
    first.offset === dt.offset &&
    last.offset === dt.offset &&
    first.toISODate() === date &&
    last.toISODate() === date &&
    at(start - 1).toISODate() !== date &&
    at(end).toISODate() !== date
  ) {
    const list = windows ?? [];
    if (list.length >= WINDOWS_PER_ZONE) list.shift();
    list.push({ start, end, date });
    if (!windows) DAY_WINDOWS.set(timeZone, list);
  }
  return date;
}

/** First instant of a local date in the zone. */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  assertLocalDate(date);
  return DateTime.fromISO(date, { zone: assertTimeZone(timeZone) })
    .startOf('day')
    .toJSDate();
}

/** Last millisecond of a local date in the zone (start of the next local day minus 1 ms). */
export function endOfLocalDay(date: LocalDate, timeZone: string): Date {
  // Every registration asks for a handful of day ends over the same few dates and zones: remember them.
  const key = `${timeZone}|${date}`;
  let end = END_OF_DAY.get(key);
  if (end === undefined) {
    end = startOfLocalDay(addCalendarDays(date, 1), timeZone).getTime() - 1;
    remember(END_OF_DAY, key, end);
  }
  return new Date(end);
}

const END_OF_DAY = new Map<string, number>();

/** The instant of a local wall-clock time ('HH:mm') on a local date in the zone. */
export function instantAt(date: LocalDate, time: string, timeZone: string): Date {
  // The working-time walks ask for every day's opening and closing: luxon once per (zone, date, time).
  const key = `${timeZone}|${date}T${time}`;
  let at = INSTANTS.get(key);
  if (at === undefined) {
    assertLocalDate(date);
    const dt = DateTime.fromISO(`${date}T${time}`, { zone: assertTimeZone(timeZone) });
    if (!dt.isValid) {
      throw new DeadlineRuleError('invalid-working-hours', `Некорректное местное время: ${time}`);
    }
    at = dt.toMillis();
    remember(INSTANTS, key, at);
  }
  return new Date(at);
}

const INSTANTS = new Map<string, number>();
