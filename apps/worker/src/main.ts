import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadAppConfig } from '@inbox/config';
import { rootLogger } from '@inbox/common';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: rootLogger.child('worker'),
  });
  app.enableShutdownHooks();
  rootLogger.info('worker started', { concurrency: config.workerConcurrency, ...config.describe() });
}

main().catch((error: unknown) => {
  rootLogger.error(error instanceof Error ? error : String(error));
  process.exit(1);
});
