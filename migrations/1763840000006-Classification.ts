import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Classification and routing intelligence: rubricator versions and typical needs, classifier models and
 * their scores, predictions with confidence, fast-track rules, 59-ФЗ flags for a human to confirm, and
 * incidents that group many items about one problem.
 */
export class Classification1763840000006 implements MigrationInterface {
  name = 'Classification1763840000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rubricator_versions (
        version integer PRIMARY KEY,
        note text,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO rubricator_versions (version, note) VALUES (1, 'Начальная версия');

      ALTER TABLE topics
        ADD COLUMN active boolean NOT NULL DEFAULT true,
        ADD COLUMN typical_needs text[] NOT NULL DEFAULT '{}';

      CREATE TABLE classifier_models (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target text NOT NULL,
        path text NOT NULL,
        status text NOT NULL CHECK (status IN ('candidate','promoted','rejected','retired')),
        trained_rows integer NOT NULL,
        scores jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        promoted_at timestamptz
      );
      CREATE UNIQUE INDEX classifier_models_promoted_uq ON classifier_models(target) WHERE status = 'promoted';

      ALTER TABLE appeals
        ADD COLUMN classification_state text NOT NULL DEFAULT 'pending'
          CHECK (classification_state IN ('pending','auto','manual','confirmed')),
        ADD COLUMN classification_confidence real,
        ADD COLUMN classifier_model_id uuid REFERENCES classifier_models(id),
        ADD COLUMN suggested_organisation_ids uuid[] NOT NULL DEFAULT '{}',
        ADD COLUMN incident_id uuid;
      CREATE INDEX appeals_manual_queue_idx ON appeals(registered_at) WHERE classification_state = 'manual';

      CREATE TABLE fast_track_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        topic_id uuid REFERENCES topics(id),
        keywords text[] NOT NULL DEFAULT '{}',
        channels text[] NOT NULL DEFAULT '{}',
        -- Months when the rule applies (1–12), e.g. no heating only in the heating season; empty = all year.
        months integer[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (topic_id IS NOT NULL OR cardinality(keywords) > 0 OR cardinality(channels) > 0)
      );

      -- 59-ФЗ grounds (anonymous, obscene, repeated, court decision, several topics) raised for a human.
      CREATE TABLE appeal_flags (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        flag text NOT NULL,
        evidence jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'raised' CHECK (status IN ('raised','confirmed','dismissed')),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (appeal_id, flag)
      );

      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL,
        topic_id uuid REFERENCES topics(id),
        address_key text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','answered','closed')),
        appeals_count integer NOT NULL DEFAULT 0,
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE appeals ADD CONSTRAINT appeals_incident_fk FOREIGN KEY (incident_id) REFERENCES incidents(id);
      CREATE INDEX appeals_incident_idx ON appeals(incident_id) WHERE incident_id IS NOT NULL;
      CREATE INDEX incidents_open_idx ON incidents(topic_id, address_key, last_at) WHERE status = 'open';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX appeals_incident_idx;
      ALTER TABLE appeals DROP CONSTRAINT appeals_incident_fk;
      DROP TABLE incidents;
      DROP TABLE appeal_flags;
      DROP TABLE fast_track_rules;
      DROP INDEX appeals_manual_queue_idx;
      ALTER TABLE appeals DROP COLUMN classification_state, DROP COLUMN classification_confidence,
        DROP COLUMN classifier_model_id, DROP COLUMN suggested_organisation_ids, DROP COLUMN incident_id;
      DROP TABLE classifier_models;
      ALTER TABLE topics DROP COLUMN active, DROP COLUMN typical_needs;
      DROP TABLE rubricator_versions;
    `);
  }
}
