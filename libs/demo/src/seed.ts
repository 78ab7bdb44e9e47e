import { type DataSource } from 'typeorm';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { generateDemoAppeals, DEFAULT_DEMO_SEED, type DemoApplicant, type DemoAppeal } from './demo-appeals';
import { DEMO_ORGANISATIONS } from './demo-organisations';
import { DEMO_TOPICS } from './demo-topics';

/**
 * Writes the demo directory (organisations, then the rubricator) idempotently: rows are upserted by code,
 * parents first, so a second start changes nothing and an edited demo file updates in place.
 */
export async function seedDirectory(ds: DataSource): Promise<void> {
  await ds.transaction(async (tx) => {
    for (const org of DEMO_ORGANISATIONS) {
      await tx.query(
        `INSERT INTO organisations (code, name, short_name, kind, parent_id, time_zone, working_hours, contacts,
           territory_codes)
         VALUES ($1, $2, $3, $4, (SELECT id FROM organisations WHERE code = $5), $6, $7, $8, $9)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name,
           kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id, time_zone = EXCLUDED.time_zone,
           working_hours = EXCLUDED.working_hours, contacts = EXCLUDED.contacts,
           territory_codes = EXCLUDED.territory_codes`,
        [
          org.code,
          org.name,
          org.shortName,
          org.kind,
          org.parentCode ?? null,
          org.timeZone,
          org.workingHours,
          org.contacts,
          org.territoryCodes ?? [],
        ],
      );
    }
    for (const topic of DEMO_TOPICS) {
      await tx.query(
        `INSERT INTO topics (code, name, parent_id, default_organisation_id)
         VALUES ($1, $2, (SELECT id FROM topics WHERE code = $3), (SELECT id FROM organisations WHERE code = $4))
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
           default_organisation_id = EXCLUDED.default_organisation_id`,
        [topic.code, topic.name, topic.parentCode ?? null, topic.defaultOrganisationCode ?? null],
      );
    }
  });
}

/**
 * Demo appeals as the channels would deliver them. Each keeps its original receipt instant as the
 * registration instant, so deadlines, at-risk and overdue items look like a real inbox a month in.
 */
export function demoInboundItems(count: number, now: Date, seed = DEFAULT_DEMO_SEED): InboundItem[] {
  return demoIntake(count, now, seed).map((d) => d.item);
}

/**
 * The demo items (as {@link demoInboundItems}) each with its applicant in full: what an operator who calls the
 * citizen back completes the card with before a line-2 request (the seed does, through the card's command).
 */
export function demoIntake(
  count: number,
  now: Date,
  seed = DEFAULT_DEMO_SEED,
): { item: InboundItem; applicant: DemoApplicant }[] {
  return generateDemoAppeals({ count, seed, now }).map((d) => ({
    item: demoItem(d),
    applicant: d.applicant,
  }));
}

function demoItem(d: DemoAppeal): InboundItem {
  return {
    channel: d.channel as Channel,
    externalId: d.externalId,
    receivedAt: d.receivedAt,
    registeredAt: d.receivedAt,
    regime: d.regime,
    fastTrack: d.fastTrack,
    author: d.author,
    subject: d.subject,
    text: d.text,
    address: d.address,
    territoryCode: d.territoryCode,
    features: { demoTopic: d.topicCode, demoSubtopic: d.subtopicCode },
    thread: d.author.externalId ? { key: `demo:${d.channel}:${d.externalId}` } : undefined,
  };
}

export { Channel };
