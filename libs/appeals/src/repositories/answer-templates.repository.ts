import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
