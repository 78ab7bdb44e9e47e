import { Injectable } from '@nestjs/common';
import {
  AppealsRepository,
  type ApplicantChanges,
  type LockedAppeal,
} from '../repositories/appeals.repository';
import { type ChangeContext } from './appeal-change';
import { normalisePhone } from './escalation-requirements';

/** Corrections to the card: the applicant's data (as staff heard or read it) and the subject. */
export interface CardChanges {
  subject?: string;
  applicant?: ApplicantChanges;
}

const trimmed = (v: string | undefined) => (v === undefined ? undefined : v.trim() || null);

/** Applies card corrections inside a command's transaction, with one history event naming the fields. */
@Injectable()
export class CardEditor {
  constructor(private readonly appeals: AppealsRepository) {}

  async apply(
    { tx, record }: Pick<ChangeContext, 'tx' | 'record'>,
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
    if (fields.length > 0) await this.appeals.updateApplicant(tx, appeal.applicant_id, applicant);
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
}
