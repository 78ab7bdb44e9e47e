import 'reflect-metadata';
import { loadAppConfig } from '@inbox/config';
import { rootLogger } from '@inbox/common';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const app = await createApiApp();
  await app.listen(config.httpPort, config.httpHost);
  rootLogger.info('api listening', { url: config.publicBaseUrl, ...config.describe() });
}

main().catch((error: unknown) => {
  rootLogger.error(error instanceof Error ? error : String(error));
  process.exit(1);
});
