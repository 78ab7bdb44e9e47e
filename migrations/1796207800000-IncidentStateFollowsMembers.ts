import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An incident's state follows its members, whoever changes them: open while one of its appeals is still in work;
 * once none is, answered when one of them was answered, else closed (all closed, redirected, joined into another
 * appeal, or excluded by line 1). It was set only by the incident's own approval, so an incident whose appeals were
 * answered one by one on their cards, closed, joined or excluded stayed open in the list and on the dashboard.
 * An appeal that comes back into work (reopened) or is added reopens its incident.
 *
 * Triggers, as the dashboard's counts are kept: on an appeal whose status crosses between in work and done, and on
 * every link or unlink of an appeal (appeal_incidents). The incident's row is locked first and its members read
 * after (each statement of the function sees what committed before it), so two members finishing at once cannot
 * both read the other as still in work. Locks go appeal → incident, as the workflow, the exclusion and the grouping
 * pass take them; a statement linking many appeals locks their incidents in id order.
 */
export class IncidentStateFollowsMembers1796207800000 implements MigrationInterface {
  name = 'IncidentStateFollowsMembers1796207800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION incident_follow_members(incident uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        target text;
      BEGIN
        PERFORM 1 FROM incidents WHERE id = incident FOR NO KEY UPDATE;
        SELECT CASE WHEN bool_or(a.status NOT IN ('answered', 'closed', 'redirected')) THEN 'open'
                    WHEN bool_or(a.status = 'answered') THEN 'answered'
                    ELSE 'closed' END
          INTO target
          FROM appeal_incidents l JOIN appeals a ON a.id = l.appeal_id WHERE l.incident_id = incident;
        UPDATE incidents
           SET status = target,
               answered_at = CASE target WHEN 'open' THEN NULL WHEN 'answered' THEN coalesce(answered_at, now())
                                         ELSE answered_at END,
               answered_by = CASE WHEN target = 'open' THEN NULL ELSE answered_by END
         WHERE id = incident AND status IS DISTINCT FROM target;
      END $$;

      CREATE FUNCTION appeal_incident_follow() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        incident uuid;
      BEGIN
        SELECT incident_id INTO incident FROM appeal_incidents WHERE appeal_id = NEW.id;
        IF incident IS NOT NULL THEN
          PERFORM incident_follow_members(incident);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER appeals_incident_state AFTER UPDATE OF status ON appeals FOR EACH ROW
        WHEN ((OLD.status IN ('answered', 'closed', 'redirected'))
              IS DISTINCT FROM (NEW.status IN ('answered', 'closed', 'redirected')))
        EXECUTE FUNCTION appeal_incident_follow();

      CREATE FUNCTION appeal_incidents_follow() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        incident uuid;
      BEGIN
        FOR incident IN SELECT DISTINCT incident_id FROM changed ORDER BY incident_id LOOP
          PERFORM incident_follow_members(incident);
        END LOOP;
        RETURN NULL;
      END $$;
      CREATE TRIGGER appeal_incidents_linked AFTER INSERT ON appeal_incidents
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appeal_incidents_follow();
      CREATE TRIGGER appeal_incidents_unlinked AFTER DELETE ON appeal_incidents
        REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appeal_incidents_follow();

      -- The incidents as their members stand now.
      SELECT incident_follow_members(id) FROM incidents ORDER BY id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER appeal_incidents_unlinked ON appeal_incidents;
      DROP TRIGGER appeal_incidents_linked ON appeal_incidents;
      DROP TRIGGER appeals_incident_state ON appeals;
      DROP FUNCTION appeal_incidents_follow();
      DROP FUNCTION appeal_incident_follow();
      DROP FUNCTION incident_follow_members(uuid);
    `);
  }
}
