import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What classification learns from and keeps: the model file itself (every process loads the promoted one
 * from here, whatever machine it runs on), labelled examples uploaded as CSV, clerks' corrections of topics
 * and routes, what each rubricator version changed, and the keys that group near-identical items into
 * incidents (MinHash bands of the text, the normalised address).
 */
export class ClassificationLearning1763840000007 implements MigrationInterface {
  name = 'ClassificationLearning1763840000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE classifier_models ADD COLUMN model bytea;
      ALTER TABLE rubricator_versions ADD COLUMN changes jsonb NOT NULL DEFAULT '[]';

      -- Labelled history from another system (CSV): text, structured inputs, our topic code.
      CREATE TABLE classification_examples (
        id bigserial PRIMARY KEY,
        batch_id uuid NOT NULL,
        text text NOT NULL,
        features jsonb NOT NULL DEFAULT '{}',
        label text NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX classification_examples_batch_idx ON classification_examples(batch_id);

      -- A clerk changed what the model (or a colleague) chose: the topic, or the route. One per history event.
      CREATE TABLE classification_corrections (
        id bigserial PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        kind text NOT NULL CHECK (kind IN ('topic','routing')),
        source_event_id bigint NOT NULL REFERENCES appeal_events(id),
        actor text NOT NULL,
        before jsonb NOT NULL DEFAULT '{}',
        after jsonb NOT NULL DEFAULT '{}',
        model_id uuid REFERENCES classifier_models(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source_event_id, kind)
      );
      CREATE INDEX classification_corrections_appeal_idx ON classification_corrections(appeal_id);

      -- Incident clustering keys: MinHash LSH bands of the text's word 3-grams, the normalised address.
      CREATE TABLE appeal_cluster_keys (
        appeal_id uuid PRIMARY KEY REFERENCES appeals(id),
        registered_at timestamptz NOT NULL,
        topic_id uuid REFERENCES topics(id),
        address_key text,
        bands bigint[] NOT NULL DEFAULT '{}'
      );
      CREATE INDEX appeal_cluster_keys_bands_idx ON appeal_cluster_keys USING gin (bands);
      CREATE INDEX appeal_cluster_keys_address_idx ON appeal_cluster_keys(address_key, registered_at)
        WHERE address_key IS NOT NULL;

      ALTER TABLE incidents
        ADD COLUMN answered_at timestamptz,
        ADD COLUMN answered_by uuid REFERENCES users(id);
      CREATE INDEX appeals_classification_pending_idx ON appeals(created_at) WHERE classification_state = 'pending';
      -- Routing learned from history (answers by topic and territory) and repeated appeals of one applicant.
      CREATE INDEX appeals_topic_territory_idx ON appeals(topic_id, territory_code) WHERE topic_id IS NOT NULL;
      CREATE INDEX appeals_applicant_idx ON appeals(applicant_id, registered_at);
      CREATE INDEX applicants_email_idx ON applicants(lower(email)) WHERE email IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX applicants_email_idx;
      DROP INDEX appeals_applicant_idx;
      DROP INDEX appeals_topic_territory_idx;
      DROP INDEX appeals_classification_pending_idx;
      ALTER TABLE incidents DROP COLUMN answered_at, DROP COLUMN answered_by;
      DROP TABLE appeal_cluster_keys;
      DROP TABLE classification_corrections;
      DROP TABLE classification_examples;
      ALTER TABLE rubricator_versions DROP COLUMN changes;
      ALTER TABLE classifier_models DROP COLUMN model;
    `);
  }
}
