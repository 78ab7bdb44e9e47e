import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';
import {
  type AnswerDelivery,
  type OrganisationEntity,
  type OrganisationKind,
  type OrganisationRequisites,
} from './organisation.entity';

export interface OrganisationNode {
  id: string;
  code: string;
  name: string;
  shortName: string;
  kind: OrganisationKind;
  parentId: string | null;
  timeZone: string;
  workingHours: Record<string, { start: string; end: string } | undefined>;
  contacts: { phone?: string; email?: string; address?: string; website?: string };
  territoryCodes: string[];
  /** Whether the citizen gets each part's answer as it comes or one combined answer (as the responsible one). */
  answerDelivery: AnswerDelivery;
  requisites: OrganisationRequisites;
}

export interface OrganisationSummary {
  id: string;
  code: string;
  name: string;
  shortName: string;
  kind: string;
}

/** A rubricator topic with the organisation it goes to by default, for the workspace's directory. */
export interface TopicDirectoryEntry {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  defaultOrganisationId: string | null;
  defaultOrganisationName: string | null;
  rubricatorVersion: number;
}

const ORGANISATION_COLUMNS = `id, code, name, short_name AS "shortName", kind, parent_id AS "parentId",
  time_zone AS "timeZone", working_hours AS "workingHours", contacts, territory_codes AS "territoryCodes",
  answer_delivery AS "answerDelivery", requisites`;

/** The `organisations` table (and the topics' default organisations) behind typed reads. */
@Injectable()
export class OrganisationsRepository extends SqlRepository {
  /** Requisites sent by a channel replace those stored, field by field; true when the organisation exists. */
  async setRequisites(id: string, requisites: OrganisationRequisites): Promise<boolean> {
    const rows = await this.rows<{ id: string }>(
      `UPDATE organisations SET requisites = requisites || $2::jsonb WHERE id = $1 RETURNING id`,
      [id, JSON.stringify(requisites)],
    );
    return rows.length > 0;
  }

  byCode(code: string, db: Db = this.pool): Promise<OrganisationEntity | undefined> {
    return this.one<OrganisationEntity>(
      `SELECT ${ORGANISATION_COLUMNS}, created_at AS "createdAt" FROM organisations WHERE code = $1 LIMIT 1`,
      [code],
      db,
    );
  }

  byId(id: string): Promise<OrganisationEntity | undefined> {
    return this.one<OrganisationEntity>(
      `SELECT ${ORGANISATION_COLUMNS}, created_at AS "createdAt" FROM organisations WHERE id = $1`,
      [id],
    );
  }

  all(): Promise<OrganisationEntity[]> {
    return this.rows<OrganisationEntity>(
      `SELECT ${ORGANISATION_COLUMNS}, created_at AS "createdAt" FROM organisations ORDER BY name`,
    );
  }

  nodes(): Promise<OrganisationNode[]> {
    return this.rows<OrganisationNode>(`SELECT ${ORGANISATION_COLUMNS} FROM organisations`);
  }

  /** The organisations with these ids, in the order given; ids not in the directory are left out. */
  summariesInOrder(ids: string[]): Promise<OrganisationSummary[]> {
    return this.rows<OrganisationSummary>(
      `SELECT o.id, o.code, o.name, o.short_name AS "shortName", o.kind
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, ord) JOIN organisations o ON o.id = x.id
        ORDER BY x.ord`,
      [ids],
    );
  }

  /** False when no organisation has the id. */
  async setAnswerDelivery(id: string, answerDelivery: AnswerDelivery): Promise<boolean> {
    const rows = await this.rows(`UPDATE organisations SET answer_delivery = $2 WHERE id = $1 RETURNING id`, [
      id,
      answerDelivery,
    ]);
    return rows.length > 0;
  }

  /** Which of these ids are in the directory. */
  async existingIds(ids: string[], db: Db = this.pool): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(
      `SELECT id FROM organisations WHERE id = ANY($1::uuid[])`,
      [ids],
      db,
    );
    return rows.map((r) => r.id);
  }

  /** Ids of the organisations with these codes, in the order given; unknown codes are left out. */
  async idsByCodesInOrder(codes: string[], db: Db = this.pool): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(
      `SELECT o.id FROM unnest($1::text[]) WITH ORDINALITY AS x(code, ord)
         JOIN organisations o ON o.code = x.code ORDER BY x.ord`,
      [codes],
      db,
    );
    return rows.map((r) => r.id);
  }

  topicDirectory(): Promise<TopicDirectoryEntry[]> {
    return this.rows<TopicDirectoryEntry>(
      `SELECT t.id, t.code, t.name, t.parent_id AS "parentId", t.default_organisation_id AS "defaultOrganisationId",
              o.short_name AS "defaultOrganisationName", t.rubricator_version AS "rubricatorVersion"
         FROM topics t LEFT JOIN organisations o ON o.id = t.default_organisation_id
        ORDER BY t.parent_id NULLS FIRST, t.name`,
    );
  }
}
