import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The appeal spine: organisations, topics, applicants (personal data in their own table), channel
 * accounts, raw inbound items, appeals with their organisations, threads, attachments and an append-only
 * event history.
 */
export class InitialSchema1763840000000 implements MigrationInterface {
  name = 'InitialSchema1763840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        short_name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('region','management-centre','department','subordinate','municipality')),
        parent_id uuid REFERENCES organisations(id),
        time_zone text NOT NULL,
        working_hours jsonb NOT NULL,
        contacts jsonb NOT NULL DEFAULT '{}',
        territory_codes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX organisations_parent_idx ON organisations(parent_id);

      CREATE TABLE topics (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        parent_id uuid REFERENCES topics(id),
        default_organisation_id uuid REFERENCES organisations(id),
        rubricator_version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      -- Personal data (152-ФЗ) lives here and only here.
      CREATE TABLE applicants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        external_id text,
        surname text,
        first_name text,
        patronymic text,
        display_name text,
        email text,
        phone text,
        postal_address text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX applicants_channel_external_uq ON applicants(channel, external_id) WHERE external_id IS NOT NULL;

      CREATE TABLE channel_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        settings jsonb NOT NULL DEFAULT '{}',
        cursor jsonb,
        sync_stage text NOT NULL DEFAULT 'idle',
        last_success_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        items_received bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, name)
      );

      CREATE TABLE attachment_contents (
        sha256 text PRIMARY KEY,
        size integer NOT NULL,
        content bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      -- What arrived, stored before anything else happens to it. Unique per channel + external id.
      CREATE TABLE inbound_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        external_id text NOT NULL,
        account_id uuid REFERENCES channel_accounts(id),
        received_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','processed','failed','quarantined')),
        appeal_id uuid,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        UNIQUE (channel, external_id)
      );
      CREATE INDEX inbound_items_pending_idx ON inbound_items(created_at) WHERE status = 'pending';

      CREATE TABLE appeals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        registration_number text NOT NULL UNIQUE,
        registered_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        regime text NOT NULL CHECK (regime IN ('message','appeal')),
        channel text NOT NULL,
        external_id text NOT NULL,
        inbound_item_id uuid NOT NULL UNIQUE REFERENCES inbound_items(id),
        applicant_id uuid NOT NULL REFERENCES applicants(id),
        subject text,
        text text NOT NULL,
        address text,
        territory_code text,
        channel_category jsonb,
        topic_id uuid REFERENCES topics(id),
        subtopic_id uuid REFERENCES topics(id),
        typical_need text,
        fast_track boolean NOT NULL DEFAULT false,
        status text NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        assignee_id uuid,
        time_zone text NOT NULL,
        registration_due_at timestamptz NOT NULL,
        redirect_due_at timestamptz NOT NULL,
        answer_due_date date NOT NULL,
        answer_due_at timestamptz NOT NULL,
        extended boolean NOT NULL DEFAULT false,
        deadline_warnings jsonb NOT NULL DEFAULT '[]',
        calendar_version text NOT NULL,
        access_code_hash text NOT NULL,
        reply_address jsonb,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_vector tsvector GENERATED ALWAYS AS (
          to_tsvector('russian', coalesce(subject, '') || ' ' || text || ' ' || coalesce(address, ''))
        ) STORED
      );
      ALTER TABLE inbound_items ADD CONSTRAINT inbound_items_appeal_fk FOREIGN KEY (appeal_id) REFERENCES appeals(id);
      CREATE INDEX appeals_registered_idx ON appeals(registered_at DESC, id DESC);
      CREATE INDEX appeals_due_idx ON appeals(answer_due_at, id);
      CREATE INDEX appeals_org_status_idx ON appeals(organisation_id, status);
      CREATE INDEX appeals_channel_idx ON appeals(channel, external_id);
      CREATE INDEX appeals_fast_track_idx ON appeals(answer_due_at) WHERE fast_track;
      CREATE INDEX appeals_search_idx ON appeals USING gin(search_vector);

      -- Every organisation an appeal is with (the responsible one and co-executors).
      CREATE TABLE appeal_organisations (
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        role text NOT NULL DEFAULT 'responsible',
        assigned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (appeal_id, organisation_id)
      );
      CREATE INDEX appeal_organisations_org_idx ON appeal_organisations(organisation_id);

      -- Conversation keys (chat, dialogue, Message-ID) that make a follow-up join its appeal.
      CREATE TABLE appeal_threads (
        channel text NOT NULL,
        thread_key text NOT NULL,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, thread_key, appeal_id)
      );

      CREATE TABLE attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        inbound_item_id uuid REFERENCES inbound_items(id),
        file_name text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL,
        sha256 text REFERENCES attachment_contents(sha256),
        status text NOT NULL DEFAULT 'stored' CHECK (status IN ('stored','rejected','remote')),
        rejection_reason text,
        remote_ref text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX attachments_appeal_idx ON attachments(appeal_id);

      CREATE TABLE appeal_events (
        id bigserial PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        type text NOT NULL,
        actor text NOT NULL DEFAULT 'system',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        data jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX appeal_events_appeal_idx ON appeal_events(appeal_id, id);

      -- The history is append-only: no update, no delete, whoever connects.
      CREATE FUNCTION appeal_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'appeal_events is append-only';
      END $$;
      CREATE TRIGGER appeal_events_no_update BEFORE UPDATE OR DELETE ON appeal_events
        FOR EACH ROW EXECUTE FUNCTION appeal_events_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE appeal_events;
      DROP FUNCTION appeal_events_append_only();
      DROP TABLE attachments;
      DROP TABLE appeal_threads;
      DROP TABLE appeal_organisations;
      ALTER TABLE inbound_items DROP CONSTRAINT inbound_items_appeal_fk;
      DROP TABLE appeals;
      DROP TABLE inbound_items;
      DROP TABLE attachment_contents;
      DROP TABLE channel_accounts;
      DROP TABLE applicants;
      DROP TABLE topics;
      DROP TABLE organisations;
    `);
  }
}
