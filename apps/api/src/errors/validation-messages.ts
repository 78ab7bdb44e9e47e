import { type ValidationError } from 'class-validator';

const CYRILLIC = /[А-Яа-яЁё]/;

/** The number a class-validator default message names («…shorter than or equal to 100 characters»). */
const numberIn = (message: string): string => /-?\d+(?:\.\d+)?/.exec(message)?.[0] ?? '';

/**
 * class-validator's own words for each constraint, in Russian. Its defaults are English and name its internals
 * («property status should not exist», «surname must be shorter than or equal to 100 characters»), and they
 * reached citizens on the public form and clerks in the workspace.
 */
const RUSSIAN: Record<string, (message: string) => string> = {
  whitelistValidation: () => 'Такого поля нет',
  isString: () => 'Должно быть строкой',
  isUuid: () => 'Некорректный идентификатор',
  maxLength: (m) => `Не длиннее ${numberIn(m)} символов`,
  minLength: (m) => `Не короче ${numberIn(m)} символов`,
  isIn: () => 'Недопустимое значение',
  isEnum: () => 'Недопустимое значение',
  isInt: () => 'Должно быть целым числом',
  isNumber: () => 'Должно быть числом',
  min: (m) => `Не меньше ${numberIn(m)}`,
  max: (m) => `Не больше ${numberIn(m)}`,
  isBoolean: () => 'Должно быть true или false',
  isDateString: () => 'Укажите дату и время в формате ISO 8601',
  isIso8601: () => 'Укажите дату и время в формате ISO 8601',
  isEmail: () => 'Некорректный адрес электронной почты',
  isArray: () => 'Должно быть списком',
  arrayMaxSize: (m) => `Не больше ${numberIn(m)} элементов`,
  arrayMinSize: (m) => `Не меньше ${numberIn(m)} элементов`,
  isNotEmpty: () => 'Обязательное поле',
  isDefined: () => 'Обязательное поле',
  isObject: () => 'Должно быть объектом',
};

/** A constraint's message as a citizen or a clerk reads it: the DTO's own Russian words, else ours. */
export function russianMessage(constraint: string, message: string): string {
  if (CYRILLIC.test(message)) return message;
  return RUSSIAN[constraint]?.(message) ?? 'Некорректное значение';
}

/** The constraints that say a value is missing: what to tell of a field not sent at all. */
const PRESENCE = ['isDefined', 'isNotEmpty', 'isString'];

/**
 * Validation errors by field path (`applicant.phone`), one Russian message each. A field not sent fails all its
 * constraints, and class-validator lists the last declared first: «ФИО — не длиннее 200 символов» for a name
 * never given. Its presence constraint («Укажите ФИО») speaks for it then.
 */
export function validationErrors(errors: ValidationError[], prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const key = prefix ? `${prefix}.${e.property}` : e.property;
    const all = Object.entries(e.constraints ?? {});
    const missing = e.value === undefined || e.value === null;
    const first = (missing && all.find(([name]) => PRESENCE.includes(name))) || all[0];
    if (first) out[key] = russianMessage(first[0], first[1]);
    if (e.children?.length) Object.assign(out, validationErrors(e.children, key));
  }
  return out;
}
