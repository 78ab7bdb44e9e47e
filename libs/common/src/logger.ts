import { type LoggerService } from '@nestjs/common';

/**
 * Keys whose values are personal data (152-ФЗ) or secrets. Their values never reach a log line, however
 * deep they sit in the logged object.
 */
const REDACTED_KEYS = new Set(
  [
    'surname',
    'firstname',
    'patronymic',
    'name',
    'displayname',
    'fullname',
    'email',
    'phone',
    'postaladdress',
    'address',
    'text',
    'description',
    'subject',
    'password',
    'token',
    'secret',
    'authorization',
    'accesscode',
    'author',
    'applicant',
    'contentbase64',
    'snils',
  ].map((k) => k.toLowerCase()),
);

// Bounded parts (a local part is at most 64 characters, a domain label 63): unbounded, every start of a long
// word without @ scanned to its end — quadratic, 40 s for a 100 000-letter word in an appeal an admin opened.
// A bare address after @ is a connection URL's host (`postgres://postgres@127.0.0.1:5432`), which is not
// personal data and which an operator reading a start-up line needs; mail to an address is written `@[1.2.3.4]`.
const EMAIL = /[\w.+-]{1,64}@(?![\d.]{1,255}(?![\w.-]))[\w-]{1,63}\.[\w.-]+/g;
const PHONE = /(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b/g;
// СНИЛС as it is written («123-456-789 64», ПОС's form; a hyphen for the space too): eleven digits alone are any number.
const SNILS = /\b\d{3}-\d{3}-\d{3}[ \u00a0-]\d{2}\b/g;

/** What stands for a masked e-mail and phone: in the logs, and on a screen staff read (in Russian). */
interface Masks {
  email: string;
  phone: string;
  snils: string;
}
const LOG_MASKS: Masks = { email: '[email]', phone: '[phone]', snils: '[snils]' };
const SCREEN_MASKS: Masks = { email: '[e-mail скрыт]', phone: '[телефон скрыт]', snils: '[СНИЛС скрыт]' };

/** Masks personal data in free text too, in case a message or an error carries it. */
export function redactText(value: string, masks: Masks = LOG_MASKS): string {
  return value.replace(EMAIL, masks.email).replace(SNILS, masks.snils).replace(PHONE, masks.phone);
}

/**
 * Every string inside a value (arrays and objects, however deep) with phones and e-mails masked, for a screen:
 * an administrator reads «[телефон скрыт]» where the citizen wrote a number (the logs' «[phone]» was English on
 * a Russian screen).
 */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value, SCREEN_MASKS) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactStrings(item)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)])) as T;
  }
  return value;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return { error: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = REDACTED_KEYS.has(key.toLowerCase()) ? '[redacted]' : redact(inner, depth + 1);
    }
    return out;
  }
  return value;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;
type Level = LogLevel;

/** The process-wide level, set from the validated configuration (AppConfig.logLevel) when an app boots. */
let processLevel: Level = 'info';

export function setLogLevel(level: LogLevel): void {
  processLevel = level;
}

/** One JSON line per event on stdout; personal data redacted. Also serves as Nest's logger. */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly context = 'app',
    private readonly fixedLevel?: Level,
  ) {}

  /** Read when writing, so the level configured at boot applies to loggers made before it. */
  private get minLevel(): Level {
    return this.fixedLevel ?? processLevel;
  }

  child(context: string): JsonLogger {
    return new JsonLogger(context, this.fixedLevel);
  }

  write(level: Level, message: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    const line = {
      time: new Date().toISOString(),
      level,
      context: this.context,
      msg: redactText(message),
      ...(fields ? (redact(fields) as Record<string, unknown>) : {}),
    };
    process.stdout.write(JSON.stringify(line) + '\n');
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.nest('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.nest('debug', message, rest);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.nest('info', message, rest);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.nest('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.nest('error', message, rest);
  }

  private nest(level: Level, message: unknown, rest: unknown[]): void {
    const last = rest[rest.length - 1];
    const context = typeof last === 'string' ? last : undefined;
    const fields = rest.find((r) => r && typeof r === 'object') as Record<string, unknown> | undefined;
    const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
    this.write(level, text, { ...(context ? { ctx: context } : {}), ...(fields ?? {}) });
  }
}

export const rootLogger = new JsonLogger('inbox');
