import { loadAppConfig, redactUrl } from '@inbox/config';
import { openDataSource, runMigrationsLocked } from '../data-source';

/** `npm run migration:run`: apply pending migrations to DATABASE_URL and say what was done. */
async function main(): Promise<void> {
  const config = loadAppConfig();
  const ds = await openDataSource(config.databaseUrl);
  try {
    const applied = await runMigrationsLocked(ds, (line) => console.log(line));
    console.log(
      applied.length
        ? `${applied.length} migration(s) applied to ${redactUrl(config.databaseUrl)}`
        : `Schema of ${redactUrl(config.databaseUrl)} is up to date`,
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
