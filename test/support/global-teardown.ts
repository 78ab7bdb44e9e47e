import { type DatabaseDropper } from './database-dropper';
import { adminQuery, TEMPLATE_DATABASE_ENV } from './services';

/**
 * Drops the test files' databases not dropped yet (database-dropper.ts), then the run's template database
 * (test-database.ts), its demo-seeded copy (demo-database.ts) and the half-made ones a failure leaves.
 */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { testDatabaseDropper?: DatabaseDropper }).testDatabaseDropper?.stop();
  const template = process.env[TEMPLATE_DATABASE_ENV];
  if (!template) return;
  for (const name of [template, `${template}_building`, `${template}_demo`, `${template}_demo_building`]) {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
