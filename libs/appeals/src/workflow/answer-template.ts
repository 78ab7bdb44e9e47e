/** Values a template may use, e.g. «Уважаемый(ая) {{applicantName}}! По обращению № {{registrationNumber}}…». */
export interface TemplateValues {
  applicantName: string;
  registrationNumber: string;
  registrationDate: string;
  organisation: string;
  answerDueDate: string;
  /**
   * How a neutral «Уважаемый(ая)» before {{applicantName}} reads for this applicant («Уважаемая» when the
   * patronymic tells); absent where it can't be told, and the neutral form stays. Not a placeholder.
   */
  greeting?: Greeting;
}

export type Greeting = 'Уважаемый' | 'Уважаемая';

type PlaceholderKey = Exclude<keyof TemplateValues, 'greeting'>;

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** «Уважаемый(ая)» / «Уважаемый(-ая)» right before the applicant's name. */
const NEUTRAL_GREETING = /Уважаемый\s*\(\s*-?\s*ая\s*\)(?=\s*\{\{\s*applicantName\s*\}\})/g;

/** A template's neutral greeting made the applicant's own, where their patronymic tells which it is. */
function greet(body: string, values: TemplateValues): string {
  return values.greeting ? body.replace(NEUTRAL_GREETING, values.greeting) : body;
}

/** Fills known placeholders; an unknown one is left visible so the clerk sees it before approving. */
export function renderTemplate(body: string, values: TemplateValues): string {
  return greet(body, values).replace(PLACEHOLDER, (whole, key: string) =>
    isPlaceholder(key) ? String(values[key]) : whole,
  );
}

interface ApplicantName {
  surname?: string | null;
  first_name?: string | null;
  patronymic?: string | null;
  display_name?: string | null;
}

/** How to address the applicant: «Иван Петрович» when we know the name and patronymic, else what we have. */
export function addressName(a: ApplicantName): string {
  if (a.first_name && a.patronymic) return `${a.first_name} ${a.patronymic}`;
  const full = [a.surname, a.first_name].filter(Boolean).join(' ');
  return full || a.display_name || 'заявитель';
}

/**
 * The greeting the patronymic tells (-вич/-ич, -оглы/-улы/-уулу: «Уважаемый»; -вна/-чна, -кызы/-гызы:
 * «Уважаемая»); none without a patronymic or with one it can't be told from.
 */
export function greetingFor(a: ApplicantName): Greeting | undefined {
  const patronymic = a.first_name ? a.patronymic?.trim().toLowerCase() : undefined;
  if (!patronymic) return undefined;
  if (/(вна|чна|кызы|гызы)$/.test(patronymic)) return 'Уважаемая';
  if (/(ич|оглы|улы|уулу)$/.test(patronymic)) return 'Уважаемый';
  return undefined;
}

/** The applicant's part of a template's values: the name to address them by and, where told, the greeting. */
export function applicantValues(a: ApplicantName): Pick<TemplateValues, 'applicantName' | 'greeting'> {
  const greeting = greetingFor(a);
  return { applicantName: addressName(a), ...(greeting ? { greeting } : {}) };
}

export function russianDate(value: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone,
  }).format(new Date(value));
}

/** The placeholders as a preview names them where there is no appeal to fill them from. */
export const PLACEHOLDER_NAMES: Record<PlaceholderKey, string> = {
  applicantName: 'имя заявителя',
  registrationNumber: 'рег. номер',
  registrationDate: 'дата регистрации',
  organisation: 'организация',
  answerDueDate: 'срок ответа',
};

/**
 * One of ours, not a name every object has: `in` let «{{constructor}}» or «{{toString}}» through, and the
 * citizen's answer read «function Object() { [native code] }».
 */
function isPlaceholder(key: string): key is PlaceholderKey {
  return Object.hasOwn(PLACEHOLDER_NAMES, key);
}

/**
 * A template's excerpt (the body cut to a length, or a search's fragments joined by « ... ») as staff read it:
 * each placeholder filled from the appeal's `values`, or without them named in Russian («[имя заявителя]»); one
 * the cut split («…рассматривается {{organisa») is left out, never shown as its code.
 */
export function previewExcerpt(excerpt: string, values?: TemplateValues): string {
  return excerpt
    .split(' ... ')
    .map((fragment) =>
      (values ? greet(fragment, values) : fragment)
        .replace(PLACEHOLDER, (whole, key: string) =>
          isPlaceholder(key) ? (values ? String(values[key]) : `[${PLACEHOLDER_NAMES[key]}]`) : whole,
        )
        .replace(/\{\{?\s*\w*\s*\}?$/, '…')
        .replace(/^\s*\w*\s*\}\}?/, '…'),
    )
    .join(' ... ');
}
