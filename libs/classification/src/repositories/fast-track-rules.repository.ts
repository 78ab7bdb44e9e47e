import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';
import { type FastTrackRuleData } from '../fast-track/fast-track-match';

export interface FastTrackRule extends FastTrackRuleData {
  topic: { id: string; code: string; name: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `r.id, r.name, r.topic_id AS "topicId", r.keywords, r.channels, r.months, r.active,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt",
  CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, 'code', t.code, 'name', t.name) END AS topic`;

const DATA_COLUMNS = `id, name, topic_id AS "topicId", keywords, channels, months, active`;

/** The `fast_track_rules` table. */
@Injectable()
export class FastTrackRulesRepository extends SqlRepository {
  active(db: Db = this.pool): Promise<FastTrackRuleData[]> {
    return this.rows<FastTrackRuleData>(`SELECT ${DATA_COLUMNS} FROM fast_track_rules WHERE active`, [], db);
  }

  list(): Promise<FastTrackRule[]> {
    return this.rows<FastTrackRule>(
      `SELECT ${COLUMNS} FROM fast_track_rules r LEFT JOIN topics t ON t.id = r.topic_id ORDER BY r.active DESC, r.name`,
    );
  }

  view(id: string, db: Db = this.pool): Promise<FastTrackRule | undefined> {
    return this.one<FastTrackRule>(
      `SELECT ${COLUMNS} FROM fast_track_rules r LEFT JOIN topics t ON t.id = r.topic_id WHERE r.id = $1`,
      [id],
      db,
    );
  }

  lock(tx: Db, id: string): Promise<FastTrackRuleData | undefined> {
    return this.one<FastTrackRuleData>(
      `SELECT ${DATA_COLUMNS} FROM fast_track_rules WHERE id = $1 FOR UPDATE`,
      [id],
      tx,
    );
  }

  names(tx: Db): Promise<{ id: string; name: string }[]> {
    return this.rows(`SELECT id, name FROM fast_track_rules`, [], tx);
  }

  async topicExists(tx: Db, id: string): Promise<boolean> {
    return (await this.one(`SELECT 1 FROM topics WHERE id = $1`, [id], tx)) !== undefined;
  }

  async insert(tx: Db, rule: Omit<FastTrackRuleData, 'id'>): Promise<string> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO fast_track_rules (name, topic_id, keywords, channels, months, active)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [rule.name, rule.topicId, rule.keywords, rule.channels, rule.months, rule.active],
      tx,
    );
    return row!.id;
  }

  async update(tx: Db, id: string, rule: Omit<FastTrackRuleData, 'id'>): Promise<void> {
    await this.rows(
      `UPDATE fast_track_rules SET name = $2, topic_id = $3, keywords = $4, channels = $5, months = $6,
              active = $7, updated_at = now() WHERE id = $1`,
      [id, rule.name, rule.topicId, rule.keywords, rule.channels, rule.months, rule.active],
      tx,
    );
  }

  async delete(tx: Db, id: string): Promise<void> {
    await this.rows(`DELETE FROM fast_track_rules WHERE id = $1`, [id], tx);
  }
}
