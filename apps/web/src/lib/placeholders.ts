/**
 * An answer template's substitutions as staff read and write them. Stored (and filled by the server,
 * libs/appeals answer-template.ts) as `{{applicantName}}`; shown in Russian as «[имя заявителя]», and a Russian
 * name typed or inserted in the text is stored as its code again. Only exact names convert, so what a person
 * types stays as long as it was (the cursor does not jump).
 */
export const PLACEHOLDERS = [
  { key: 'applicantName', name: 'имя заявителя', hint: 'имя и отчество заявителя' },
  { key: 'registrationNumber', name: 'номер обращения', hint: 'регистрационный номер обращения' },
  { key: 'registrationDate', name: 'дата регистрации', hint: 'дата регистрации обращения' },
  { key: 'organisation', name: 'организация', hint: 'организация, которая отвечает' },
  { key: 'answerDueDate', name: 'срок ответа', hint: 'срок ответа по обращению' },
] as const;

const BY_KEY = new Map<string, string>(PLACEHOLDERS.map((p) => [p.key, p.name]));
const BY_NAME = new Map<string, string>(PLACEHOLDERS.map((p) => [p.name, p.key]));

/** «[имя заявителя]»: how a substitution reads in the text. */
export function placeholderToken(name: string): string {
  return `[${name}]`;
}

/** A template's stored text as staff read it: each known `{{code}}` as its Russian name in brackets. */
export function shownTemplate(body: string): string {
  return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const name = BY_KEY.get(key);
    return name ? placeholderToken(name) : whole;
  });
}

/** What staff wrote, as stored: each «[имя заявителя]» (any letter case) as its `{{code}}`. */
export function storedTemplate(text: string): string {
  return text.replace(/\[([^\]\n]{1,40})\]/g, (whole, name: string) => {
    const key = BY_NAME.get(name.toLowerCase());
    return key ? `{{${key}}}` : whole;
  });
}

/**
 * `text` with `token` put in place of the selection [start, end) (the cursor when equal), and where the cursor
 * stands after it.
 */
export function insertToken(
  text: string,
  token: string,
  start: number,
  end = start,
): { text: string; cursor: number } {
  const before = text.slice(0, start);
  const after = text.slice(end);
  // A space between the token and a word it would otherwise stick to.
  const lead = before && !/\s$/.test(before) ? ' ' : '';
  const inserted = `${lead}${token}`;
  return { text: `${before}${inserted}${after}`, cursor: before.length + inserted.length };
}
