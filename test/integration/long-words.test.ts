import { type INestApplicationContext } from '@nestjs/common';
import { type AccessScope, Role } from '@inbox/access';
import { AppealQueries, AppealRegistrar } from '@inbox/appeals';
import { Channel } from '@inbox/integrations/contract';
import { InboundStore } from '@inbox/intake';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

const NOW = new Date('2026-11-30T09:00:00Z');

/**
 * A citizen's text may hold one very long word (a pasted token, a key held down). to_tsvector keeps words of up
 * to 2 047 bytes; the per-organisation search terms put a 37-byte prefix before each, and a lexeme over 2 047
 * bytes fails the index's expression, so the appeal could not be registered nor its row changed after.
 */
describe('appeals with very long words (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'long-words', { LOG_LEVEL: 'error' }));
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('registers them, one by one and in a batch, and finds them by their other words in a clerk scope', async () => {
    const store = ctx.get(InboundStore);
    const registrar = ctx.get(AppealRegistrar);
    // 1 010 and 1 023 Cyrillic letters: 2 020 and 2 046 bytes, kept by to_tsvector, over the limit once prefixed.
    const texts = [1010, 1023].map((n) => `Прошу убрать сугробы у подъезда ${'ы'.repeat(n)} срочно`);
    const stored = await store.store(
      texts.map((text, k) =>
        inboundItem({
          channel: Channel.Website,
          externalId: `long-${k}`,
          receivedAt: NOW.toISOString(),
          text,
        }),
      ),
      { enqueue: false },
    );
    const single = await registrar.registerInboundItem(stored[0].inboundItemId, NOW);
    const [[, batched]] = await registrar.registerBatch([stored[1].inboundItemId], NOW);
    expect(single.kind).toBe('registered');
    expect(batched instanceof Error ? batched.message : batched.kind).toBe('registered');

    const appeals = (await db.dataSource.query(
      `SELECT id, organisation_id FROM appeals WHERE external_id LIKE 'long-%' ORDER BY external_id`,
    )) as { id: string; organisation_id: string }[];
    expect(appeals).toHaveLength(2);
    // A later change of the row (routing to another organisation) evaluates the index's expression again.
    const [other] = (await db.dataSource.query(
      `SELECT id FROM organisations WHERE id <> $1 AND kind <> 'region' ORDER BY code LIMIT 1`,
      [appeals[0].organisation_id],
    )) as { id: string }[];
    await db.dataSource.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       VALUES ($1, $2, 'co-executor', now(), 1, 'active')`,
      [appeals[0].id, other.id],
    );

    const clerk: AccessScope = {
      userId: '00000000-0000-0000-0000-000000000001',
      role: Role.Clerk,
      organisationId: other.id,
      organisationIds: [other.id],
    };
    const page = await ctx.get(AppealQueries).list({ q: 'сугробы подъезда', limit: 10 }, clerk);
    expect(page.items.map((a) => a.id)).toEqual([appeals[0].id]);
  });
});
