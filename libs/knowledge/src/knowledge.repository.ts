import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql, organisationScopeSql } from '@inbox/access';
import { type DigestWording, digestCtes, storeContentOnce, SUPERVISED_CTES } from '@inbox/appeals';
import { rowsOf } from '@inbox/common';
import { conditionAdder, type Db, queryCount, SqlRepository, whereClause } from '@inbox/database';
import { type OrganisationClock, type WorkingHours, zoneLabelSql } from '@inbox/deadlines';
import { indexedBody } from './knowledge-content';
import { KB_REQUEST_AT_RISK_HOURS, KB_REVIEW_AT_RISK_DAYS } from './knowledge-terms';
import {
  type ArticleContent,
  type ArticleKind,
  type ChangeRequestKind,
  type ChangeRequestOrigin,
  type ChangeRequestStatus,
  type ProposedArticle,
  type ProposedTopicSet,
} from './knowledge.types';

export interface OrganisationRow extends OrganisationClock {
  id: string;
  code: string;
  shortName: string;
  kind: string;
  parentId: string | null;
}

export interface SectionRow {
  id: string;
  organisationId: string;
  organisationName: string;
  topicId: string | null;
  topicName: string | null;
  title: string;
  description: string | null;
  responsibleUserId: string | null;
  responsibleName: string | null;
  createdAt: Date;
  lastReviewedAt: Date | null;
  lastReviewedByName: string | null;
  reviewDueAt: Date;
  articles: number;
}

/** What an edit of a section may change; a key left out keeps the stored value, null clears it. */
export interface SectionChanges {
  title?: string;
  description?: string | null;
  topicId?: string | null;
  responsibleUserId?: string | null;
}

export interface ArticleSummary {
  id: string;
  sectionId: string;
  sectionTitle: string;
  organisationId: string;
  organisationName: string;
  topicId: string | null;
  topicName: string | null;
  kind: ArticleKind;
  status: 'published' | 'archived';
  version: number;
  title: string;
  question: string | null;
  public: boolean;
  publishedAt: Date;
  uses: number;
}

export interface ArticleRow extends ArticleSummary, Omit<ArticleContent, 'kind' | 'title' | 'question'> {
  sectionReviewDueAt: Date;
  answeredOnTheSpot: number;
  linked: { id: string; title: string; kind: ArticleKind }[];
  linkedFrom: { id: string; title: string; kind: ArticleKind }[];
  attachments: { id: string; fileName: string; contentType: string; size: number }[];
}

export interface SearchHit extends ArticleSummary {
  body: string;
  excerpt: string;
  score: number;
  topicMatch: 'exact' | 'related' | 'none';
}

export interface SearchQuery {
  text: string;
  topicId?: string | null;
  /** Articles of this organisation get a small lift (the appeal's organisation or the topic's owner). */
  preferOrganisationId?: string | null;
  organisationId?: string | null;
  kinds?: readonly string[];
  /** Citizens: public FAQ of organisations that allow it. */
  publicOnly?: boolean;
  limit: number;
}

export interface RequestRow {
  id: string;
  number: string;
  organisationId: string;
  organisationName: string;
  sectionId: string | null;
  sectionTitle: string | null;
  articleId: string | null;
  articleTitle: string | null;
  kind: ChangeRequestKind;
  origin: ChangeRequestOrigin;
  status: ChangeRequestStatus;
  subject: string;
  details: string | null;
  proposed: ProposedArticle | ProposedTopicSet | null;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
  sendDueAt: Date;
  sentAt: Date | null;
  approvalDueAt: Date | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  decidedByName: string | null;
  decisionComment: string | null;
  publicationDueAt: Date | null;
  publishedAt: Date | null;
  publishedByName: string | null;
  publishedArticleId: string | null;
  publishedVersion: number | null;
  responsibleUserId: string | null;
  responsibleName: string | null;
  appealIds: string[];
}

/** A request as first stored: its own columns of RequestRow, and the appeal history event that raised it, if any. */
export type NewRequest = Pick<
  RequestRow,
  | 'organisationId'
  | 'sectionId'
  | 'articleId'
  | 'kind'
  | 'origin'
  | 'status'
  | 'subject'
  | 'details'
  | 'proposed'
  | 'createdBy'
  | 'createdAt'
  | 'sendDueAt'
  | 'sentAt'
  | 'approvalDueAt'
> & { sourceEventId?: string | null };

export interface RequestListFilter {
  scope: AccessScope;
  status?: ChangeRequestStatus[];
  origin?: ChangeRequestOrigin;
  organisationId?: string;
  appealId?: string;
  limit: number;
}

export interface AppealForKnowledge {
  id: string;
  registrationNumber: string;
  registeredAt: Date;
  status: string;
  line: number;
  channel: string;
  subject: string | null;
  text: string;
  topicId: string | null;
  subtopicId: string | null;
  organisationId: string;
  topicOwnerId: string | null;
  timeZone: string;
  answerDueDate: string;
}

/** A section as SectionRow, its responsible person falling back to the organisation's (kb_organisation_settings). */
const SECTION_SELECT = `SELECT s.id, s.organisation_id AS "organisationId", o.short_name AS "organisationName", s.topic_id AS "topicId",
              t.name AS "topicName", s.title, s.description,
              coalesce(s.responsible_user_id, st.responsible_user_id) AS "responsibleUserId",
              ru.full_name AS "responsibleName", s.created_at AS "createdAt", s.last_reviewed_at AS "lastReviewedAt",
              lu.full_name AS "lastReviewedByName", s.review_due_at AS "reviewDueAt",
              (SELECT count(*)::int FROM kb_articles k WHERE k.section_id = s.id AND k.status = 'published') AS articles
         FROM kb_sections s JOIN organisations o ON o.id = s.organisation_id
         LEFT JOIN topics t ON t.id = s.topic_id
         LEFT JOIN kb_organisation_settings st ON st.organisation_id = s.organisation_id
         LEFT JOIN users ru ON ru.id = coalesce(s.responsible_user_id, st.responsible_user_id)
         LEFT JOIN users lu ON lu.id = s.last_reviewed_by`;

const SUMMARY_COLUMNS = `k.id, k.section_id AS "sectionId", s.title AS "sectionTitle", k.organisation_id AS "organisationId",
  o.short_name AS "organisationName", k.topic_id AS "topicId", t.name AS "topicName", k.kind, k.status, k.version,
  k.title, k.question, k.public, k.published_at AS "publishedAt",
  (SELECT count(*)::int FROM kb_article_uses u WHERE u.article_id = k.id) AS uses`;

const SUMMARY_FROM = `kb_articles k JOIN kb_sections s ON s.id = k.section_id
  JOIN organisations o ON o.id = k.organisation_id LEFT JOIN topics t ON t.id = k.topic_id`;

const REQUEST_COLUMNS = `r.id, r.number::text AS number, r.organisation_id AS "organisationId", o.short_name AS "organisationName",
  r.section_id AS "sectionId", s.title AS "sectionTitle", r.article_id AS "articleId", k.title AS "articleTitle",
  r.kind, r.origin, r.status, r.subject, r.details, r.proposed, r.created_by AS "createdBy",
  cu.full_name AS "createdByName", r.created_at AS "createdAt", r.send_due_at AS "sendDueAt", r.sent_at AS "sentAt",
  r.approval_due_at AS "approvalDueAt", r.decided_at AS "decidedAt", r.decided_by AS "decidedBy",
  du.full_name AS "decidedByName", r.decision_comment AS "decisionComment",
  r.publication_due_at AS "publicationDueAt", r.published_at AS "publishedAt", pu.full_name AS "publishedByName",
  r.published_article_id AS "publishedArticleId", r.published_version AS "publishedVersion",
  coalesce(s.responsible_user_id, st.responsible_user_id) AS "responsibleUserId", ru.full_name AS "responsibleName",
  coalesce((SELECT array_agg(ra.appeal_id ORDER BY ra.linked_at) FROM kb_request_appeals ra
             WHERE ra.request_id = r.id), '{}')::text[] AS "appealIds"`;

const REQUEST_FROM = `kb_change_requests r
  JOIN organisations o ON o.id = r.organisation_id
  LEFT JOIN kb_sections s ON s.id = r.section_id
  LEFT JOIN kb_articles k ON k.id = r.article_id
  LEFT JOIN kb_organisation_settings st ON st.organisation_id = r.organisation_id
  LEFT JOIN users ru ON ru.id = coalesce(s.responsible_user_id, st.responsible_user_id)
  LEFT JOIN users cu ON cu.id = r.created_by
  LEFT JOIN users du ON du.id = r.decided_by
  LEFT JOIN users pu ON pu.id = r.published_by`;

/**
 * Lexemes of free text (an appeal, a citizen's question) joined with OR: Russian stemming by Postgres, then the
 * 'simple' configuration so the stems are not stemmed twice. Only plain words: numbers (house numbers, dates)
 * and tokens with punctuation (addresses, e-mails) say nothing about what the question is about.
 */
function orQuerySql(textSql: string): string {
  return `(SELECT to_tsquery('simple', string_agg(lexeme, ' | '))
     FROM (SELECT DISTINCT lexeme FROM unnest(to_tsvector('russian', ${textSql}))
            WHERE lexeme ~ '^[а-яёa-z][а-яёa-z0-9]+$' LIMIT 200) l)`;
}

/** An article's content as the parameters of its columns, in the order the insert and the update name them. */
function contentParams(c: ArticleContent): unknown[] {
  return [
    c.topicId,
    c.kind,
    c.title,
    c.question,
    c.body,
    JSON.stringify(c.parts),
    c.keywords,
    c.links,
    c.attachmentIds,
    c.source,
    c.public,
  ];
}

/** SQL of the knowledge base: sections, articles and versions, requests, uses, clock marks, settings. */
/**
 * A supervisor's counted notice of an organisation's knowledge base terms: «Минжкх: база знаний — просрочены сроки у
 * 2 запросов и разделов за 03.02.2027 — раздел «Отопление», запрос БЗ-12».
 */
const KB_DIGEST: DigestWording = {
  overdueKind: 'kb-clock-overdue',
  overdue: {
    before: 'база знаний — просрочены сроки у',
    nouns: ['запроса или раздела', 'запросов и разделов', 'запросов и разделов'],
  },
  atRisk: {
    before: 'база знаний — сроки под угрозой у',
    nouns: ['запроса или раздела', 'запросов и разделов', 'запросов и разделов'],
  },
  labelFrom: 'LEFT JOIN kb_change_requests r ON r.id = t.id LEFT JOIN kb_sections s ON s.id = t.id',
  label: "coalesce('запрос БЗ-' || r.number, 'раздел «' || s.title || '»')",
  // The header's list opens the latest section's row among the reviews, and the latest request.
  latest: [
    { column: 'kb_request_id', table: 'kb_change_requests' },
    { column: 'kb_section_id', table: 'kb_sections' },
  ],
};

@Injectable()
export class KnowledgeRepository extends SqlRepository {
  /** One transaction for a service's several statements (each method takes the `Db`). */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  // — directory —

  async organisation(id: string, db: Db = this.pool): Promise<OrganisationRow | undefined> {
    const [row] = (await db.query(
      `SELECT id, code, short_name AS "shortName", kind, parent_id AS "parentId", time_zone AS "timeZone",
              working_hours AS "workingHours" FROM organisations WHERE id = $1`,
      [id],
    )) as (Omit<OrganisationRow, 'workingHours'> & { workingHours: WorkingHours })[];
    return row;
  }

  async organisationByCode(code: string, db: Db = this.pool): Promise<OrganisationRow | undefined> {
    const [row] = (await db.query(`SELECT id FROM organisations WHERE code = $1`, [code])) as {
      id: string;
    }[];
    return row ? this.organisation(row.id, db) : undefined;
  }

  async topic(id: string, db: Db = this.pool) {
    const [row] = (await db.query(
      `SELECT id, code, name, parent_id AS "parentId", default_organisation_id AS "defaultOrganisationId"
         FROM topics WHERE id = $1`,
      [id],
    )) as {
      id: string;
      code: string;
      name: string;
      parentId: string | null;
      defaultOrganisationId: string | null;
    }[];
    return row;
  }

  async topicExists(id: string, db: Db = this.pool): Promise<boolean> {
    return ((await db.query(`SELECT 1 FROM topics WHERE id = $1`, [id])) as unknown[]).length > 0;
  }

  /** An active member of staff of the organisation or of one below it. */
  async staffOf(userId: string, organisationId: string, db: Db = this.pool): Promise<boolean> {
    const rows = (await db.query(
      `WITH RECURSIVE tree AS (
         SELECT id FROM organisations WHERE id = $2
         UNION SELECT o.id FROM organisations o JOIN tree ON o.parent_id = tree.id)
       SELECT 1 FROM users WHERE id = $1 AND active AND organisation_id IN (SELECT id FROM tree)`,
      [userId, organisationId],
    )) as unknown[];
    return rows.length > 0;
  }

  async existingArticles(ids: string[], db: Db = this.pool): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = (await db.query(`SELECT id FROM kb_articles WHERE id = ANY($1::uuid[])`, [ids])) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }

  /** The attachments of `ids` that exist, with what decides who may read them (as `attachment` does). */
  async existingAttachments(
    ids: string[],
    db: Db = this.pool,
  ): Promise<{ id: string; organisationId: string; uploadedBy: string | null; published: boolean }[]> {
    if (ids.length === 0) return [];
    return (await db.query(
      `SELECT f.id, f.organisation_id AS "organisationId", f.uploaded_by AS "uploadedBy",
              EXISTS (SELECT 1 FROM kb_articles k WHERE f.id = ANY(k.attachment_ids) AND k.status = 'published')
                AS published
         FROM kb_attachments f WHERE f.id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; organisationId: string; uploadedBy: string | null; published: boolean }[];
  }

  // — settings —

  async settings(organisationId: string, db: Db = this.pool) {
    const [row] = (await db.query(
      `SELECT o.id AS "organisationId", o.short_name AS "organisationName", st.responsible_user_id AS "responsibleUserId",
              u.full_name AS "responsibleName", coalesce(st.public_faq, false) AS "publicFaq"
         FROM organisations o LEFT JOIN kb_organisation_settings st ON st.organisation_id = o.id
         LEFT JOIN users u ON u.id = st.responsible_user_id
        WHERE o.id = $1`,
      [organisationId],
    )) as {
      organisationId: string;
      organisationName: string;
      responsibleUserId: string | null;
      responsibleName: string | null;
      publicFaq: boolean;
    }[];
    return row;
  }

  async saveSettings(
    organisationId: string,
    input: { responsibleUserId?: string | null; publicFaq?: boolean },
    db: Db = this.pool,
  ): Promise<void> {
    await db.query(
      `INSERT INTO kb_organisation_settings (organisation_id, responsible_user_id, public_faq)
       VALUES ($1, $2, coalesce($3, false))
       ON CONFLICT (organisation_id) DO UPDATE SET
         responsible_user_id = CASE WHEN $4 THEN EXCLUDED.responsible_user_id
                                    ELSE kb_organisation_settings.responsible_user_id END,
         public_faq = coalesce($3, kb_organisation_settings.public_faq), updated_at = now()`,
      [
        organisationId,
        input.responsibleUserId ?? null,
        input.publicFaq ?? null,
        'responsibleUserId' in input,
      ],
    );
  }

  // — sections —

  async insertSection(
    input: {
      organisationId: string;
      topicId: string | null;
      title: string;
      description: string | null;
      responsibleUserId: string | null;
      createdAt: Date;
      lastReviewedAt: Date | null;
      lastReviewedBy?: string | null;
      reviewDueAt: Date;
    },
    db: Db = this.pool,
  ): Promise<string> {
    const [row] = (await db.query(
      `INSERT INTO kb_sections (organisation_id, topic_id, title, description, responsible_user_id, created_at,
         last_reviewed_at, last_reviewed_by, review_due_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
      [
        input.organisationId,
        input.topicId,
        input.title,
        input.description,
        input.responsibleUserId,
        input.createdAt,
        input.lastReviewedAt,
        input.lastReviewedBy ?? null,
        input.reviewDueAt,
      ],
    )) as { id: string }[];
    return row.id;
  }

  async sectionByTitle(organisationId: string, title: string, db: Db = this.pool) {
    const [row] = (await db.query(`SELECT id FROM kb_sections WHERE organisation_id = $1 AND title = $2`, [
      organisationId,
      title,
    ])) as { id: string }[];
    return row?.id;
  }

  async sections(
    filter: { organisationId?: string; topicId?: string; reviewDueBefore?: Date; scope?: AccessScope },
    db: Db = this.pool,
  ): Promise<SectionRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = conditionAdder(params, where);
    if (filter.organisationId) add('s.organisation_id = ?', filter.organisationId);
    if (filter.topicId) add('s.topic_id = ?', filter.topicId);
    if (filter.reviewDueBefore) add('s.review_due_at < ?', filter.reviewDueBefore);
    if (filter.scope) where.push(organisationScopeSql(filter.scope, params, 's.organisation_id'));
    return (await db.query(
      `${SECTION_SELECT}
        ${whereClause(where)}
        ORDER BY o.short_name, s.title`,
      params,
    )) as SectionRow[];
  }

  async section(id: string, db: Db = this.pool): Promise<SectionRow | undefined> {
    const [row] = (await db.query(
      `${SECTION_SELECT}
        WHERE s.id = $1`,
      [id],
    )) as SectionRow[];
    return row;
  }

  async updateSection(id: string, input: SectionChanges, db: Db = this.pool): Promise<void> {
    await db.query(
      `UPDATE kb_sections SET title = coalesce($2, title),
              description = CASE WHEN $3 THEN $4 ELSE description END,
              topic_id = CASE WHEN $5 THEN $6::uuid ELSE topic_id END,
              responsible_user_id = CASE WHEN $7 THEN $8::uuid ELSE responsible_user_id END
        WHERE id = $1`,
      [
        id,
        input.title ?? null,
        'description' in input,
        input.description ?? null,
        'topicId' in input,
        input.topicId ?? null,
        'responsibleUserId' in input,
        input.responsibleUserId ?? null,
      ],
    );
  }

  async markReviewed(id: string, userId: string, at: Date, nextDueAt: Date, db: Db = this.pool) {
    await db.query(
      `UPDATE kb_sections SET last_reviewed_at = $2, last_reviewed_by = $3, review_due_at = $4 WHERE id = $1`,
      [id, at, userId, nextDueAt],
    );
  }

  // — articles —

  /** A new article with its first version, written together. */
  async insertArticle(
    input: {
      sectionId: string;
      organisationId: string;
      content: ArticleContent;
      publishedAt: Date;
      publishedBy: string | null;
      changeRequestId: string | null;
    },
    db: Db = this.pool,
  ): Promise<string> {
    const c = input.content;
    const [row] = (await db.query(
      `INSERT INTO kb_articles (section_id, organisation_id, topic_id, kind, version, title, question, body, parts,
         keywords, links, attachment_ids, source, public, published_at, created_at, search_vector)
       VALUES ($1,$2,$3,$4,1,$5,$6,$7,$8,$9,$10::uuid[],$11::uuid[],$12,$13,$14,$14, ${searchVectorSql({ title: 5, question: 6, keywords: 9, body: 15 })})
       RETURNING id`,
      [input.sectionId, input.organisationId, ...contentParams(c), input.publishedAt, indexedBody(c)],
    )) as { id: string }[];
    await this.insertVersion(row.id, 1, c, input, db);
    return row.id;
  }

  /** The next version of an article becomes current; the previous ones stay in kb_article_versions. */
  async publishVersion(
    articleId: string,
    input: {
      content: ArticleContent;
      archive: boolean;
      publishedAt: Date;
      publishedBy: string | null;
      changeRequestId: string | null;
      sectionId?: string;
    },
    db: Db = this.pool,
  ): Promise<number> {
    const c = input.content;
    const [row] = rowsOf<{ version: number }>(
      await db.query(
        `UPDATE kb_articles SET version = version + 1, topic_id = $2, kind = $3, title = $4, question = $5, body = $6,
                parts = $7, keywords = $8, links = $9::uuid[], attachment_ids = $10::uuid[], source = $11, public = $12,
                published_at = $13, status = CASE WHEN $14 THEN 'archived' ELSE 'published' END,
                section_id = coalesce($15, section_id), search_vector = ${searchVectorSql({ title: 4, question: 5, keywords: 8, body: 16 })}
          WHERE id = $1 RETURNING version`,
        [
          articleId,
          ...contentParams(c),
          input.publishedAt,
          input.archive,
          input.sectionId ?? null,
          indexedBody(c),
        ],
      ),
    );
    await this.insertVersion(
      articleId,
      row.version,
      { ...c, ...(input.archive ? { archived: true } : {}) },
      input,
      db,
    );
    return row.version;
  }

  private async insertVersion(
    articleId: string,
    version: number,
    content: ArticleContent & { archived?: boolean },
    input: { publishedAt: Date; publishedBy: string | null; changeRequestId: string | null },
    db: Db,
  ): Promise<void> {
    await db.query(
      `INSERT INTO kb_article_versions (article_id, version, content, change_request_id, published_by, published_at)
       VALUES ($1,$2,$3,$4,$5,$6)`,
      [articleId, version, content, input.changeRequestId, input.publishedBy, input.publishedAt],
    );
  }

  async articleContent(
    id: string,
    db: Db = this.pool,
  ): Promise<
    | (ArticleContent & { organisationId: string; sectionId: string; version: number; status: string })
    | undefined
  > {
    const [row] = (await db.query(
      `SELECT kind, title, question, body, parts, keywords, links::text[] AS links, attachment_ids::text[] AS "attachmentIds",
              source, topic_id AS "topicId", public, organisation_id AS "organisationId", section_id AS "sectionId",
              version, status
         FROM kb_articles WHERE id = $1`,
      [id],
    )) as (ArticleContent & { organisationId: string; sectionId: string; version: number; status: string })[];
    return row;
  }

  async article(id: string, db: Db = this.pool): Promise<ArticleRow | undefined> {
    const [row] = (await db.query(
      `SELECT ${SUMMARY_COLUMNS}, k.body, k.parts, k.keywords, k.links::text[] AS links,
              k.attachment_ids::text[] AS "attachmentIds", k.source, s.review_due_at AS "sectionReviewDueAt",
              (SELECT count(*)::int FROM kb_article_uses u WHERE u.article_id = k.id AND u.kind = 'answered-on-the-spot')
                AS "answeredOnTheSpot",
              coalesce((SELECT json_agg(json_build_object('id', x.id, 'title', x.title, 'kind', x.kind) ORDER BY x.title)
                          FROM kb_articles x WHERE x.id = ANY(k.links) AND x.status = 'published'), '[]') AS linked,
              coalesce((SELECT json_agg(json_build_object('id', x.id, 'title', x.title, 'kind', x.kind) ORDER BY x.title)
                          FROM kb_articles x WHERE k.id = ANY(x.links) AND x.status = 'published'), '[]') AS "linkedFrom",
              coalesce((SELECT json_agg(json_build_object('id', f.id, 'fileName', f.file_name, 'contentType',
                                  f.content_type, 'size', f.size) ORDER BY f.file_name)
                          FROM kb_attachments f WHERE f.id = ANY(k.attachment_ids)), '[]') AS attachments
         FROM ${SUMMARY_FROM} WHERE k.id = $1`,
      [id],
    )) as (ArticleRow & { topicId: string | null })[];
    return row;
  }

  async articles(
    filter: {
      organisationId?: string;
      sectionId?: string;
      topicId?: string;
      kind?: string;
      includeArchived?: boolean;
      limit: number;
    },
    db: Db = this.pool,
  ): Promise<ArticleSummary[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = conditionAdder(params, where);
    if (!filter.includeArchived) where.push(`k.status = 'published'`);
    if (filter.organisationId) add('k.organisation_id = ?', filter.organisationId);
    if (filter.sectionId) add('k.section_id = ?', filter.sectionId);
    if (filter.topicId) {
      params.push(filter.topicId);
      where.push(`(k.topic_id = $${params.length} OR t.parent_id = $${params.length})`);
    }
    if (filter.kind) add('k.kind = ?', filter.kind);
    params.push(filter.limit);
    return (await db.query(
      `SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM}
        ${whereClause(where)}
        ORDER BY o.short_name, s.title, k.kind, k.title LIMIT $${params.length}`,
      params,
    )) as ArticleSummary[];
  }

  async versions(articleId: string, db: Db = this.pool) {
    return (await db.query(
      `SELECT v.version, v.content, v.change_request_id AS "changeRequestId", r.number::text AS "requestNumber",
              v.published_at AS "publishedAt", u.full_name AS "publishedByName"
         FROM kb_article_versions v LEFT JOIN users u ON u.id = v.published_by
         LEFT JOIN kb_change_requests r ON r.id = v.change_request_id
        WHERE v.article_id = $1 ORDER BY v.version DESC`,
      [articleId],
    )) as {
      version: number;
      content: ArticleContent & { archived?: boolean };
      changeRequestId: string | null;
      requestNumber: string | null;
      publishedAt: Date;
      publishedByName: string | null;
    }[];
  }

  /**
   * Ranked articles for free text and a topic: Russian full-text rank (stemmed OR query; title and question
   * weigh most) plus the topic (exact, or related through the rubricator's parent) plus a small lift for the
   * preferred organisation and for what can go straight into an answer. Candidates are what the text matches
   * or what the topic matches, so both indexes are used.
   */
  async search(query: SearchQuery, db: Db = this.pool): Promise<SearchHit[]> {
    const params: unknown[] = [query.text, query.topicId ?? null, query.preferOrganisationId ?? null];
    const where: string[] = [`k.status = 'published'`];
    if (query.organisationId) {
      params.push(query.organisationId);
      where.push(`k.organisation_id = $${params.length}`);
    }
    if (query.kinds?.length) {
      params.push(query.kinds);
      where.push(`k.kind = ANY($${params.length}::text[])`);
    }
    if (query.publicOnly) {
      where.push(`k.kind = 'faq' AND k.public AND EXISTS (SELECT 1 FROM kb_organisation_settings ps
        WHERE ps.organisation_id = k.organisation_id AND ps.public_faq)`);
    }
    params.push(Math.min(Math.max(query.limit, 1), 50));
    const rows = (await db.query(
      `WITH input AS (
         SELECT ${orQuerySql('$1::text')} AS q, $2::uuid AS topic_id,
                (SELECT parent_id FROM topics WHERE id = $2::uuid) AS topic_parent
       ), scored AS (
         SELECT k.id,
                CASE WHEN i.q IS NULL THEN 0 ELSE ts_rank(k.search_vector, i.q, 1) END AS text_rank,
                CASE WHEN i.topic_id IS NULL OR k.topic_id IS NULL THEN 0
                     WHEN k.topic_id = i.topic_id THEN 1.0
                     WHEN k.topic_id = i.topic_parent THEN 0.5
                     WHEN t.parent_id = i.topic_id THEN 0.4
                     WHEN t.parent_id IS NOT NULL AND t.parent_id = i.topic_parent THEN 0.15
                     ELSE 0 END AS topic_rank
           FROM kb_articles k CROSS JOIN input i LEFT JOIN topics t ON t.id = k.topic_id
          WHERE ${where.join(' AND ')}
            AND ((i.q IS NOT NULL AND k.search_vector @@ i.q)
                 OR (i.topic_id IS NOT NULL AND (k.topic_id = i.topic_id OR k.topic_id = i.topic_parent
                     OR t.parent_id = i.topic_id OR t.parent_id = i.topic_parent)))
       ), ranked AS (
         SELECT sc.*, sc.text_rank * ${TEXT_WEIGHT} + sc.topic_rank
                  + CASE WHEN k.organisation_id = $3::uuid THEN 0.1 ELSE 0 END
                  + CASE WHEN k.kind IN ('faq', 'template') THEN 0.05 ELSE 0 END AS score
           FROM scored sc JOIN kb_articles k ON k.id = sc.id
          ORDER BY score DESC, sc.id
          LIMIT $${params.length}
       )
       SELECT ${SUMMARY_COLUMNS}, k.body, r.score::float8 AS score,
              CASE WHEN r.topic_rank >= 1 THEN 'exact' WHEN r.topic_rank > 0 THEN 'related' ELSE 'none' END
                AS "topicMatch",
              CASE WHEN i.q IS NULL THEN left(k.body, 240)
                   ELSE ts_headline('russian', k.body, i.q, 'MaxWords=35, MinWords=15, MaxFragments=2, StartSel=«, StopSel=»')
              END AS excerpt
         FROM ranked r JOIN kb_articles k ON k.id = r.id
         JOIN kb_sections s ON s.id = k.section_id JOIN organisations o ON o.id = k.organisation_id
         LEFT JOIN topics t ON t.id = k.topic_id CROSS JOIN input i
        ORDER BY r.score DESC, k.id`,
      params,
    )) as SearchHit[];
    return rows;
  }

  /**
   * Greeting and farewell scripts that belong to no topic (the management centre's first), for every call.
   * Shaped like search hits so the caller can list them together.
   */
  async generalScripts(db: Db = this.pool): Promise<SearchHit[]> {
    return (await db.query(
      `SELECT ${SUMMARY_COLUMNS}, k.body, 0::float8 AS score, 'none' AS "topicMatch", left(k.body, 240) AS excerpt
         FROM ${SUMMARY_FROM}
        WHERE k.status = 'published' AND k.topic_id IS NULL AND k.kind IN ('greeting-script', 'farewell-script')
        ORDER BY CASE WHEN o.kind = 'management-centre' THEN 0 ELSE 1 END, k.kind DESC, k.title
        LIMIT 6`,
    )) as SearchHit[];
  }

  /** Public FAQ of the organisations that allow it, by topic. */
  async publicFaq(topicId?: string, db: Db = this.pool) {
    return (await db.query(
      `SELECT k.id, coalesce(k.question, k.title) AS question, k.body AS answer, o.short_name AS "organisationName",
              t.name AS "topicName", k.topic_id AS "topicId"
         FROM kb_articles k JOIN organisations o ON o.id = k.organisation_id LEFT JOIN topics t ON t.id = k.topic_id
         JOIN kb_organisation_settings ps ON ps.organisation_id = k.organisation_id AND ps.public_faq
        WHERE k.status = 'published' AND k.kind = 'faq' AND k.public
          AND ($1::uuid IS NULL OR k.topic_id = $1::uuid OR t.parent_id = $1::uuid)
        ORDER BY t.name NULLS LAST, k.title LIMIT 500`,
      [topicId ?? null],
    )) as {
      id: string;
      question: string;
      answer: string;
      organisationName: string;
      topicName: string | null;
      topicId: string | null;
    }[];
  }

  async recordUse(
    input: {
      articleId: string;
      version: number;
      kind: 'inserted' | 'answered-on-the-spot';
      appealId: string | null;
      userId: string | null;
      at: Date;
    },
    db: Db = this.pool,
  ): Promise<void> {
    await db.query(
      `INSERT INTO kb_article_uses (article_id, version, kind, appeal_id, user_id, used_at) VALUES ($1,$2,$3,$4,$5,$6)`,
      [input.articleId, input.version, input.kind, input.appealId, input.userId, input.at],
    );
  }

  async usesOfAppeal(appealId: string, db: Db = this.pool) {
    return (await db.query(
      `SELECT u.article_id AS "articleId", k.title, k.kind, u.version, u.kind AS "use", u.used_at AS "usedAt",
              us.full_name AS "userName"
         FROM kb_article_uses u JOIN kb_articles k ON k.id = u.article_id LEFT JOIN users us ON us.id = u.user_id
        WHERE u.appeal_id = $1 ORDER BY u.id`,
      [appealId],
    )) as {
      articleId: string;
      title: string;
      kind: string;
      version: number;
      use: string;
      usedAt: Date;
      userName: string | null;
    }[];
  }

  // — attachments —

  async insertAttachment(
    input: {
      organisationId: string;
      fileName: string;
      contentType: string;
      content: Buffer;
      sha256: string;
      uploadedBy: string;
    },
    db: Db = this.pool,
  ): Promise<string> {
    // Content-addressed, like appeals' attachments: one copy of the bytes whoever uploads them.
    await storeContentOnce(db, input.sha256, input.content);
    const [row] = (await db.query(
      `INSERT INTO kb_attachments (organisation_id, file_name, content_type, size, sha256, uploaded_by)
       VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
      [
        input.organisationId,
        input.fileName,
        input.contentType,
        input.content.length,
        input.sha256,
        input.uploadedBy,
      ],
    )) as { id: string }[];
    return row.id;
  }

  async attachment(id: string, db: Db = this.pool) {
    const [row] = (await db.query(
      `SELECT f.id, f.file_name AS "fileName", f.content_type AS "contentType", f.size, c.content,
              f.organisation_id AS "organisationId", f.uploaded_by AS "uploadedBy",
              EXISTS (SELECT 1 FROM kb_articles k WHERE f.id = ANY(k.attachment_ids) AND k.status = 'published')
                AS published
         FROM kb_attachments f JOIN attachment_contents c ON c.sha256 = f.sha256 WHERE f.id = $1`,
      [id],
    )) as {
      id: string;
      fileName: string;
      contentType: string;
      size: number;
      content: Buffer;
      organisationId: string;
      uploadedBy: string | null;
      published: boolean;
    }[];
    return row;
  }

  // — change requests —

  async insertRequest(input: NewRequest, db: Db = this.pool): Promise<string | undefined> {
    const rows = (await db.query(
      `INSERT INTO kb_change_requests (organisation_id, section_id, article_id, kind, origin, status, subject, details,
         proposed, created_by, created_at, send_due_at, sent_at, approval_due_at, source_event_id, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$11)
       ON CONFLICT (source_event_id, organisation_id) DO NOTHING RETURNING id`,
      [
        input.organisationId,
        input.sectionId,
        input.articleId,
        input.kind,
        input.origin,
        input.status,
        input.subject,
        input.details,
        input.proposed,
        input.createdBy,
        input.createdAt,
        input.sendDueAt,
        input.sentAt,
        input.approvalDueAt,
        input.sourceEventId ?? null,
      ],
    )) as { id: string }[];
    return rows[0]?.id;
  }

  async request(id: string, db: Db = this.pool, forUpdate = false): Promise<RequestRow | undefined> {
    if (forUpdate) await db.query(`SELECT 1 FROM kb_change_requests WHERE id = $1 FOR UPDATE`, [id]);
    const [row] = (await db.query(`SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE r.id = $1`, [
      id,
    ])) as RequestRow[];
    return row;
  }

  async requests(filter: RequestListFilter, db: Db = this.pool): Promise<RequestRow[]> {
    const params: unknown[] = [];
    const where: string[] = [organisationScopeSql(filter.scope, params, 'r.organisation_id')];
    if (filter.status?.length) {
      params.push(filter.status);
      where.push(`r.status = ANY($${params.length}::text[])`);
    }
    if (filter.origin) {
      params.push(filter.origin);
      where.push(`r.origin = $${params.length}`);
    }
    if (filter.organisationId) {
      params.push(filter.organisationId);
      where.push(`r.organisation_id = $${params.length}`);
    }
    if (filter.appealId) {
      params.push(filter.appealId);
      where.push(
        `EXISTS (SELECT 1 FROM kb_request_appeals ra WHERE ra.request_id = r.id AND ra.appeal_id = $${params.length})`,
      );
    }
    params.push(Math.min(Math.max(filter.limit, 1), 500));
    return (await db.query(
      `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE ${where.join(' AND ')}
        ORDER BY CASE WHEN r.status IN ('draft','sent','returned','approved') THEN 0 ELSE 1 END,
                 coalesce(CASE r.status WHEN 'draft' THEN r.send_due_at WHEN 'sent' THEN r.approval_due_at
                               WHEN 'approved' THEN r.publication_due_at END, r.updated_at) ,
                 r.number DESC
        LIMIT $${params.length}`,
      params,
    )) as RequestRow[];
  }

  async updateRequest(
    id: string,
    changes: Partial<{
      status: ChangeRequestStatus;
      subject: string;
      details: string | null;
      proposed: ProposedArticle | ProposedTopicSet | null;
      sectionId: string | null;
      sentAt: Date;
      approvalDueAt: Date | null;
      decidedAt: Date | null;
      decidedBy: string | null;
      decisionComment: string | null;
      publicationDueAt: Date | null;
      publishedAt: Date;
      publishedBy: string | null;
      publishedArticleId: string;
      publishedVersion: number;
    }>,
    at: Date,
    db: Db = this.pool,
  ): Promise<void> {
    const COLUMNS: Record<string, string> = {
      status: 'status',
      subject: 'subject',
      details: 'details',
      proposed: 'proposed',
      sectionId: 'section_id',
      sentAt: 'sent_at',
      approvalDueAt: 'approval_due_at',
      decidedAt: 'decided_at',
      decidedBy: 'decided_by',
      decisionComment: 'decision_comment',
      publicationDueAt: 'publication_due_at',
      publishedAt: 'published_at',
      publishedBy: 'published_by',
      publishedArticleId: 'published_article_id',
      publishedVersion: 'published_version',
    };
    const params: unknown[] = [id, at];
    const sets: string[] = ['updated_at = $2'];
    for (const [key, value] of Object.entries(changes)) {
      const column = COLUMNS[key];
      if (!column) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    await db.query(`UPDATE kb_change_requests SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  async linkAppeal(requestId: string, appealId: string, at: Date, db: Db = this.pool): Promise<void> {
    await db.query(
      `INSERT INTO kb_request_appeals (request_id, appeal_id, linked_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`,
      [requestId, appealId, at],
    );
  }

  async requestEvent(
    requestId: string,
    type: string,
    actor: string | null,
    at: Date,
    data: Record<string, unknown> = {},
    db: Db = this.pool,
  ): Promise<void> {
    await db.query(
      `INSERT INTO kb_request_events (request_id, type, actor, occurred_at, data) VALUES ($1,$2,$3,$4,$5)`,
      [requestId, type, actor && actor !== 'system' ? actor : null, at, data],
    );
  }

  async requestHistory(requestId: string, db: Db = this.pool) {
    return (await db.query(
      `SELECT e.id::text AS id, e.type, e.occurred_at AS "occurredAt", e.data, u.full_name AS "actorName"
         FROM kb_request_events e LEFT JOIN users u ON u.id = e.actor WHERE e.request_id = $1 ORDER BY e.id`,
      [requestId],
    )) as {
      id: string;
      type: string;
      occurredAt: Date;
      data: Record<string, unknown>;
      actorName: string | null;
    }[];
  }

  // — appeals (read through the one scope predicate) —

  async appeal(id: string, scope: AccessScope, db: Db = this.pool): Promise<AppealForKnowledge | undefined> {
    const params: unknown[] = [id];
    const [row] = (await db.query(
      `SELECT a.id, a.registration_number AS "registrationNumber", a.registered_at AS "registeredAt", a.status,
              a.line, a.channel, a.subject, a.text, a.topic_id AS "topicId", a.subtopic_id AS "subtopicId",
              a.organisation_id AS "organisationId",
              (SELECT t.default_organisation_id FROM topics t WHERE t.id = coalesce(a.subtopic_id, a.topic_id))
                AS "topicOwnerId",
              a.time_zone AS "timeZone", to_char(a.answer_due_date, 'YYYY-MM-DD') AS "answerDueDate"
         FROM appeals a WHERE a.id = $1 AND ${appealScopeSql(scope, params, 'a')}`,
      params,
    )) as AppealForKnowledge[];
    return row;
  }

  /** The applicant's name parts for a template's {{applicantName}} (personal data: the caller audits it). */
  async applicantNameOf(appealId: string, db: Db = this.pool) {
    const [row] = (await db.query(
      `SELECT p.surname, p.first_name, p.patronymic, p.display_name
         FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
      [appealId],
    )) as {
      surname: string | null;
      first_name: string | null;
      patronymic: string | null;
      display_name: string | null;
    }[];
    return row;
  }

  async answerOf(appealId: string, answerId: string, db: Db = this.pool) {
    const [row] = (await db.query(
      `SELECT id, organisation_id AS "organisationId", text, status FROM answers WHERE id = $1 AND appeal_id = $2`,
      [answerId, appealId],
    )) as { id: string; organisationId: string; text: string; status: string }[];
    return row;
  }

  /**
   * Recent appeals with a topic in the scope, with how well the KB covers each (the best text rank among the
   * published articles of the topic's owner for that topic): the raw material of "repeated questions without
   * an article". One statement; the similarity grouping happens in the service.
   */
  async recentAppealsWithCoverage(
    input: { scope: AccessScope; since: Date; until: Date; limit: number },
    db: Db = this.pool,
  ) {
    const params: unknown[] = [input.since, input.until];
    const scopeSql = appealScopeSql(input.scope, params, 'a');
    params.push(input.limit);
    return (await db.query(
      `SELECT a.id, a.registration_number AS "registrationNumber", a.registered_at AS "registeredAt", a.subject,
              a.text, coalesce(a.subtopic_id, a.topic_id) AS "topicId", tp.name AS "topicName",
              tp.default_organisation_id AS "ownerId", o.short_name AS "ownerName",
              (SELECT l.incident_id FROM appeal_incidents l WHERE l.appeal_id = a.id) AS "incidentId",
              coalesce((SELECT max(ts_rank(k.search_vector, q.q, 1)) FROM kb_articles k
                         WHERE k.status = 'published' AND k.organisation_id = tp.default_organisation_id
                           AND (k.topic_id = tp.id OR k.topic_id = tp.parent_id) AND k.search_vector @@ q.q), 0)::float8
                AS coverage,
              EXISTS (SELECT 1 FROM kb_article_uses u WHERE u.appeal_id = a.id) AS served
         FROM appeals a
         JOIN topics tp ON tp.id = coalesce(a.subtopic_id, a.topic_id)
         LEFT JOIN organisations o ON o.id = tp.default_organisation_id
         CROSS JOIN LATERAL (SELECT ${orQuerySql(`coalesce(a.subject, '') || ' ' || a.text`)} AS q) q
        WHERE a.registered_at >= $1 AND a.registered_at < $2 AND tp.default_organisation_id IS NOT NULL
          AND ${scopeSql}
          AND NOT EXISTS (SELECT 1 FROM kb_request_appeals ra JOIN kb_change_requests r ON r.id = ra.request_id
                           WHERE ra.appeal_id = a.id AND r.status <> 'cancelled')
        ORDER BY a.registered_at DESC LIMIT $${params.length}`,
      params,
    )) as {
      id: string;
      registrationNumber: string;
      registeredAt: Date;
      subject: string | null;
      text: string;
      topicId: string;
      topicName: string;
      ownerId: string;
      ownerName: string;
      incidentId: string | null;
      coverage: number;
      served: boolean;
    }[];
  }

  async topicArticleCount(organisationId: string, topicId: string, db: Db = this.pool): Promise<number> {
    return queryCount(
      db,
      `SELECT count(*)::int AS n FROM kb_articles k LEFT JOIN topics t ON t.id = $2
        WHERE k.status = 'published' AND k.organisation_id = $1 AND (k.topic_id = $2 OR k.topic_id = t.parent_id)`,
      [organisationId, topicId],
    );
  }

  /** A section of the organisation for the topic (its own, else its parent's), for a gap request. */
  async sectionForTopic(organisationId: string, topicId: string | null, db: Db = this.pool) {
    const [row] = (await db.query(
      `SELECT s.id FROM kb_sections s LEFT JOIN topics t ON t.id = $2::uuid
        WHERE s.organisation_id = $1
        ORDER BY CASE WHEN s.topic_id = $2::uuid THEN 0 WHEN s.topic_id = t.parent_id THEN 1
                      WHEN s.topic_id IS NULL THEN 2 ELSE 3 END, s.created_at
        LIMIT 1`,
      [organisationId, topicId],
    )) as { id: string }[];
    return row?.id ?? null;
  }

  // — clocks —

  /**
   * One statement, as the appeal clocks' sweep (libs/clocks): find KB clocks inside their at-risk lead or past
   * due, record each mark once (ON CONFLICT DO NOTHING + RETURNING, so concurrent sweeps never notify twice), and
   * notify, for exactly the new marks, the owner (the requester for the send clock, the responsible person for
   * approval and review) and the organisation's own supervisors item by item; supervisors over it (of a superior
   * organisation, or region-wide) get one counted notice per organisation, kind and day, updated in place.
   */
  async sweepClocks(
    now: Date | undefined,
    leads: { requestSeconds: number; reviewSeconds: number },
    clockTexts: Record<string, string>,
    db: Db = this.pool,
  ): Promise<{ what: string; key: string | null; n: number }[]> {
    return (await db.query(
      `WITH RECURSIVE clocks AS (
         SELECT 'request'::text AS subject_type, r.id AS subject_id, r.organisation_id, 'kb-send'::text AS clock,
                r.send_due_at AS due_at, r.created_by AS owner_id, 'по запросу БЗ-' || r.number AS label
           FROM kb_change_requests r
          WHERE r.status = 'draft' AND r.send_due_at <= coalesce($1::timestamptz, now()) + make_interval(secs => $2::float8)
         UNION ALL
         SELECT 'request', r.id, r.organisation_id, 'kb-approval', r.approval_due_at,
                coalesce(s.responsible_user_id, st.responsible_user_id), 'по запросу БЗ-' || r.number
           FROM kb_change_requests r LEFT JOIN kb_sections s ON s.id = r.section_id
           LEFT JOIN kb_organisation_settings st ON st.organisation_id = r.organisation_id
          WHERE r.status = 'sent' AND r.approval_due_at <= coalesce($1::timestamptz, now()) + make_interval(secs => $2::float8)
         UNION ALL
         SELECT 'request', r.id, r.organisation_id, 'kb-publication', r.publication_due_at, NULL::uuid,
                'по запросу БЗ-' || r.number
           FROM kb_change_requests r
          WHERE r.status = 'approved' AND r.publication_due_at <= coalesce($1::timestamptz, now()) + make_interval(secs => $2::float8)
         UNION ALL
         SELECT 'section', s.id, s.organisation_id, 'kb-review', s.review_due_at,
                coalesce(s.responsible_user_id, st.responsible_user_id), '«' || s.title || '»'
           FROM kb_sections s LEFT JOIN kb_organisation_settings st ON st.organisation_id = s.organisation_id
          WHERE s.review_due_at <= coalesce($1::timestamptz, now()) + make_interval(secs => $3::float8)
       ), crossed AS (
         SELECT c.*, CASE WHEN c.due_at < coalesce($1::timestamptz, now()) THEN 'overdue' ELSE 'at-risk' END AS kind FROM clocks c
       ), marks AS (
         INSERT INTO kb_clock_marks (subject_type, subject_id, organisation_id, clock, kind, due_at, recorded_at)
         SELECT x.subject_type, x.subject_id, x.organisation_id, x.clock, x.kind, x.due_at, coalesce($1::timestamptz, now())
           FROM crossed x
          WHERE NOT EXISTS (SELECT 1 FROM kb_clock_marks m WHERE m.subject_id = x.subject_id AND m.clock = x.clock
                              AND m.kind = x.kind AND m.due_at = x.due_at)
          ORDER BY x.subject_id, x.clock, x.kind, x.due_at
         ON CONFLICT DO NOTHING
         RETURNING id, subject_id, organisation_id, clock, kind, due_at
       ), ${SUPERVISED_CTES}, recipients AS (
         -- Told item by item: the owner, and the supervisors of the organisation itself; those over it are told
         -- counted (digestCtes), as the appeals' clocks.
         SELECT m.id AS mark_id, u.id AS user_id
           FROM marks m JOIN crossed x ON x.subject_id = m.subject_id AND x.clock = m.clock AND x.kind = m.kind
                                      AND x.due_at = m.due_at
           JOIN users u ON u.id = x.owner_id AND u.active
         UNION
         SELECT s.mark_id, s.user_id FROM supervised s WHERE s.own
       ), ${digestCtes({
         item: 'subject_id',
         kindPrefix: 'kb-clock-',
         at: 'coalesce($1::timestamptz, now())',
         wording: KB_DIGEST,
       })}, notes AS (
         INSERT INTO notifications (user_id, kind, appeal_id, kb_request_id, kb_section_id, text)
         SELECT r.user_id, 'kb-clock-' || m.kind, NULL,
                CASE WHEN x.subject_type = 'request' THEN m.subject_id END,
                CASE WHEN x.subject_type = 'section' THEN m.subject_id END,
                CASE m.kind
                  WHEN 'overdue' THEN 'База знаний: просрочен срок ' || ($4::jsonb ->> m.clock) || ' ' || x.label
                                      || ' (' || o.short_name || ')'
                  ELSE 'База знаний: срок ' || ($4::jsonb ->> m.clock) || ' ' || x.label || ' (' || o.short_name
                       || ') истекает ' || to_char(m.due_at AT TIME ZONE o.time_zone, 'DD.MM.YYYY HH24:MI')
                       || ' (' || ${zoneLabelSql('o.time_zone', 'm.due_at')} || ')'
                END
           FROM recipients r JOIN marks m ON m.id = r.mark_id
           JOIN crossed x ON x.subject_id = m.subject_id AND x.clock = m.clock AND x.kind = m.kind AND x.due_at = m.due_at
           JOIN organisations o ON o.id = m.organisation_id
          ORDER BY m.id, r.user_id
         RETURNING 1
       )
       SELECT 'mark' AS what, clock || '/' || kind AS key, count(*)::int AS n FROM marks GROUP BY clock, kind
       UNION ALL SELECT 'notification', NULL, count(*)::int FROM notes
       UNION ALL SELECT 'digest', NULL, count(*)::int FROM digests`,
      [now, leads.requestSeconds, leads.reviewSeconds, JSON.stringify(clockTexts)],
    )) as { what: string; key: string | null; n: number }[];
  }

  /** Recorded marks of a request or a section. */
  async marksOf(subjectId: string, db: Db = this.pool) {
    return (await db.query(
      `SELECT clock, kind, due_at AS "dueAt", recorded_at AS "recordedAt" FROM kb_clock_marks
        WHERE subject_id = $1 ORDER BY id`,
      [subjectId],
    )) as { clock: string; kind: string; dueAt: Date; recordedAt: Date }[];
  }

  // — dashboard —

  async dashboard(scope: AccessScope, now: Date, db: Db = this.pool) {
    const params: unknown[] = [now, REQUEST_AT_RISK_SECONDS, REVIEW_AT_RISK_SECONDS];
    const rScope = organisationScopeSql(scope, params, 'r.organisation_id');
    const sScope = organisationScopeSql(scope, params, 's.organisation_id');
    const [totals] = (await db.query(
      `WITH clocks AS (
         SELECT r.organisation_id, CASE r.status WHEN 'draft' THEN 'kb-send' WHEN 'sent' THEN 'kb-approval'
                                    ELSE 'kb-publication' END AS clock,
                CASE r.status WHEN 'draft' THEN r.send_due_at WHEN 'sent' THEN r.approval_due_at
                              ELSE r.publication_due_at END AS due_at, $2::float8 AS lead_s
           FROM kb_change_requests r WHERE r.status IN ('draft','sent','approved') AND ${rScope}
         UNION ALL
         SELECT s.organisation_id, 'kb-review', s.review_due_at, $3::float8 FROM kb_sections s WHERE ${sScope}
       )
       SELECT
         (SELECT count(*)::int FROM kb_change_requests r WHERE r.status IN ('draft','sent','returned','approved') AND ${rScope})
           AS "openRequests",
         count(*) FILTER (WHERE clock <> 'kb-review' AND due_at < $1::timestamptz)::int AS "requestsOverdue",
         count(*) FILTER (WHERE clock <> 'kb-review' AND due_at >= $1::timestamptz
                            AND due_at < $1::timestamptz + make_interval(secs => lead_s))::int AS "requestsAtRisk",
         count(*) FILTER (WHERE clock = 'kb-review' AND due_at < $1::timestamptz)::int AS "reviewsOverdue",
         count(*) FILTER (WHERE clock = 'kb-review' AND due_at >= $1::timestamptz
                            AND due_at < $1::timestamptz + make_interval(secs => lead_s))::int AS "reviewsAtRisk"
         FROM clocks`,
      params,
    )) as Record<string, number>[];
    const byOrganisation = (await db.query(
      `WITH clocks AS (
         SELECT r.organisation_id, CASE r.status WHEN 'draft' THEN r.send_due_at WHEN 'sent' THEN r.approval_due_at
                              ELSE r.publication_due_at END AS due_at, false AS review, $2::float8 AS lead_s
           FROM kb_change_requests r WHERE r.status IN ('draft','sent','approved') AND ${rScope}
         UNION ALL
         SELECT s.organisation_id, s.review_due_at, true, $3::float8 FROM kb_sections s WHERE ${sScope}
       )
       SELECT c.organisation_id AS "organisationId", o.short_name AS "organisationName",
              count(*) FILTER (WHERE NOT review AND due_at < $1::timestamptz)::int AS "requestsOverdue",
              count(*) FILTER (WHERE NOT review AND due_at >= $1::timestamptz AND due_at < $1::timestamptz + make_interval(secs => lead_s))::int
                AS "requestsAtRisk",
              count(*) FILTER (WHERE review AND due_at < $1::timestamptz)::int AS "reviewsOverdue",
              count(*) FILTER (WHERE review AND due_at >= $1::timestamptz AND due_at < $1::timestamptz + make_interval(secs => lead_s))::int
                AS "reviewsAtRisk"
         FROM clocks c JOIN organisations o ON o.id = c.organisation_id
        GROUP BY c.organisation_id, o.short_name
       HAVING count(*) FILTER (WHERE due_at < $1::timestamptz + make_interval(secs => lead_s)) > 0
        ORDER BY 3 DESC, 5 DESC, 2`,
      params,
    )) as {
      organisationId: string;
      organisationName: string;
      requestsOverdue: number;
      requestsAtRisk: number;
      reviewsOverdue: number;
      reviewsAtRisk: number;
    }[];
    const markParams: unknown[] = [];
    const marks = (await db.query(
      `SELECT m.clock, m.kind, count(*)::int AS n FROM kb_clock_marks m
        WHERE ${organisationScopeSql(scope, markParams, 'm.organisation_id')} GROUP BY m.clock, m.kind ORDER BY 1, 2`,
      markParams,
    )) as { clock: string; kind: string; n: number }[];
    const topArticles = (await db.query(
      `SELECT k.id, k.title, k.kind, o.short_name AS "organisationName", count(*)::int AS uses,
              count(*) FILTER (WHERE u.kind = 'answered-on-the-spot')::int AS "answeredOnTheSpot"
         FROM kb_article_uses u JOIN kb_articles k ON k.id = u.article_id JOIN organisations o ON o.id = k.organisation_id
        WHERE u.used_at >= $1::timestamptz - interval '30 days'
        GROUP BY k.id, k.title, k.kind, o.short_name ORDER BY uses DESC, k.title LIMIT 10`,
      [now],
    )) as {
      id: string;
      title: string;
      kind: string;
      organisationName: string;
      uses: number;
      answeredOnTheSpot: number;
    }[];
    return { totals, byOrganisation, marks, topArticles };
  }
}

/** The weight of the text rank next to the topic (1.0 for an exact topic); tuned with `npm run kb -- eval`. */
export const TEXT_WEIGHT = 4;

const REQUEST_AT_RISK_SECONDS = KB_REQUEST_AT_RISK_HOURS * 3600;
const REVIEW_AT_RISK_SECONDS = KB_REVIEW_AT_RISK_DAYS * 24 * 3600;

/** The search vector from the statement's parameters: title and question weigh A, keywords B, body and parts C. */
function searchVectorSql(p: { title: number; question: number; keywords: number; body: number }): string {
  return `setweight(to_tsvector('russian', $${p.title}::text), 'A')
    || setweight(to_tsvector('russian', coalesce($${p.question}::text, '')), 'A')
    || setweight(to_tsvector('russian', array_to_string($${p.keywords}::text[], ' ')), 'B')
    || setweight(to_tsvector('russian', $${p.body}::text), 'C')`;
}
