import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db } from './db';

export interface AnswerTemplateView {
  id: string;
  organisationId: string | null;
  topicId: string | null;
  title: string;
  body: string;
}

/** Answer templates per organisation (or common) and topic (`answer_templates`). */
@Injectable()
export class AnswerTemplatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Active templates an organisation may use: its own and the common ones, for a topic when given. */
  async usableBy(organisationId: string, topicId: string | null): Promise<AnswerTemplateView[]> {
    return (await this.dataSource.query(
      `SELECT id, organisation_id AS "organisationId", topic_id AS "topicId", title, body FROM answer_templates
        WHERE active AND (organisation_id IS NULL OR organisation_id = $1)
          AND ($2::uuid IS NULL OR topic_id IS NULL OR topic_id = $2::uuid)
        ORDER BY topic_id NULLS LAST, title`,
      [organisationId, topicId],
    )) as AnswerTemplateView[];
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
