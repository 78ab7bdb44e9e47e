import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope, appealScopeSql } from '@inbox/access';
import { queryOne } from '@inbox/database';
import { type Db } from './db';

export interface AnswerTemplateView {
  id: string;
  organisationId: string | null;
  topicId: string | null;
  title: string;
  body: string;
  /** A deactivated template stays for the answers made from it but is offered no more. */
  active: boolean;
}

/** Why a template is offered among the first for an appeal: its topic, or words of its subject; null: the rest. */
export type AnswerTemplateMatch = 'topic' | 'subject' | null;

export interface AnswerTemplateForAppeal extends AnswerTemplateView {
  match: AnswerTemplateMatch;
}

export interface AnswerTemplateChange {
  title?: string;
  body?: string;
  topicId?: string | null;
  active?: boolean;
}

const VIEW = `id, organisation_id AS "organisationId", topic_id AS "topicId", title, body, active`;

/** Answer templates per organisation (or common) and topic (`answer_templates`). */
@Injectable()
export class AnswerTemplatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Templates an organisation may use: its own and the common ones, for a topic when given; the active ones
   * only unless asked for all (the administration's list), the active first.
   */
  async usableBy(
    organisationId: string,
    topicId: string | null,
    includeInactive = false,
  ): Promise<AnswerTemplateView[]> {
    return (await this.dataSource.query(
      `SELECT ${VIEW} FROM answer_templates
        WHERE ($3 OR active) AND (organisation_id IS NULL OR organisation_id = $1)
          AND ($2::uuid IS NULL OR topic_id IS NULL OR topic_id = $2::uuid)
        ORDER BY active DESC, topic_id NULLS LAST, title`,
      [organisationId, topicId, includeInactive],
    )) as AnswerTemplateView[];
  }

  /**
   * The templates an organisation may use (active), ranked for an appeal within the scope: first those of its
   * topic or subtopic (the subtopic's first), then those whose words (title, or text without its placeholders)
   * match its subject — the start of its text when it has none — then the rest: the common ones, then other
   * topics'. Within each, the better the words match, the higher, then by title. A word found in more than half
   * of the templates («обращение», «уважаемый») tells them apart no better than none, so it is not counted.
   * Undefined when the appeal does not exist or lies outside the scope.
   */
  async forAppeal(
    organisationId: string,
    appealId: string,
    scope: AccessScope,
  ): Promise<AnswerTemplateForAppeal[] | undefined> {
    const params: unknown[] = [appealId];
    const [appeal] = (await this.dataSource.query(
      `SELECT a.topic_id AS "topicId", a.subtopic_id AS "subtopicId",
              coalesce(nullif(btrim(a.subject), ''), left(a.text, 300)) AS words
         FROM appeals a WHERE a.id = $1 AND ${appealScopeSql(scope, params, 'a')}`,
      params,
    )) as { topicId: string | null; subtopicId: string | null; words: string | null }[];
    if (!appeal) return undefined;
    return (await this.dataSource.query(
      `WITH usable AS (
         SELECT t.*, setweight(to_tsvector('russian', t.title), 'A')
                  || setweight(to_tsvector('russian', regexp_replace(t.body, '[{][{][^}]*[}][}]', ' ', 'g')), 'C') AS doc
           FROM answer_templates t
          WHERE t.active AND (t.organisation_id IS NULL OR t.organisation_id = $1)
       ), words AS (
         SELECT DISTINCT to_tsquery('simple', lexeme) AS q FROM unnest(to_tsvector('russian', coalesce($4::text, '')))
          WHERE lexeme ~ '^[а-яёa-z][а-яёa-z0-9]+$' LIMIT 100
       ), telling AS (
         SELECT string_agg(w.q::text, ' | ')::tsquery AS q FROM words w
          WHERE (SELECT count(*) FROM usable u WHERE u.doc @@ w.q)
                <= greatest(1, (SELECT count(*) FROM usable) / 2)
       ), ranked AS (
         SELECT u.*, CASE WHEN x.q IS NULL THEN 0 ELSE ts_rank(u.doc, x.q) END AS words_rank,
                CASE WHEN u.topic_id IN ($2::uuid, $3::uuid) THEN 'topic'
                     WHEN x.q IS NOT NULL AND u.doc @@ x.q THEN 'subject' END AS match
           FROM usable u CROSS JOIN telling x
       )
       SELECT ${VIEW}, match FROM ranked
        ORDER BY match = 'topic' DESC NULLS LAST, match = 'subject' DESC NULLS LAST,
                 topic_id = $3::uuid DESC NULLS LAST, words_rank DESC, topic_id IS NULL DESC, title, id`,
      [organisationId, appeal.topicId, appeal.subtopicId, appeal.words],
    )) as AnswerTemplateForAppeal[];
  }

  async byId(id: string): Promise<AnswerTemplateView | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${VIEW} FROM answer_templates WHERE id = $1`, [
      id,
    ])) as AnswerTemplateView[];
    return row;
  }

  /** Changes the fields given (topicId null: for any topic); the template as it is now. */
  async update(id: string, change: AnswerTemplateChange): Promise<AnswerTemplateView> {
    const row = await queryOne<AnswerTemplateView>(
      this.dataSource.manager,
      `UPDATE answer_templates SET
          title = COALESCE($2, title), body = COALESCE($3, body),
          topic_id = CASE WHEN $4 THEN $5::uuid ELSE topic_id END,
          active = COALESCE($6, active), updated_at = now()
        WHERE id = $1 RETURNING ${VIEW}`,
      [
        id,
        change.title ?? null,
        change.body ?? null,
        change.topicId !== undefined,
        change.topicId ?? null,
        change.active ?? null,
      ],
    );
    return row!;
  }

  async create(template: {
    organisationId: string;
    topicId: string | null;
    title: string;
    body: string;
  }): Promise<string> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO answer_templates (organisation_id, topic_id, title, body) VALUES ($1, $2, $3, $4) RETURNING id`,
      [template.organisationId, template.topicId, template.title, template.body],
    )) as { id: string }[];
    return row.id;
  }

  /** The body of a template the organisation may use, or undefined. */
  async bodyFor(tx: Db, templateId: string, organisationId: string): Promise<string | undefined> {
    const [template] = (await tx.query(
      `SELECT body FROM answer_templates WHERE id = $1 AND active
         AND (organisation_id IS NULL OR organisation_id = $2)`,
      [templateId, organisationId],
    )) as { body: string }[];
    return template?.body;
  }
}
