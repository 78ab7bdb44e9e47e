import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope } from '@inbox/access';
import { decodeCursor, encodeCursor } from '@inbox/common';
import { type Channel } from '@inbox/integrations/contract';
import { accessCodeMatches } from './access-code';
import { APPEAL_STATUS_TEXT_RU, type AppealStatus } from './appeal-status';

export interface AppealListFilter {
  status?: AppealStatus[];
  organisationId?: string;
  channel?: Channel;
  fastTrack?: boolean;
  dueBefore?: Date;
  dueAfter?: Date;
  /** Full-text search in Russian over subject, text and address. */
  q?: string;
  /** 'me' = the caller. */
  assigneeId?: string;
  /** A topic or subtopic id, or 'none' for the manual classification queue. */
  topicId?: string;
  /** Classification state; 'manual' = the manual classification queue (items nobody has classified yet). */
  classification?: 'pending' | 'auto' | 'manual' | 'confirmed';
  /** Open clock marks: 'overdue', or 'at-risk' and not (yet) overdue; at organisationId when given. */
  clock?: 'at-risk' | 'overdue';
  registeredAfter?: Date;
  registeredBefore?: Date;
  /** Exactly these appeals (a drill-down from a report). */
  ids?: string[];
  sort?: 'registered' | 'due';
  limit?: number;
  cursor?: string;
}

export interface AppealSummary {
  id: string;
  registrationNumber: string;
  registeredAt: Date;
  regime: string;
  channel: string;
  subject: string | null;
  excerpt: string;
  status: AppealStatus;
  fastTrack: boolean;
  organisationId: string;
  organisationName: string;
  answerDueDate: string;
  answerDueAt: Date;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('Некорректный курсор постраничного вывода');
  }
}

/** An appeal is visible to an organisation that holds or held it (responsible, escalated to, returned by). */
const SCOPE_CONDITION =
  'EXISTS (SELECT 1 FROM appeal_organisations so WHERE so.appeal_id = a.id AND so.organisation_id = ANY(?))';

const SUMMARY_COLUMNS = `a.id, a.registration_number, a.registered_at, a.regime, a.channel, a.subject,
  left(a.text, 200) AS excerpt, a.status, a.fast_track, a.organisation_id, o.short_name AS organisation_name,
  to_char(a.answer_due_date, 'YYYY-MM-DD') AS answer_due_date, a.answer_due_at`;

/** Read side of appeals: the staff list and card, and the citizen's status page. */
@Injectable()
export class AppealQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(
    filter: AppealListFilter,
    scope: AccessScope,
  ): Promise<{ items: AppealSummary[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scope.organisationIds !== null) add(SCOPE_CONDITION, scope.organisationIds);
    if (filter.status?.length) add('a.status = ANY(?)', filter.status);
    if (filter.organisationId) {
      add(
        'EXISTS (SELECT 1 FROM appeal_organisations ao WHERE ao.appeal_id = a.id AND ao.organisation_id = ?)',
        filter.organisationId,
      );
    }
    if (filter.channel) add('a.channel = ?', filter.channel);
    if (filter.fastTrack !== undefined) add('a.fast_track = ?', filter.fastTrack);
    if (filter.dueBefore) add('a.answer_due_at < ?', filter.dueBefore);
    if (filter.dueAfter) add('a.answer_due_at >= ?', filter.dueAfter);
    if (filter.q?.trim()) add(`a.search_vector @@ websearch_to_tsquery('russian', ?)`, filter.q.trim());
    if (filter.assigneeId)
      add('a.assignee_id = ?', filter.assigneeId === 'me' ? scope.userId : filter.assigneeId);
    if (filter.topicId === 'none') where.push('a.topic_id IS NULL');
    else if (filter.topicId) add('? IN (a.topic_id, a.subtopic_id)', filter.topicId);
    if (filter.classification === 'manual')
      where.push(`a.classification_state = 'manual' AND a.topic_id IS NULL`);
    else if (filter.classification) add('a.classification_state = ?', filter.classification);
    if (filter.registeredAfter) add('a.registered_at >= ?', filter.registeredAfter);
    if (filter.registeredBefore) add('a.registered_at < ?', filter.registeredBefore);
    if (filter.ids?.length) add('a.id = ANY(?)', filter.ids);
    if (filter.clock) {
      params.push(filter.organisationId ?? null);
      const mark = (kind: string) =>
        `EXISTS (SELECT 1 FROM clock_marks m WHERE m.appeal_id = a.id AND m.kind = '${kind}'
           AND ($${params.length}::uuid IS NULL OR m.organisation_id = $${params.length}::uuid))`;
      where.push(
        filter.clock === 'overdue' ? mark('overdue') : `${mark('at-risk')} AND NOT ${mark('overdue')}`,
      );
    }

    const sortColumn = filter.sort === 'due' ? 'a.answer_due_at' : 'a.registered_at';
    const direction = filter.sort === 'due' ? 'ASC' : 'DESC';
    if (filter.cursor) {
      const decoded = decodeCursor(filter.cursor);
      if (
        !decoded ||
        decoded.length !== 2 ||
        typeof decoded[0] !== 'string' ||
        typeof decoded[1] !== 'string'
      ) {
        throw new InvalidCursorError();
      }
      params.push(new Date(decoded[0]), decoded[1]);
      const op = direction === 'ASC' ? '>' : '<';
      where.push(`(${sortColumn}, a.id) ${op} ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM appeals a JOIN organisations o ON o.id = a.organisation_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${sortColumn} ${direction}, a.id ${direction} LIMIT $${params.length}`,
      params,
    )) as Record<string, unknown>[];
    const page = rows.slice(0, limit).map(toSummary);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor([
            (filter.sort === 'due' ? last.answerDueAt : last.registeredAt).toISOString(),
            last.id,
          ])
        : null;
    return { items: page, nextCursor };
  }

  /** The whole card, or undefined when it does not exist or lies outside the scope (the same answer). */
  async card(id: string, scope: AccessScope) {
    const scoped = scope.organisationIds !== null;
    const [row] = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, a.text, a.address, a.territory_code, a.channel_category, a.external_id,
              a.received_at, a.registration_due_at, a.redirect_due_at, a.extended, a.time_zone,
              a.deadline_warnings, a.calendar_version, a.topic_id, a.subtopic_id, a.typical_need, a.assignee_id,
              a.classification_state, a.classification_confidence, a.classifier_model_id,
              a.suggested_organisation_ids::text[] AS suggested_organisation_ids, a.incident_id,
              p.surname, p.first_name, p.patronymic, p.display_name, p.email, p.phone, p.postal_address
         FROM appeals a JOIN organisations o ON o.id = a.organisation_id JOIN applicants p ON p.id = a.applicant_id
        WHERE a.id = $1 ${scoped ? `AND ${SCOPE_CONDITION.replace('?', '$2')}` : ''}`,
      scoped ? [id, scope.organisationIds] : [id],
    )) as Record<string, unknown>[];
    if (!row) return undefined;
    const [organisations, events, attachments, flags] = await Promise.all([
      this.dataSource.query(
        `SELECT ao.organisation_id AS id, o.code, o.short_name AS name, ao.role, ao.assigned_at
           FROM appeal_organisations ao JOIN organisations o ON o.id = ao.organisation_id
          WHERE ao.appeal_id = $1 ORDER BY ao.assigned_at`,
        [id],
      ),
      this.dataSource.query(
        `SELECT id, type, actor, occurred_at, data FROM appeal_events WHERE appeal_id = $1 ORDER BY id`,
        [id],
      ),
      this.dataSource.query(
        `SELECT id, file_name, content_type, size, sha256, status, rejection_reason FROM attachments
          WHERE appeal_id = $1 ORDER BY created_at`,
        [id],
      ),
      // 59-ФЗ flags raised by classification, for a person to confirm or dismiss.
      this.dataSource.query(
        `SELECT id, flag, evidence, status, decided_by AS "decidedBy", decided_at AS "decidedAt", created_at AS "createdAt"
           FROM appeal_flags WHERE appeal_id = $1 ORDER BY created_at, flag`,
        [id],
      ),
    ]);
    return {
      ...toSummary(row),
      text: row.text as string,
      address: row.address as string | null,
      territoryCode: row.territory_code as string | null,
      channelCategory: row.channel_category,
      externalId: row.external_id as string,
      receivedAt: row.received_at as Date,
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
      classification: {
        state: row.classification_state as string,
        confidence: row.classification_confidence as number | null,
        modelId: row.classifier_model_id as string | null,
        suggestedOrganisationIds: row.suggested_organisation_ids as string[],
        incidentId: row.incident_id as string | null,
      },
      flags: flags as unknown[],
      applicant: {
        surname: row.surname,
        firstName: row.first_name,
        patronymic: row.patronymic,
        displayName: row.display_name,
        email: row.email,
        phone: row.phone,
        postalAddress: row.postal_address,
      },
      organisations: organisations as unknown[],
      attachments: (attachments as Record<string, unknown>[]).map((a) => ({
        id: a.id,
        fileName: a.file_name,
        contentType: a.content_type,
        size: a.size,
        sha256: a.sha256,
        status: a.status,
        rejectionReason: a.rejection_reason,
      })),
      history: (events as Record<string, unknown>[]).map((e) => ({
        id: String(e.id),
        type: e.type,
        actor: e.actor,
        occurredAt: e.occurred_at,
        data: e.data,
      })),
    };
  }

  /** The appeal id behind a number, when the private code matches. */
  async publicAppealId(registrationNumber: string, code: string): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, access_code_hash FROM appeals WHERE registration_number = $1`,
      [registrationNumber],
    )) as { id: string; access_code_hash: string }[];
    return row && accessCodeMatches(registrationNumber, code, row.access_code_hash) ? row.id : undefined;
  }

  /** What a citizen may see with their number and private code: status and dates, nothing personal. */
  async publicStatus(registrationNumber: string, code: string) {
    const [row] = (await this.dataSource.query(
      `SELECT id, registration_number, status, registered_at, to_char(answer_due_date, 'YYYY-MM-DD') AS due,
              access_code_hash FROM appeals WHERE registration_number = $1`,
      [registrationNumber],
    )) as Record<string, unknown>[];
    if (!row || !accessCodeMatches(registrationNumber, code, row.access_code_hash as string))
      return undefined;
    const events = (await this.dataSource.query(
      `SELECT type, occurred_at FROM appeal_events WHERE appeal_id = $1 ORDER BY id`,
      [row.id],
    )) as { type: string; occurred_at: Date }[];
    return {
      registrationNumber: row.registration_number as string,
      status: row.status as AppealStatus,
      statusText: APPEAL_STATUS_TEXT_RU[row.status as AppealStatus],
      registeredAt: row.registered_at as Date,
      answerDueDate: row.due as string,
      history: events
        .map((e) => ({ at: e.occurred_at, text: PUBLIC_EVENT_TEXT_RU[e.type] }))
        .filter((e): e is { at: Date; text: string } => !!e.text),
    };
  }
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
  closed: 'Рассмотрение завершено',
  redirected: 'Обращение направлено по компетенции',
  reopened: 'Обращение направлено на повторное рассмотрение',
};

function toSummary(r: Record<string, unknown>): AppealSummary {
  return {
    id: r.id as string,
    registrationNumber: r.registration_number as string,
    registeredAt: r.registered_at as Date,
    regime: r.regime as string,
    channel: r.channel as string,
    subject: r.subject as string | null,
    excerpt: r.excerpt as string,
    status: r.status as AppealStatus,
    fastTrack: r.fast_track as boolean,
    organisationId: r.organisation_id as string,
    organisationName: r.organisation_name as string,
    answerDueDate: r.answer_due_date as string,
    answerDueAt: r.answer_due_at as Date,
  };
}
