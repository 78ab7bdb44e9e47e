import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { CliModule } from './cli.module';
import { runImport } from './import-command';

const USAGE = `Usage:
  npm run cli -- import <file.jsonl>   register appeals from another system (one JSON object per line)`;

async function main(argv: string[]): Promise<number> {
  const [command, file] = argv;
  if (command !== 'import' || !file) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`File not found: ${file}\n`);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    const summary = await runImport(file, {
      store: app.get(InboundStore),
      registrar: app.get(AppealRegistrar),
    });
    process.stderr.write(
      `Импорт завершён: строк ${summary.lines}, зарегистрировано ${summary.registered}, ` +
        `уже было ${summary.duplicates}, пропущено ${summary.rejected}\n`,
    );
    return summary.rejected > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
