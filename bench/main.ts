import 'reflect-metadata';
import { benchApis } from './apis';
import { benchDeadlines } from './deadlines';
import { benchIngest } from './ingest';
import { benchScale } from './scale';

const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  ingest: benchIngest,
  scale: benchScale,
  apis: benchApis,
  deadlines: benchDeadlines,
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    process.stderr.write(`Usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [N]\n`);
    process.exit(2);
  }
  await bench(args);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
