import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AccessScope, appealScopeSql } from '@inbox/access';

export type CorrectionKind = 'topic' | 'routing';

export interface CorrectionView {
  id: string;
  appealId: string;
  registrationNumber: string;
  kind: CorrectionKind;
  actor: string;
  /** The staff member's name when the actor is one (a user id), else null. */
  actorName: string | null;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  modelId: string | null;
  createdAt: Date;
}

export interface NewCorrection {
  appealId: string;
  kind: CorrectionKind;
  /** The history event that carried the person's decision: one correction per event and kind. */
  sourceEventId: string;
  actor: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  modelId?: string | null;
}

/** Which corrections a page lists: by kind, by the appeal's number (a part of it), by when they were made. */
export interface CorrectionFilter {
  kind?: CorrectionKind;
  number?: string;
  /** Made at or after this instant. */
  from?: Date;
  /** Made before this instant. */
  to?: Date;
  limit?: number;
  offset?: number;
}

export interface CorrectionPage {
  items: CorrectionView[];
  /** How many corrections the filter finds in all. */
  total: number;
}

const SELECT_CORRECTION = `c.id::text, c.appeal_id AS "appealId", a.registration_number AS "registrationNumber", c.kind,
              c.actor, u.full_name AS "actorName", c.before, c.after, c.model_id AS "modelId", c.created_at AS "createdAt"
         FROM classification_corrections c JOIN appeals a ON a.id = c.appeal_id
         LEFT JOIN users u ON u.id::text = c.actor`;

/** `classification_corrections`: what clerks changed of the model's (or a colleague's) topic and route. */
@Injectable()
export class ClassificationCorrectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A page of corrections, newest first, and how many the filter finds in all: of the appeals in the scope only
   * (an organisation's supervisor read every organisation's numbers and clerks' names here).
   */
  async page(filter: CorrectionFilter, scope: AccessScope): Promise<CorrectionPage> {
    const params: unknown[] = [];
    const where: string[] = [appealScopeSql(scope, params, 'a')];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.kind) where.push(`c.kind = ${param(filter.kind)}`);
    if (filter.number) {
      const escaped = filter.number.replace(/[\\%_]/g, (ch) => `\\${ch}`);
      where.push(`a.registration_number LIKE ${param(`%${escaped}%`)}`);
    }
    if (filter.from) where.push(`c.created_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`c.created_at < ${param(filter.to)}`);
    const condition = `WHERE ${where.join(' AND ')}`;
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total
         FROM classification_corrections c JOIN appeals a ON a.id = c.appeal_id ${condition}`,
      params,
    )) as { total: number }[];
    const limit = param(filter.limit ?? 50);
    const offset = param(filter.offset ?? 0);
    const items = (await this.dataSource.query(
      `SELECT ${SELECT_CORRECTION} ${condition} ORDER BY c.id DESC LIMIT ${limit} OFFSET ${offset}`,
      params,
    )) as CorrectionView[];
    return { items, total };
  }

  /** Records a correction once per source event and kind (a replayed event records nothing). */
  async record(correction: NewCorrection): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO classification_corrections (appeal_id, kind, source_event_id, actor, before, after, model_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source_event_id, kind) DO NOTHING`,
      [
        correction.appealId,
        correction.kind,
        correction.sourceEventId,
        correction.actor,
        correction.before,
        correction.after,
        correction.modelId ?? null,
      ],
    );
  }
}
