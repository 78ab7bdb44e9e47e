/** The applicant's fields the escalation request carries (S0 annex 1). */
export interface EscalationApplicant {
  firstName: string | null;
  patronymic: string | null;
  phone: string | null;
}

/**
 * What a line-2 request still lacks (S0 annex 1: number, date, topic, subject, the applicant's name,
 * patronymic and phone), by field, with the Russian prompt. The card shows it before escalation, so the
 * operator completes the card instead of being refused after the fact.
 */
export function escalationMissing(
  topicId: string | null | undefined,
  subject: string | null | undefined,
  applicant: EscalationApplicant,
): Record<string, string> {
  const missing: Record<string, string> = {};
  if (!topicId) missing.topicId = 'Укажите тему обращения';
  if (!subject?.trim()) missing.subject = 'Укажите суть вопроса';
  if (!applicant.firstName) missing['applicant.firstName'] = 'В карточке нет имени заявителя';
  if (!applicant.patronymic) missing['applicant.patronymic'] = 'В карточке нет отчества заявителя';
  if (!applicant.phone) missing['applicant.phone'] = 'В карточке нет телефона заявителя';
  return missing;
}

/** A phone as stored: digits with a leading +, a Russian 8XXXXXXXXXX as +7XXXXXXXXXX. */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) return `+7${digits.slice(1)}`;
  return phone.trim().startsWith('+') || digits.length === 11 ? `+${digits}` : digits;
}
