/** One side of a join: an appeal's applicant as the join compares them, and the card shows them side by side. */
export interface JoinApplicant {
  appealId: string;
  registrationNumber: string;
  channel: string;
  applicantId: string;
  surname: string | null;
  firstName: string | null;
  patronymic: string | null;
  displayName: string | null;
  phone: string | null;
  email: string | null;
  /** The appeal's conversations in its channels ('channel thread_key'): a chat, a dialogue. */
  threads: string[];
}

/** What the two applicants have in common, and what differs. */
export interface ApplicantComparison {
  /**
   * Nothing ties the two to one person: no common phone, e-mail or conversation, not one applicant record, and
   * not the same surname. A join then needs its clerk's explicit confirmation (a mistyped number).
   */
  differentApplicant: boolean;
  /** What differs, in Russian, for the refusal and the dialog: «фамилия», «телефон», «эл. почта», «переписка». */
  differs: string[];
}

const phoneKey = (phone: string | null): string | null => {
  let digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  if (digits.length === 10) digits = `7${digits}`;
  return digits.length >= 6 ? digits : null;
};
const emailKey = (email: string | null): string | null => email?.trim().toLowerCase() || null;
const surnameKey = (surname: string | null): string | null =>
  surname?.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ') || null;

/**
 * Whether the later appeal's applicant can be the earlier's: the same person writing twice, through two channels,
 * may give other contacts, so any one thing in common will do — one applicant record, a phone (any formatting), an
 * e-mail (any case), a conversation, or the surname (ё as е). With none of them, the applicants plainly differ,
 * and `differs` names what was compared and did not match (each field known on both sides and different, or
 * known on one side only).
 */
export function compareApplicants(later: JoinApplicant, earlier: JoinApplicant): ApplicantComparison {
  if (later.applicantId === earlier.applicantId) return { differentApplicant: false, differs: [] };
  const fields: [string, string | null, string | null][] = [
    ['фамилия', surnameKey(later.surname), surnameKey(earlier.surname)],
    ['телефон', phoneKey(later.phone), phoneKey(earlier.phone)],
    ['эл. почта', emailKey(later.email), emailKey(earlier.email)],
  ];
  const common = fields.some(([, a, b]) => a !== null && a === b);
  const threads = new Set(later.threads);
  const sameConversation = earlier.threads.some((t) => threads.has(t));
  if (common || sameConversation) return { differentApplicant: false, differs: [] };
  const differs = fields.filter(([, a, b]) => a !== null || b !== null).map(([name]) => name);
  if (later.threads.length > 0 && earlier.threads.length > 0) differs.push('переписка');
  return { differentApplicant: true, differs };
}

/** The refusal of a join whose applicants plainly differ, naming what differs. */
export function differentApplicantRu(later: string, earlier: string, differs: string[]): string {
  const list =
    differs.length > 1 ? `${differs.slice(0, -1).join(', ')} и ${differs[differs.length - 1]}` : differs[0];
  const what = list
    ? `${differs.length > 1 ? 'не совпадают' : 'не совпадает'} ${list}`
    : 'нет ни фамилии, ни контактов';
  return (
    `Заявители обращений № ${later} и № ${earlier}, похоже, разные люди: ${what}. ` +
    'Сверьте номер; если это один и тот же человек (написал через разные каналы), подтвердите объединение'
  );
}
