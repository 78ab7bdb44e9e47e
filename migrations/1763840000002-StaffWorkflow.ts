import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Staff workflow: users and roles, an append-only audit log, routing rules, line-2 escalation state per
 * organisation, answers and templates, outbound messages, clock marks (at risk / overdue) with
 * notifications, ratings and the record of poorly rated answers for repeat-problem analysis.
 */
export class StaffWorkflow1763840000002 implements MigrationInterface {
  name = 'StaffWorkflow1763840000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        login text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        full_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('operator','clerk','supervisor','admin')),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        -- A clerk or supervisor may also see the subordinate bodies of their organisation.
        sees_subordinates boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX users_organisation_idx ON users(organisation_id);

      -- Who read personal data and who changed what. Nobody edits it: not the API, not an admin.
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid REFERENCES users(id),
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        outcome text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok','denied')),
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_entity_idx ON audit_log(entity_type, entity_id, id);
      CREATE INDEX audit_log_user_idx ON audit_log(user_id, id);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

      -- Competence rules: topic and/or territory → one or several organisations. Rules are data.
      CREATE TABLE routing_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        priority integer NOT NULL DEFAULT 100,
        topic_id uuid REFERENCES topics(id),
        territory_code text,
        organisation_ids uuid[] NOT NULL CHECK (cardinality(organisation_ids) > 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (topic_id IS NOT NULL OR territory_code IS NOT NULL)
      );

      -- Line 2: the state of the appeal at each organisation it was escalated to.
      ALTER TABLE appeal_organisations
        ADD COLUMN line smallint NOT NULL DEFAULT 1 CHECK (line IN (1, 2)),
        ADD COLUMN state text NOT NULL DEFAULT 'active' CHECK (state IN ('active','returned','answered','withdrawn')),
        ADD COLUMN due_at timestamptz,
        ADD COLUMN extension_limit_at timestamptz,
        ADD COLUMN extended_until timestamptz,
        ADD COLUMN extension_reason text,
        ADD COLUMN returned_at timestamptz,
        ADD COLUMN return_reason text,
        ADD COLUMN answered_at timestamptz;

      ALTER TABLE appeals
        ADD COLUMN line smallint NOT NULL DEFAULT 1,
        ADD COLUMN escalation_due_at timestamptz,
        ADD COLUMN extension_reason text,
        ADD COLUMN reopen_count integer NOT NULL DEFAULT 0,
        ADD COLUMN answered_at timestamptz,
        ADD COLUMN closed_at timestamptz;
      CREATE INDEX appeals_open_due_idx ON appeals(answer_due_at)
        WHERE status IN ('registered','in_work','escalated','returned','extended','reopened');

      CREATE TABLE answer_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid REFERENCES organisations(id),
        topic_id uuid REFERENCES topics(id),
        title text NOT NULL,
        body text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE answers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        author_id uuid NOT NULL REFERENCES users(id),
        template_id uuid REFERENCES answer_templates(id),
        text text NOT NULL,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','approved','sent')),
        approved_by uuid REFERENCES users(id),
        approved_at timestamptz,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX answers_appeal_idx ON answers(appeal_id);

      -- Everything we send to a citizen or a channel; delivered by the worker, retried, never dropped.
      CREATE TABLE outbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        answer_id uuid REFERENCES answers(id),
        channel text NOT NULL,
        kind text NOT NULL,
        text text NOT NULL,
        subject text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        remote_id text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX outbound_messages_appeal_idx ON outbound_messages(appeal_id);
      CREATE INDEX outbound_messages_queued_idx ON outbound_messages(created_at) WHERE status = 'queued';

      -- A clock crossing its at-risk or overdue line, recorded once (the unique key stops a second worker).
      CREATE TABLE clock_marks (
        id bigserial PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        clock text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('at-risk','overdue')),
        due_at timestamptz NOT NULL,
        holder_user_id uuid REFERENCES users(id),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (appeal_id, organisation_id, clock, kind, due_at)
      );
      CREATE INDEX clock_marks_org_idx ON clock_marks(organisation_id, kind);

      CREATE TABLE notifications (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL,
        appeal_id uuid REFERENCES appeals(id),
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
      );
      CREATE INDEX notifications_user_idx ON notifications(user_id, id DESC);

      CREATE TABLE ratings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        answer_id uuid REFERENCES answers(id),
        channel text NOT NULL,
        external_id text NOT NULL,
        answered boolean,
        satisfaction text CHECK (satisfaction IN ('satisfied','partially','not-satisfied')),
        channel_score jsonb,
        poor boolean NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, external_id)
      );
      CREATE INDEX ratings_appeal_idx ON ratings(appeal_id);

      -- S3 п. 3.3.4: poorly rated answers kept for systematic analysis of repeated low ratings.
      CREATE TABLE poor_rating_records (
        id bigserial PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        rating_id uuid NOT NULL UNIQUE REFERENCES ratings(id),
        answer_id uuid REFERENCES answers(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        topic_id uuid REFERENCES topics(id),
        superior_organisation_id uuid REFERENCES organisations(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX poor_rating_records_org_topic_idx ON poor_rating_records(organisation_id, topic_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE poor_rating_records;
      DROP TABLE ratings;
      DROP TABLE notifications;
      DROP TABLE clock_marks;
      DROP TABLE outbound_messages;
      DROP TABLE answers;
      DROP TABLE answer_templates;
      DROP INDEX appeals_open_due_idx;
      ALTER TABLE appeals DROP COLUMN line, DROP COLUMN escalation_due_at, DROP COLUMN extension_reason,
        DROP COLUMN reopen_count, DROP COLUMN answered_at, DROP COLUMN closed_at;
      ALTER TABLE appeal_organisations DROP COLUMN line, DROP COLUMN state, DROP COLUMN due_at,
        DROP COLUMN extension_limit_at, DROP COLUMN extended_until, DROP COLUMN extension_reason,
        DROP COLUMN returned_at, DROP COLUMN return_reason, DROP COLUMN answered_at;
      DROP TABLE routing_rules;
      DROP TABLE audit_log;
      DROP FUNCTION audit_log_append_only();
      DROP TABLE users;
      DROP TABLE settings;
    `);
  }
}
