import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The INSERT branch's update of `appeal_part_organisations_sync` (AppealSearchScopeIndex). */
const ADD_PART = `UPDATE appeals SET part_organisation_ids = part_organisation_ids || NEW.organisation_id
             WHERE id = NEW.appeal_id AND NOT (NEW.organisation_id = ANY (part_organisation_ids));`;

const BODY = (insertBranch: string) => `
      CREATE OR REPLACE FUNCTION appeal_part_organisations_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${insertBranch}
        ELSE
          UPDATE appeals a SET part_organisation_ids = COALESCE((SELECT array_agg(p.organisation_id
                   ORDER BY p.organisation_id) FROM appeal_organisations p WHERE p.appeal_id = a.id), '{}')
           WHERE a.id = OLD.appeal_id OR a.id = (CASE WHEN TG_OP = 'UPDATE' THEN NEW.appeal_id END);
        END IF;
        RETURN NULL;
      END $$;`;

/**
 * Issue 18: registration writes `appeals.part_organisation_ids` with the appeal, so the part's row trigger
 * (`appeal_organisations_part_ids_insert`) ran, for every registered appeal, an UPDATE of `appeals` that found
 * nothing to do — yet an UPDATE's executor opens every index of `appeals` (23, four of them GIN) and fires its
 * statement-level UPDATE triggers, whatever it finds. The trigger now looks first (a read by the primary key) and
 * updates only when the appeal does not list the organisation yet (a part added later: an escalation, a
 * redirection). Backend CPU of inserting 4 000 parts the appeals already list, on the bench's 5 000-appeal
 * database, rolled back, eight pairs by turns: 37.5 → 30.6 µs a part (lower in all eight), the whole insert with
 * its foreign keys and statement triggers. `test/integration/part-listed-looks-first.test.ts`.
 */
export class PartListedLooksFirst1796205000000 implements MigrationInterface {
  name = 'PartListedLooksFirst1796205000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      BODY(`PERFORM FROM appeals WHERE id = NEW.appeal_id AND NEW.organisation_id = ANY (part_organisation_ids);
          IF NOT FOUND THEN
            ${ADD_PART}
          END IF;`),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(BODY(ADD_PART));
  }
}
