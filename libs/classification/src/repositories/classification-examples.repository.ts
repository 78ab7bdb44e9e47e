import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

export interface ExampleRow {
  text: string;
  features: Record<string, string>;
  label: string;
}

export interface StoredExample extends ExampleRow {
  id: string;
  createdAt: Date;
}

export interface ExampleBatch {
  batchId: string;
  rows: number;
  createdAt: Date;
  labels: number;
}

/** `classification_examples`: labelled history uploaded as CSV, in batches that can be deleted whole. */
@Injectable()
export class ClassificationExamplesRepository extends SqlRepository {
  /** Stores a batch, 500 rows a statement. */
  async insertBatch(
    batchId: string,
    rows: readonly ExampleRow[],
    createdBy: string | null,
    db: Db,
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await db.query(
        `INSERT INTO classification_examples (batch_id, text, features, label, created_by)
         SELECT $1, x.text, x.features, x.label, $5
           FROM unnest($2::text[], $3::jsonb[], $4::text[]) AS x(text, features, label)`,
        [
          batchId,
          batch.map((r) => r.text),
          batch.map((r) => JSON.stringify(r.features)),
          batch.map((r) => r.label),
          createdBy,
        ],
      );
    }
  }

  batches(): Promise<ExampleBatch[]> {
    return this.rows<ExampleBatch>(
      `SELECT batch_id AS "batchId", count(*)::int AS rows, min(created_at) AS "createdAt",
              count(DISTINCT label)::int AS labels
         FROM classification_examples GROUP BY batch_id ORDER BY min(created_at) DESC`,
    );
  }

  /** Deletes a batch; how many rows it had. */
  async deleteBatch(batchId: string, db: Db): Promise<number> {
    const row = await this.one<{ n: number }>(
      `WITH d AS (DELETE FROM classification_examples WHERE batch_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [batchId],
      db,
    );
    return row?.n ?? 0;
  }

  /** The newest examples, newest first. */
  newest(limit: number, db: Db = this.pool): Promise<StoredExample[]> {
    return this.rows<StoredExample>(
      `SELECT id::text, text, features, label, created_at AS "createdAt" FROM classification_examples
        ORDER BY id DESC LIMIT $1`,
      [limit],
      db,
    );
  }

  async any(): Promise<boolean> {
    return (await this.one<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM classification_examples) AS ok`))!
      .ok;
  }
}
