import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** "Every subtopic" and "every organisation" in the counts' keys; "the whole region" is the territory ''. */
const ALL = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** A 5-digit municipality prefix of a territory code, as the learned routing asks it, or NULL. */
const territorySql = (code: string) => `CASE WHEN ${code} ~ '^[0-9]{5}' THEN left(${code}, 5) END`;

/** A routing correction's organisation it corrected away from, when it names one. */
const RETURNED_FROM = `CASE WHEN c.kind = 'routing'
    AND c.before->>'organisationId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN (c.before->>'organisationId')::uuid END`;

/**
 * Adds `rows` (topic_id, subtopic_id, territory_code, registered_at, organisation_id, answered, returned — the
 * last two signed) to routing_history_counts: each under its territory's prefix and the region (''), its
 * subtopic and every subtopic, and the totals per month under every organisation. One statement, keys in order.
 */
export function addToRoutingHistorySql(rows: string): string {
  return `
    INSERT INTO routing_history_counts AS c (topic_id, territory, subtopic_id, month, organisation_id, answered, returned)
    SELECT r.topic_id, k.territory, k.subtopic_id, date_trunc('month', r.registered_at AT TIME ZONE 'UTC')::date,
           k.organisation_id, sum(r.answered)::int, sum(r.returned)::int
      FROM (${rows}) r
      CROSS JOIN LATERAL (VALUES
        (${territorySql('r.territory_code')}, r.subtopic_id, r.organisation_id),
        ('', r.subtopic_id, r.organisation_id),
        (${territorySql('r.territory_code')}, ${ALL}, r.organisation_id),
        ('', ${ALL}, r.organisation_id),
        (${territorySql('r.territory_code')}, ${ALL}, ${ALL}),
        ('', ${ALL}, ${ALL})
      ) k(territory, subtopic_id, organisation_id)
     WHERE r.topic_id IS NOT NULL AND r.organisation_id IS NOT NULL AND k.territory IS NOT NULL
       AND k.subtopic_id IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
    HAVING sum(r.answered) <> 0 OR sum(r.returned) <> 0
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (topic_id, territory, subtopic_id, month, organisation_id)
    DO UPDATE SET answered = c.answered + EXCLUDED.answered, returned = c.returned + EXCLUDED.returned`;
}

/**
 * Sent answers of `answers` as counted rows, signed. From a transition table (`byKey`) the appeals are read by
 * key: the planner knows nothing of its size and may otherwise scan appeals.
 */
const answeredRows = (answers: string, sign: number, byKey = true) => `
  SELECT a.topic_id, a.subtopic_id, a.territory_code, a.registered_at, n.organisation_id,
         ${sign} AS answered, 0 AS returned
    FROM ${answers} n JOIN appeals a ON a.id = n.appeal_id${
      byKey ? ` AND a.id = ANY (ARRAY(SELECT appeal_id FROM ${answers} WHERE status = 'sent'))` : ''
    }
   WHERE n.status = 'sent'`;

/** Routing corrections of `corrections` that name the organisation they corrected away from, signed. */
const returnedRows = (corrections: string, sign: number, byKey = true) => `
  SELECT a.topic_id, a.subtopic_id, a.territory_code, a.registered_at, ${RETURNED_FROM} AS organisation_id,
         0 AS answered, ${sign} AS returned
    FROM ${corrections} c JOIN appeals a ON a.id = c.appeal_id${
      byKey ? ` AND a.id = ANY (ARRAY(SELECT appeal_id FROM ${corrections} WHERE kind = 'routing'))` : ''
    }
   WHERE c.kind = 'routing'`;

/** One appeal's sent answers and routing corrections, keyed by `row`'s (OLD or NEW) columns, signed. */
const appealRows = (row: 'OLD' | 'NEW', sign: number) => `
  SELECT ${row}.topic_id, ${row}.subtopic_id, ${row}.territory_code, ${row}.registered_at, n.organisation_id,
         ${sign} AS answered, 0 AS returned
    FROM answers n WHERE n.appeal_id = ${row}.id AND n.status = 'sent'
  UNION ALL
  SELECT ${row}.topic_id, ${row}.subtopic_id, ${row}.territory_code, ${row}.registered_at, ${RETURNED_FROM},
         0, ${sign}
    FROM classification_corrections c WHERE c.appeal_id = ${row}.id AND c.kind = 'routing'`;

/**
 * routing_history_<name>(), fired after each statement on `table`: adds the rows it inserted, takes away those it
 * deleted, and for an update both (a row that stays counted nets to nothing).
 */
const statementTriggers = (name: string, table: string, rows: (t: string, sign: number) => string) => `
  CREATE FUNCTION routing_history_${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      ${addToRoutingHistorySql(rows('new_rows', 1))};
    ELSIF TG_OP = 'DELETE' THEN
      ${addToRoutingHistorySql(rows('old_rows', -1))};
    ELSE
      ${addToRoutingHistorySql(`${rows('new_rows', 1)} UNION ALL ${rows('old_rows', -1)}`)};
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER routing_history_${name}_insert AFTER INSERT ON ${table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routing_history_${name}();
  CREATE TRIGGER routing_history_${name}_update AFTER UPDATE ON ${table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION routing_history_${name}();
  CREATE TRIGGER routing_history_${name}_delete AFTER DELETE ON ${table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION routing_history_${name}();`;

/**
 * Issue 18: the learned routing read its history from the topic's latest 20 000 appeals (in the territory),
 * joining answers and corrections to each — 45 s and more per classification batch at 10 M appeals. Now it
 * reads these counts: per topic, territory prefix ('' the region), subtopic (ALL every one), month of the
 * appeal's registration (UTC) and organisation (ALL the month's total), the answers sent and the returns as
 * misrouted. They are kept by triggers in the transaction that sends an answer, records a routing correction,
 * or moves an appeal holding either to another topic, subtopic, territory or month — so no writer can miss
 * them, and an appeal moved to another topic counts there, as it did when the history was read from appeals.
 *
 * The recency bound stays a count: the reader takes the newest months whose evidence (answers and returns)
 * reaches 20 000, not the latest 20 000 appeals (counting appeals would put a hot row under every
 * registration and classification pass). Only topics with more history than that see a difference, at the
 * month's grain.
 */
export class RoutingHistoryCounts1796202900000 implements MigrationInterface {
  name = 'RoutingHistoryCounts1796202900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE routing_history_counts (
        topic_id uuid NOT NULL,
        territory text NOT NULL,
        subtopic_id uuid NOT NULL,
        month date NOT NULL,
        organisation_id uuid NOT NULL,
        answered integer NOT NULL DEFAULT 0,
        returned integer NOT NULL DEFAULT 0,
        PRIMARY KEY (topic_id, territory, subtopic_id, month, organisation_id)
      );
      -- The months' totals, newest first, where the reader finds how far back its evidence goes.
      CREATE INDEX routing_history_counts_months_idx ON routing_history_counts (topic_id, territory, month DESC)
        WHERE organisation_id = ${ALL};
    `);
    await q.query(`
      ${statementTriggers('answers', 'answers', answeredRows)}
      ${statementTriggers('corrections', 'classification_corrections', returnedRows)}

      -- An appeal moved to another key takes its answers and returns along (two probes by appeal when it has none).
      CREATE FUNCTION routing_history_appeal_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${addToRoutingHistorySql(`${appealRows('OLD', -1)} UNION ALL ${appealRows('NEW', 1)}`)};
        RETURN NULL;
      END $$;
      CREATE TRIGGER routing_history_appeal_moved
        AFTER UPDATE OF topic_id, subtopic_id, territory_code, registered_at ON appeals FOR EACH ROW
        WHEN (OLD.topic_id IS DISTINCT FROM NEW.topic_id OR OLD.subtopic_id IS DISTINCT FROM NEW.subtopic_id
          OR OLD.territory_code IS DISTINCT FROM NEW.territory_code
          OR date_trunc('month', OLD.registered_at AT TIME ZONE 'UTC')
             IS DISTINCT FROM date_trunc('month', NEW.registered_at AT TIME ZONE 'UTC'))
        EXECUTE FUNCTION routing_history_appeal_moved();
    `);
    // The history so far, set-based: the sent answers and routing corrections joined to their appeals.
    await q.query(
      addToRoutingHistorySql(
        `${answeredRows('answers', 1, false)} UNION ALL ${returnedRows('classification_corrections', 1, false)}`,
      ),
    );
    await q.query('ANALYZE routing_history_counts');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER routing_history_appeal_moved ON appeals;
      DROP TRIGGER routing_history_answers_insert ON answers;
      DROP TRIGGER routing_history_answers_update ON answers;
      DROP TRIGGER routing_history_answers_delete ON answers;
      DROP TRIGGER routing_history_corrections_insert ON classification_corrections;
      DROP TRIGGER routing_history_corrections_update ON classification_corrections;
      DROP TRIGGER routing_history_corrections_delete ON classification_corrections;
      DROP FUNCTION routing_history_appeal_moved();
      DROP FUNCTION routing_history_answers();
      DROP FUNCTION routing_history_corrections();
      DROP TABLE routing_history_counts;
    `);
  }
}
