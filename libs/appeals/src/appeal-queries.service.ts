import { Injectable } from '@nestjs/common';
import { type AccessScope } from '@inbox/access';
import { countRu, type PersonNames } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { channelCarriesFiles } from '@inbox/integrations/contract';
import { accessCodeMatches } from './access-code';
import { extensionHistoryRu, joinedHistoryRu, redirectionHistoryRu } from './applicant-texts';
import { CITIZEN_STATUS_TEXT_RU, type AppealStatus } from './appeal-status';
import {
  type AppealByNumber,
  type AppealListFilter,
  type AppealListItem,
  AppealsRepository,
  toSummary,
} from './repositories/appeals.repository';
import { AnswersRepository } from './repositories/answers.repository';
import { AppealPartsRepository } from './repositories/appeal-parts.repository';
import { AttachmentsRepository } from './repositories/attachments.repository';
import { AppealNotesRepository } from './repositories/notes.repository';
import { AppealHistoryRepository } from './repositories/history.repository';
import { joinRefusal, sourceJoinRefusal } from './workflow/commands/join.command';
import { escalationMissing } from './workflow/escalation-requirements';
import { compareApplicants, type JoinApplicant } from './workflow/join-applicants';
import { isRegistrationNumber } from './registration-number';

/**
 * What the clerk reads beside an answer's files where the appeal's channel cannot carry them (OK): told while the
 * answer is a draft, where files are attached, that the files go as a personal link (PublicAnswerLinks, 'files').
 */
export function filesNotCarriedStaffRu(linkDays: number): string {
  return (
    'Одноклассники не передают файлы: заявитель получит текст ответа и личную ссылку, по которой скачает ' +
    `файлы этого ответа. Ссылка действует ${countRu(linkDays, 'день', 'дня', 'дней')}.`
  );
}

/** Read side of appeals: the staff list and card, and the citizen's status page. */
@Injectable()
export class AppealQueries {
  constructor(
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly history: AppealHistoryRepository,
    private readonly attachmentRows: AttachmentsRepository,
    private readonly answerRows: AnswersRepository,
    private readonly noteRows: AppealNotesRepository,
    private readonly config: AppConfig,
  ) {}

  list(
    filter: AppealListFilter,
    scope: AccessScope,
  ): Promise<{ items: AppealListItem[]; nextCursor: string | null }> {
    return this.appeals.list(filter, scope);
  }

  /**
   * The number of appeals the filter selects in the scope (a queue's count, an export's total); a search's only
   * up to a cap (`capped`: more match).
   */
  count(filter: AppealListFilter, scope: AccessScope): Promise<{ total: number; capped: boolean }> {
    return this.appeals.count(filter, scope);
  }

  /** Each appeal's applicant's names, by appeal id (an administrator's rows mask them). */
  applicantNames(appealIds: string[]): Promise<Map<string, PersonNames>> {
    return this.appeals.applicantNames(appealIds);
  }

  /** The whole card, or undefined when it does not exist or lies outside the scope (the same answer). */
  async card(id: string, scope: AccessScope) {
    const row = await this.appeals.cardRow(id, scope);
    if (!row) return undefined;
    const [organisations, history, attachments, flags, writable] = await Promise.all([
      this.parts.forCard(id),
      this.history.forAppeal(id),
      this.attachmentRows.forAppeal(id),
      this.appeals.flags(id, scope),
      this.parts.writableIn(id, scope.organisationIds),
    ]);
    const summary = toSummary(row);
    return {
      ...summary,
      text: row.text as string,
      address: row.address as string | null,
      territoryCode: row.territory_code as string | null,
      channelCategory: row.channel_category,
      externalId: row.external_id as string,
      receivedAt: row.received_at as Date,
      personalDataErasedAt: row.personal_data_erased_at as Date | null,
      timeZone: row.time_zone as string,
      deadlines: {
        registrationDueAt: row.registration_due_at as Date,
        redirectDueAt: row.redirect_due_at as Date,
        answerDueDate: row.answer_due_date as string,
        answerDueAt: row.answer_due_at as Date,
        extended: row.extended as boolean,
        warnings: row.deadline_warnings,
        calendarVersion: row.calendar_version as string,
      },
      topicId: row.topic_id as string | null,
      subtopicId: row.subtopic_id as string | null,
      typicalNeed: row.typical_need as string | null,
      assigneeId: row.assignee_id as string | null,
      assigneeName: row.assignee_name as string | null,
      classification: {
        state: row.classification_state as string,
        confidence: row.classification_confidence as number | null,
        modelId: row.classifier_model_id as string | null,
        suggestedOrganisationIds: row.suggested_organisation_ids as string[],
        incidentId: row.incident_id as string | null,
        incidentNumber: row.incident_number as number | null,
      },
      flags,
      applicant: {
        surname: row.surname as string | null,
        firstName: row.first_name as string | null,
        patronymic: row.patronymic as string | null,
        displayName: row.display_name as string | null,
        email: row.email,
        phone: row.phone,
        postalAddress: row.postal_address,
        snils: row.snils,
      },
      /** What a line-2 request still lacks, by field, with the prompt: the card asks for it before escalation. */
      escalationRequires: escalationMissing(row.topic_id as string | null, row.subject as string | null, {
        firstName: row.first_name as string | null,
        patronymic: row.patronymic as string | null,
        phone: row.phone as string | null,
      }),
      /** Each organisation's part: its clerk, clock, state and answer time. */
      organisations,
      /**
       * readOnly: the caller's organisation returned its part or had it closed: it sees the appeal without
       * the applicant's personal data and can change nothing.
       */
      access: { readOnly: !writable },
      answerFilesNotice: channelCarriesFiles(summary.channel)
        ? null
        : filesNotCarriedStaffRu(this.config.ratingLinkDays),
      attachments,
      history,
    };
  }

  /** The answers of an appeal within the scope (drafts, approved, sent); undefined when out of scope. */
  async answers(appealId: string, scope: AccessScope) {
    if (!(await this.appeals.existsInScope(appealId, scope))) return undefined;
    return this.answerRows.forAppeal(appealId);
  }

  /** What the appeal could be joined into (the same appeal sent earlier); undefined when out of scope. */
  async joinCandidates(appealId: string, scope: AccessScope) {
    if (!(await this.appeals.existsInScope(appealId, scope))) return undefined;
    const [me, rows] = await Promise.all([
      this.appeals.joinSource(appealId),
      this.appeals.joinCandidates(appealId, scope),
    ]);
    if (!me) return undefined;
    // Why each one cannot take the join, as the command would refuse it (null: it can); the flag's appeal is
    // offered whatever its state, so the screen says why, instead of a button the api refuses.
    const source = sourceJoinRefusal(me);
    return rows.map(({ joined_into_id, joined_into_number, ...c }) => ({
      ...c,
      refusal:
        source ??
        joinRefusal(
          {
            ...c,
            registration_number: c.registrationNumber,
            registered_at: c.registeredAt,
            joined_into_id,
            joined_into_number,
          },
          me,
        ) ??
        null,
    }));
  }

  /**
   * The two applicants of a join side by side — this appeal's and that of `intoNumber` — with what they have in
   * common (compareApplicants), for the clerk to see before the join; `into` null when no appeal of that number
   * lies within the scope. Undefined when this appeal is out of scope or the caller may not read its applicant
   * (their organisation returned its part): as the card.
   */
  async joinPreview(appealId: string, intoNumber: string | undefined, scope: AccessScope) {
    if (!(await this.appeals.existsInScope(appealId, scope))) return undefined;
    if (!(await this.personalDataVisible(appealId, scope))) return undefined;
    const number = (intoNumber ?? '').trim().replace(/^№\s*/u, '');
    const intoId = isRegistrationNumber(number)
      ? await this.appeals.idByNumberInScope(number, scope)
      : undefined;
    const visible = intoId && intoId !== appealId && (await this.personalDataVisible(intoId, scope));
    const sides = await this.appeals.joinApplicants(visible ? [appealId, intoId] : [appealId]);
    const applicant = sides.find((s) => s.appealId === appealId)!;
    const into = visible ? sides.find((s) => s.appealId === intoId) : undefined;
    const side = (s: JoinApplicant) => ({
      registrationNumber: s.registrationNumber,
      channel: s.channel,
      surname: s.surname,
      firstName: s.firstName,
      patronymic: s.patronymic,
      displayName: s.displayName,
      phone: s.phone,
      email: s.email,
    });
    const compared = into ? compareApplicants(applicant, into) : { differentApplicant: false, differs: [] };
    return { applicant: side(applicant), into: into ? side(into) : null, ...compared };
  }

  /** Staff's internal notes on an appeal within the scope; undefined when out of scope. */
  async notes(appealId: string, scope: AccessScope) {
    if (!(await this.appeals.existsInScope(appealId, scope))) return undefined;
    return this.noteRows.forAppeal(appealId);
  }

  /** An attachment's content when its appeal lies within the scope and the caller's part is not closed. */
  async attachmentContent(appealId: string, attachmentId: string, scope: AccessScope) {
    if (!(await this.parts.writableIn(appealId, scope.organisationIds))) return undefined;
    return this.attachmentRows.contentInScope(appealId, attachmentId, scope);
  }

  /**
   * Whether the scope may read the appeal's applicant — their names and contacts, the address, notes, answers and
   * files: not an organisation that returned its part or had it closed (the card's readOnly), which reads the
   * appeal without them.
   */
  personalDataVisible(appealId: string, scope: AccessScope): Promise<boolean> {
    return this.parts.writableIn(appealId, scope.organisationIds);
  }

  /**
   * An answer file's content when the appeal lies within the scope and the caller's part is not closed (as the
   * appeal's own files); undefined otherwise.
   */
  async answerFileContent(appealId: string, answerId: string, fileId: string, scope: AccessScope) {
    if (!(await this.appeals.existsInScope(appealId, scope))) return undefined;
    if (!(await this.personalDataVisible(appealId, scope))) return undefined;
    return this.answerRows.fileContent(appealId, answerId, fileId, false);
  }

  /** A file of a sent answer, for the citizen with their number and private code. */
  async publicAnswerFile(registrationNumber: string, code: string, answerId: string, fileId: string) {
    const id = await this.publicAppealId(registrationNumber, code);
    return id ? this.answerRows.fileContent(id, answerId, fileId, true) : undefined;
  }

  private codeMatches(row: AppealByNumber, code: string): boolean {
    const appeal = { id: row.id, registrationNumber: row.registration_number };
    return accessCodeMatches(this.config.accessCodeKey, appeal, code, row.access_code_hash);
  }

  /** The appeal id behind a number, when the private code matches. */
  async publicAppealId(registrationNumber: string, code: string): Promise<string | undefined> {
    const row = await this.appeals.byRegistrationNumber(registrationNumber);
    return row && this.codeMatches(row, code) ? row.id : undefined;
  }

  /** What a citizen may see with their number and private code: status and dates, nothing personal. */
  async publicStatus(registrationNumber: string, code: string) {
    const row = await this.appeals.byRegistrationNumber(registrationNumber);
    if (!row || !this.codeMatches(row, code)) return undefined;
    const [events, answers] = await Promise.all([
      this.history.forAppeal(row.id),
      this.answerRows.sentForCitizen(row.id),
    ]);
    return {
      registrationNumber: row.registration_number,
      status: row.status,
      statusText: CITIZEN_STATUS_TEXT_RU[row.status as AppealStatus],
      registeredAt: row.registered_at,
      answerDueDate: row.due,
      /** The zone the page reads the instants in, as staff screens do, not the browser's. */
      timeZone: row.time_zone,
      history: events
        // An answer held for a combined answer is news only when that goes out (its own «Дан ответ»).
        .filter((e) => !(e.type === 'answered' && isHeldAnswer(e.data)))
        .map((e) => ({ at: e.occurredAt, text: publicEventTextRu(e.type, e.data) }))
        .filter((e): e is { at: Date; text: string } => !!e.text),
      /** Every answer given, each organisation's as it came: the form's applicant reads them here. */
      answers,
    };
  }
}

function isHeldAnswer(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'heldForCombinedAnswer' in data;
}

/**
 * An event as the citizen reads it in the status page's history. An extension says the new last day and why, a
 * redirection where the appeal went and who answers now, as their notices said (59-ФЗ ст. 12 ч. 2, ст. 8 ч. 3):
 * the form's citizen without an e-mail gets no notice, and «Срок рассмотрения продлён» alone told them neither.
 */
function publicEventTextRu(type: string, data: unknown): string | undefined {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (type === 'extended') return extensionHistoryRu(d.answerDueDate, d.reason);
  if (type === 'redirected') return redirectionHistoryRu(d.body);
  if (type === 'joined') return joinedHistoryRu(d.intoRegistrationNumber, d.fromRegistrationNumber);
  return PUBLIC_EVENT_TEXT_RU[type];
}

/** Events a citizen is told about, in their words; internal ones stay internal. */
const PUBLIC_EVENT_TEXT_RU: Record<string, string> = {
  received: 'Обращение поступило',
  registered: 'Обращение зарегистрировано',
  'follow-up-received': 'Получено дополнение к обращению',
  escalated: 'Обращение передано в профильный орган',
  rated: 'Получена оценка ответа',
  'status-changed': 'Статус обращения изменён',
  extended: 'Срок рассмотрения продлён',
  answered: 'Дан ответ',
  'combined-answer-sent': 'Дан ответ',
  closed: 'Рассмотрение завершено',
  redirected: 'Обращение направлено по компетенции',
  reopened: 'Обращение направлено на повторное рассмотрение',
};
