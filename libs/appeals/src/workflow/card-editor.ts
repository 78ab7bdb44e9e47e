import { Injectable } from '@nestjs/common';
import {
  AppealsRepository,
  type ApplicantChanges,
  type LockedAppeal,
} from '../repositories/appeals.repository';
import { type ChangeContext } from './appeal-change';
import { normalisePhone } from './escalation-requirements';
import { leadsAppeal } from './rules';
import { WorkflowError } from './workflow-error';

/** Corrections to the card: the applicant's data (as staff heard or read it) and the subject. */
export interface CardChanges {
  subject?: string;
  applicant?: ApplicantChanges;
}

const trimmed = (v: string | undefined) => (v === undefined ? undefined : v.trim() || null);

/**
 * The applicant's contacts: an answer may go to them (a letter by post too), so changing them is not for everyone
 * who sees the card.
 */
const CONTACTS = ['phone', 'email', 'postalAddress'] as const;

export const CONTACTS_REFUSED =
  'Контакты заявителя (телефон, e-mail, почтовый адрес) меняют 1-я линия и ведущая обращение организация';

/**
 * Who may change the applicant's phone, e-mail or postal address: whoever leads the appeal (`leadsAppeal`). Never an
 * administrator (who does not handle personal data), nor a co-executing organisation.
 */
export const mayChangeContacts = leadsAppeal;

/** Applies card corrections inside a command's transaction, with one history event naming the fields. */
@Injectable()
export class CardEditor {
  constructor(private readonly appeals: AppealsRepository) {}

  async apply(
    { tx, record, actor }: Pick<ChangeContext, 'tx' | 'record' | 'actor'>,
    appeal: LockedAppeal,
    changes: CardChanges,
  ): Promise<string[]> {
    const fields: string[] = [];
    const applicant: ApplicantChanges = {};
    for (const [key, value] of Object.entries(changes.applicant ?? {}) as [
      keyof ApplicantChanges,
      string,
    ][]) {
      if (value === undefined) continue;
      const clean = trimmed(value);
      applicant[key] = key === 'phone' && clean ? normalisePhone(clean) : clean;
      fields.push(`applicant.${key}`);
    }
    const contactsChanged = await this.contactsChanged(tx, appeal, applicant);
    if (contactsChanged.length > 0 && !mayChangeContacts(actor, appeal.organisation_id))
      throw new WorkflowError('forbidden', CONTACTS_REFUSED);
    if (fields.length > 0) await this.appeals.updateApplicant(tx, appeal.applicant_id, applicant);
    // Where an answer may go changed: said in the history, without the old or new values (personal data).
    if (contactsChanged.length > 0) await record('contacts-changed', { fields: contactsChanged });
    const subject = trimmed(changes.subject);
    if (subject !== undefined && subject !== appeal.subject) {
      await this.appeals.update(tx, appeal.id, { subject });
      fields.push('subject');
    }
    // The history names what changed, not the personal data itself (it is in the card, under audit).
    if (fields.length > 0) {
      await record('card-updated', {
        fields,
        ...(fields.includes('subject') ? { subject: { from: appeal.subject, to: subject } } : {}),
      });
    }
    return fields;
  }

  /** The contacts `applicant` would change (the same value again is no change), as `applicant.phone` etc. */
  private async contactsChanged(
    tx: ChangeContext['tx'],
    appeal: LockedAppeal,
    applicant: ApplicantChanges,
  ): Promise<string[]> {
    if (!CONTACTS.some((key) => applicant[key] !== undefined)) return [];
    const current = await this.appeals.applicantOf(tx, appeal.applicant_id);
    const stored = { phone: current.phone, email: current.email, postalAddress: current.postal_address };
    return CONTACTS.filter((key) => applicant[key] !== undefined && applicant[key] !== stored[key]).map(
      (key) => `applicant.${key}`,
    );
  }
}
