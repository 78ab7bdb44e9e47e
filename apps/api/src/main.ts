import 'reflect-metadata';
import { AppConfig } from '@inbox/config';
import { rootLogger } from '@inbox/common';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = new AppConfig(process.env);
  const app = await createApiApp();
  await app.listen(config.httpPort, config.httpHost);
  rootLogger.info('api listening', { url: config.publicBaseUrl, ...config.describe() });
}

main().catch((error: unknown) => {
  rootLogger.error(error instanceof Error ? error : String(error));
  process.exit(1);
});
