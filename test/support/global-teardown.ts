import { adminQuery, TEMPLATE_DATABASE_ENV } from './services';

/** Drops the run's template database (test-database.ts), and the half-made one a failed migration leaves. */
export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_DATABASE_ENV];
  if (!template) return;
  for (const name of [template, `${template}_building`]) {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
