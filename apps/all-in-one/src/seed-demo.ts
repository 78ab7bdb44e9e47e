import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccessModule } from '@inbox/access';
import { AppealRegistrar, AppealsModule } from '@inbox/appeals';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { demoInboundItems, seedDirectory } from '@inbox/demo';
import { InboundStore, IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';
import { DataSource } from 'typeorm';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    AccessModule,
    AppealsModule,
    IntakeModule,
  ],
})
class SeedModule {}

export const DEMO_APPEAL_COUNT = 400;

/**
 * Migrates, writes the demo directory, and on an empty database registers the demo appeals through the
 * same intake path as real ones (store raw, then register). Runs before api and worker start.
 */
export async function prepareDemoDatabase(log: (line: string) => void): Promise<{ appeals: number }> {
  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error'] });
  try {
    const ds = app.get(DataSource);
    await seedDirectory(ds);
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM appeals`)) as { n: number }[];
    if (n > 0) return { appeals: n };
    log(`registering ${DEMO_APPEAL_COUNT} demo appeals…`);
    const store = app.get(InboundStore);
    const registrar = app.get(AppealRegistrar);
    const stored = await store.store(demoInboundItems(DEMO_APPEAL_COUNT, new Date()), { enqueue: false });
    for (const s of stored) await registrar.registerInboundItem(s.inboundItemId);
    return { appeals: stored.length };
  } finally {
    await app.close();
  }
}
