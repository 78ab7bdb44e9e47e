/*
 * The appeal's registration number in the subjects of the letters we send, and read back from a citizen's reply.
 * Some clients (a phone's mail app, web mail answering from another folder, a citizen who copies our subject into
 * a new letter) drop In-Reply-To and References: the subject is then all that ties the reply to its appeal.
 */

// «Re:», «RE[2]:», «Fwd:», «Fw:», «Отв:», «Ответ:», «AW:», «SV:», «WG:», «TR:», «Пересл:», one or more of them.
const PREFIXES =
  /^\s*(?:(?:re|fwd?|aw|sv|wg|tr|отв|ответ|пересл|переслано|на)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+/i;
// Our numbers: the year, a dash, at least six digits (RegistrationRepository's numbering).
const NUMBER = /№\s*(\d{4}-\d{6,})(?!\d)/;

/** Longest subject we write: a citizen's long subject is cut so the number after it stays in sight. */
export const MAX_SUBJECT_CHARS = 200;

/**
 * The subject with « [№ <number>]» after it, unless it names the number already; a subject longer than
 * MAX_SUBJECT_CHARS is cut at a word, with «…», so the number is never the part a client hides.
 */
export function numberedSubject(subject: string, registrationNumber: string | undefined): string {
  const clean = subject.replace(/\s+/g, ' ').trim();
  if (!registrationNumber) return cut(clean, MAX_SUBJECT_CHARS);
  if (clean.replace(/№\s*/g, '№ ').includes(`№ ${registrationNumber}`)) return cut(clean, MAX_SUBJECT_CHARS);
  const suffix = ` [№ ${registrationNumber}]`;
  return `${cut(clean, MAX_SUBJECT_CHARS - suffix.length)}${suffix}`;
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  return `${(space > max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

/**
 * The registration number a reply's subject names: «Re: Яма у дома [№ 2026-000123]», «Отв: Ответ на обращение
 * № 2026-000123». Only a reply or a forward (a prefix first): a new letter that mentions an earlier number
 * («повторно, ранее № …») is registered as a new appeal, as a repeated appeal is.
 */
export function registrationNumberOfReply(subject: string | undefined): string | undefined {
  if (!subject || !PREFIXES.test(subject)) return undefined;
  return NUMBER.exec(subject)?.[1];
}
