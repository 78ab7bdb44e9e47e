import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The knowledge base (R8; S0 annex 2, S1 §2–4, S4 §37–41): sections owned by an organisation, articles with
 * every published version kept, change requests with their approval clocks, clock marks, the record of which
 * article served an appeal, and each organisation's responsible person and public-FAQ consent. Owned by
 * libs/knowledge.
 */
export class KnowledgeBase1796166087650 implements MigrationInterface {
  name = 'KnowledgeBase1796166087650';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- S1 п. 3.1, S0 п. 3.2.4: each organisation names its responsible person; it may publish its FAQ.
      CREATE TABLE kb_organisation_settings (
        organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
        responsible_user_id uuid REFERENCES users(id),
        public_faq boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- S4 п. 39: a section belongs to the organisation (unit) responsible for the function; reviewed quarterly (п. 41).
      CREATE TABLE kb_sections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        topic_id uuid REFERENCES topics(id),
        title text NOT NULL,
        description text,
        responsible_user_id uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_reviewed_at timestamptz,
        last_reviewed_by uuid REFERENCES users(id),
        review_due_at timestamptz NOT NULL,
        UNIQUE (organisation_id, title)
      );
      CREATE INDEX kb_sections_review_idx ON kb_sections(review_due_at);

      -- The current published content of each article; every version is in kb_article_versions.
      CREATE TABLE kb_articles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        section_id uuid NOT NULL REFERENCES kb_sections(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        topic_id uuid REFERENCES topics(id),
        kind text NOT NULL CHECK (kind IN ('template','faq','greeting-script','farewell-script','call-script',
          'legal-act','service','schedule','contacts','solved-example')),
        status text NOT NULL DEFAULT 'published' CHECK (status IN ('published','archived')),
        version integer NOT NULL,
        title text NOT NULL,
        question text,
        body text NOT NULL,
        parts jsonb NOT NULL DEFAULT '[]',
        keywords text[] NOT NULL DEFAULT '{}',
        links uuid[] NOT NULL DEFAULT '{}',
        attachment_ids uuid[] NOT NULL DEFAULT '{}',
        source text,
        public boolean NOT NULL DEFAULT false,
        published_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Written with the content by the repository (title and question A, keywords B, body and parts C).
        search_vector tsvector NOT NULL
      );
      CREATE INDEX kb_articles_search_idx ON kb_articles USING gin(search_vector);
      CREATE INDEX kb_articles_topic_idx ON kb_articles(topic_id) WHERE status = 'published';
      CREATE INDEX kb_articles_org_idx ON kb_articles(organisation_id, section_id);
      CREATE INDEX kb_articles_links_idx ON kb_articles USING gin(links);

      CREATE TABLE kb_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        file_name text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL,
        sha256 text NOT NULL REFERENCES attachment_contents(sha256),
        uploaded_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );

      -- S0 annex 2 п. 2.1–2.4: request → sent to the responsible person the same day → approved or returned
      -- within 3 working days → published within 2 working days; a topic set: 5 + 5 working days (п. 1–2).
      CREATE TABLE kb_change_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        section_id uuid REFERENCES kb_sections(id),
        article_id uuid REFERENCES kb_articles(id),
        kind text NOT NULL CHECK (kind IN ('content','topic-set')),
        origin text NOT NULL CHECK (origin IN ('organisation','management-centre','escalation','worth-adding',
          'appeals-stream')),
        status text NOT NULL CHECK (status IN ('draft','sent','returned','approved','published','cancelled')),
        subject text NOT NULL,
        details text,
        proposed jsonb,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL,
        send_due_at timestamptz NOT NULL,
        sent_at timestamptz,
        approval_due_at timestamptz,
        decided_at timestamptz,
        decided_by uuid REFERENCES users(id),
        decision_comment text,
        publication_due_at timestamptz,
        published_at timestamptz,
        published_by uuid REFERENCES users(id),
        published_article_id uuid REFERENCES kb_articles(id),
        published_version integer,
        -- The appeal history event (an escalation "no answer in the KB") this request came from: one request per
        -- event and organisation, however often the event is seen.
        source_event_id bigint,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source_event_id, organisation_id)
      );
      CREATE INDEX kb_change_requests_org_idx ON kb_change_requests(organisation_id, status);
      CREATE INDEX kb_change_requests_open_idx ON kb_change_requests(status)
        WHERE status IN ('draft','sent','returned','approved');

      CREATE TABLE kb_article_versions (
        article_id uuid NOT NULL REFERENCES kb_articles(id),
        version integer NOT NULL,
        content jsonb NOT NULL,
        change_request_id uuid REFERENCES kb_change_requests(id),
        published_by uuid REFERENCES users(id),
        published_at timestamptz NOT NULL,
        PRIMARY KEY (article_id, version)
      );
      -- Every version is kept as published: no update, no delete.
      CREATE FUNCTION kb_article_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'kb_article_versions is append-only';
      END $$;
      CREATE TRIGGER kb_article_versions_no_update BEFORE UPDATE OR DELETE ON kb_article_versions
        FOR EACH ROW EXECUTE FUNCTION kb_article_versions_append_only();

      -- Appeals a request is about (an escalation without an answer, an answer worth adding, repeated questions).
      CREATE TABLE kb_request_appeals (
        request_id uuid NOT NULL REFERENCES kb_change_requests(id),
        appeal_id uuid NOT NULL REFERENCES appeals(id),
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, appeal_id)
      );
      CREATE INDEX kb_request_appeals_appeal_idx ON kb_request_appeals(appeal_id);

      CREATE TABLE kb_request_events (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES kb_change_requests(id),
        type text NOT NULL,
        actor uuid REFERENCES users(id),
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX kb_request_events_request_idx ON kb_request_events(request_id, id);

      -- Which article served: inserted into an answer draft, or an answer given on the spot on line 1.
      CREATE TABLE kb_article_uses (
        id bigserial PRIMARY KEY,
        article_id uuid NOT NULL REFERENCES kb_articles(id),
        version integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('inserted','answered-on-the-spot')),
        appeal_id uuid REFERENCES appeals(id),
        user_id uuid REFERENCES users(id),
        used_at timestamptz NOT NULL
      );
      CREATE INDEX kb_article_uses_article_idx ON kb_article_uses(article_id, kind);
      CREATE INDEX kb_article_uses_appeal_idx ON kb_article_uses(appeal_id) WHERE appeal_id IS NOT NULL;

      -- At-risk and overdue marks of the KB clocks (request terms, quarterly review), each recorded once.
      CREATE TABLE kb_clock_marks (
        id bigserial PRIMARY KEY,
        subject_type text NOT NULL CHECK (subject_type IN ('request','section')),
        subject_id uuid NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        clock text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('at-risk','overdue')),
        due_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        UNIQUE (subject_id, clock, kind, due_at)
      );
      CREATE INDEX kb_clock_marks_org_idx ON kb_clock_marks(organisation_id, kind);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE kb_clock_marks;
      DROP TABLE kb_article_uses;
      DROP TABLE kb_request_events;
      DROP TABLE kb_request_appeals;
      DROP TABLE kb_article_versions;
      DROP FUNCTION kb_article_versions_append_only();
      DROP TABLE kb_change_requests;
      DROP TABLE kb_attachments;
      DROP TABLE kb_articles;
      DROP TABLE kb_sections;
      DROP TABLE kb_organisation_settings;
    `);
  }
}
