/** Values a template may use, e.g. «Уважаемый(ая) {{applicantName}}! По обращению № {{registrationNumber}}…». */
export interface TemplateValues {
  applicantName: string;
  registrationNumber: string;
  registrationDate: string;
  organisation: string;
  answerDueDate: string;
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Fills known placeholders; an unknown one is left visible so the clerk sees it before approving. */
export function renderTemplate(body: string, values: TemplateValues): string {
  return body.replace(PLACEHOLDER, (whole, key: string) =>
    key in values ? String(values[key as keyof TemplateValues]) : whole,
  );
}

/** How to address the applicant: «Иван Петрович» when we know the name and patronymic, else what we have. */
export function addressName(a: {
  surname?: string | null;
  first_name?: string | null;
  patronymic?: string | null;
  display_name?: string | null;
}): string {
  if (a.first_name && a.patronymic) return `${a.first_name} ${a.patronymic}`;
  const full = [a.surname, a.first_name].filter(Boolean).join(' ');
  return full || a.display_name || 'заявитель';
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
const PLACEHOLDER_NAMES: Record<keyof TemplateValues, string> = {
  applicantName: 'имя заявителя',
  registrationNumber: 'рег. номер',
  registrationDate: 'дата регистрации',
  organisation: 'организация',
  answerDueDate: 'срок ответа',
};

/**
 * A template's excerpt (the body cut to a length, or a search's fragments joined by « ... ») as staff read it:
 * each placeholder filled from the appeal's `values`, or without them named in Russian («[имя заявителя]»); one
 * the cut split («…рассматривается {{organisa») is left out, never shown as its code.
 */
export function previewExcerpt(excerpt: string, values?: TemplateValues): string {
  return excerpt
    .split(' ... ')
    .map((fragment) =>
      fragment
        .replace(PLACEHOLDER, (whole, key: string) =>
          key in PLACEHOLDER_NAMES
            ? values
              ? String(values[key as keyof TemplateValues])
              : `[${PLACEHOLDER_NAMES[key as keyof TemplateValues]}]`
            : whole,
        )
        .replace(/\{\{?\s*\w*\s*\}?$/, '…')
        .replace(/^\s*\w*\s*\}\}?/, '…'),
    )
    .join(' ... ');
}
