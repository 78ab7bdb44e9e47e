import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadAppConfig, redactUrl } from '@inbox/config';
import { openDataSource, runMigrationsLocked } from '@inbox/database';
import {
  DEFAULT_DEMO_SEED,
  DEMO_TOPICS,
  generateDemoAppeals,
  seedDemoKnowledge,
  seedDirectory,
} from '@inbox/demo';
import { KnowledgeRepository, SUGGESTION_KINDS } from '@inbox/knowledge';

const USAGE = `Knowledge base tools.

  kb eval [--count 400] [--seed ${DEFAULT_DEMO_SEED}] [--top 3]
      Search quality on the demo: a throwaway database on DATABASE_URL's server gets the demo directory and
      knowledge base; for each generated demo appeal with a topic, is an article of the topic's competent
      organisation for that topic among the first --top suggestions? Once with the topic (the appeal card,
      the call screen after the topic is chosen) and once from the text alone (before it is chosen).
      Prints the figures; exit code 1 when the first is below 80 %.`;

/** R8 acceptance: the right organisation's article for the topic is in the top 3 for ≥ 80 % of the appeals. */
const TARGET = 0.8;

interface Args {
  count: number;
  seed: number;
  top: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { count: 400, seed: DEFAULT_DEMO_SEED, top: 3 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const value = Number(argv[++i]);
    if (!(name in args) || !Number.isInteger(value) || value <= 0)
      throw new Error(`bad option ${argv[i - 1]}`);
    args[name as keyof Args] = value;
  }
  return args;
}

interface Score {
  n: number;
  top1: number;
  topN: number;
  reciprocal: number;
}

const pct = (part: number, n: number) => `${((100 * part) / Math.max(n, 1)).toFixed(1)} %`;

async function evaluate(args: Args): Promise<boolean> {
  const config = loadAppConfig();
  const admin = new URL(config.databaseUrl);
  admin.pathname = '/postgres';
  const name = `kb_eval_${randomBytes(4).toString('hex')}`;
  const url = new URL(config.databaseUrl);
  url.pathname = `/${name}`;
  const adminQuery = async (sql: string) => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  console.error(`kb eval: throwaway database ${name} on ${redactUrl(admin.toString())}`);
  await adminQuery(`CREATE DATABASE ${name}`);
  const ds = await openDataSource(url.toString());
  try {
    await runMigrationsLocked(ds);
    await seedDirectory(ds);
    // Midnight UTC today: the demo generator's seasons follow the date, and one day gives one figure.
    const now = new Date(new Date().toISOString().slice(0, 10));
    const seeded = await seedDemoKnowledge(ds, { now });
    const repo = new KnowledgeRepository(ds);
    const topics = new Map(
      ((await ds.query(`SELECT id, code FROM topics`)) as { id: string; code: string }[]).map((t) => [
        t.code,
        t.id,
      ]),
    );
    const orgs = new Map(
      ((await ds.query(`SELECT id, code FROM organisations`)) as { id: string; code: string }[]).map((o) => [
        o.code,
        o.id,
      ]),
    );
    const appeals = generateDemoAppeals({ count: args.count, seed: args.seed, now }).filter(
      (a) => a.subtopicCode,
    );
    const withTopic: Score = { n: 0, top1: 0, topN: 0, reciprocal: 0 };
    const textOnly: Score = { n: 0, top1: 0, topN: 0, reciprocal: 0 };
    const misses = new Map<string, number>();
    const textMisses = new Map<string, number>();
    for (const appeal of appeals) {
      const owner = DEMO_TOPICS.find((t) => t.code === appeal.subtopicCode)?.defaultOrganisationCode;
      const topicId = topics.get(appeal.subtopicCode);
      const ownerId = owner ? orgs.get(owner) : undefined;
      if (!topicId || !ownerId) continue;
      const text = `${appeal.subject ?? ''}\n${appeal.text}`;
      const right = (h: { organisationId: string; topicId: string | null }) =>
        h.organisationId === ownerId && h.topicId === topicId;
      // As the card asks: the subtopic and its owner first (KnowledgeArticles.suggestForAppeal).
      const ranked = await repo.search({
        text,
        topicId,
        preferOrganisationId: ownerId,
        kinds: SUGGESTION_KINDS,
        limit: 10,
      });
      const at = ranked.findIndex(right);
      tally(withTopic, at, args.top);
      if (at < 0 || at >= args.top)
        misses.set(appeal.subtopicCode, (misses.get(appeal.subtopicCode) ?? 0) + 1);
      // The call screen before a topic is chosen: the text alone.
      const plain = await repo.search({ text, kinds: SUGGESTION_KINDS, limit: 10 });
      const plainAt = plain.findIndex(right);
      tally(textOnly, plainAt, args.top);
      if (plainAt < 0 || plainAt >= args.top) {
        textMisses.set(appeal.subtopicCode, (textMisses.get(appeal.subtopicCode) ?? 0) + 1);
      }
    }
    const line = (label: string, s: Score) =>
      `  ${label.padEnd(44)} top-1 ${pct(s.top1, s.n).padStart(7)}   top-${args.top} ${pct(s.topN, s.n).padStart(7)}   MRR@10 ${(s.reciprocal / Math.max(s.n, 1)).toFixed(3)}`;
    console.log(
      `Knowledge base search on ${withTopic.n} demo appeals with a topic (seed ${args.seed}, ` +
        `as of ${now.toISOString().slice(0, 10)}); ` +
        `${seeded.articles} articles in ${seeded.sections} sections.`,
    );
    console.log(line('with the topic (appeal card, call after topic):', withTopic));
    console.log(line('text only (call screen, no topic yet):', textOnly));
    const met = withTopic.topN / Math.max(withTopic.n, 1) >= TARGET;
    console.log(
      `Target: the right organisation's article for the topic in the top ${args.top} for ≥ ${TARGET * 100} % — ` +
        `${met ? 'met' : 'NOT met'} (${pct(withTopic.topN, withTopic.n)}).`,
    );
    const list = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([code, n]) => `${code} ${n}`)
        .join(', ');
    if (misses.size > 0) console.log(`Misses with the topic, by subtopic: ${list(misses)}`);
    if (textMisses.size > 0) console.log(`Misses from the text alone, by subtopic: ${list(textMisses)}`);
    return met;
  } finally {
    await ds.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function tally(score: Score, at: number, top: number): void {
  score.n++;
  if (at === 0) score.top1++;
  if (at >= 0 && at < top) score.topN++;
  if (at >= 0) score.reciprocal += 1 / (at + 1);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'eval') {
    console.error(USAGE);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  let args: Args;
  try {
    args = parseArgs(rest);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  return (await evaluate(args)) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
