import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 18: every write of an appeal's row (the registration's insert, the classification pass's update, a
 * follow-up's touch; none HOT) adds an entry to each index on `appeals`. Each index here has a statement that
 * reads it; one added without a reader, or one left after its reader went (migration UnreadAppealIndexes), costs
 * every appeal for nothing. Adding an index means naming its reader here.
 */
const READERS: Record<string, string> = {
  appeals_pkey: 'by id, everywhere',
  appeals_inbound_item_id_key: 'an item’s appeal (registration, follow-ups, feeds)',
  appeals_registration_number_key: 'by number (bot, lookups); unique',
  appeals_registered_idx: 'inbox newest first, search windows',
  appeals_due_idx: 'inbox by due date',
  appeals_applicant_idx: 'earlier appeals of an applicant (legal flags), retention',
  appeals_open_due_idx: 'clock sweep',
  appeals_escalation_due_idx: 'clock sweep',
  appeals_fast_track_idx: 'fast-track filter by due date',
  appeals_open_fast_track_due_idx: 'dashboard fast-track list',
  appeals_open_id_idx: 'dashboard, count triggers',
  appeals_manual_queue_idx: 'manual classification queue',
  appeals_classification_pending_idx: 'classification pass, missed appeals',
  appeals_confirmed_idx: 'training set',
  appeals_incident_idx: 'an incident’s appeals',
  appeals_retention_idx: 'personal data retention',
  appeals_assignee_idx: '«Мои»',
  appeals_overdue_due_idx: 'overdue queue by due date',
  appeals_overdue_registered_idx: 'overdue queue newest first',
  appeals_search_idx: 'search',
  appeals_search_terms_idx: 'search windows',
  appeals_scope_search_idx: 'search in an organisation scope',
  appeals_registration_number_trgm: 'search by number',
};

describe('indexes on appeals', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('are exactly those with a reader', async () => {
    const rows = (await db.dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'appeals'`,
    )) as { indexname: string }[];
    expect(rows.map((r) => r.indexname).sort()).toEqual(Object.keys(READERS).sort());
  });
});
