import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_REDIS_URL } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

const line = (over: Record<string, unknown>) =>
  JSON.stringify({
    channel: 'operator',
    externalId: 'old-1',
    registeredAt: '2026-03-02T10:15:00+07:00',
    organisation: 'minzhkh',
    regime: 'appeal',
    fastTrack: false,
    applicant: { surname: 'Петров', firstName: 'Иван', patronymic: 'Сергеевич', phone: '+79130000000' },
    text: 'Прошу провести проверку управляющей компании по ул. Гоголя, 3.',
    ...over,
  });

describe('npm run cli -- import (integration)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  function runCli(file: string) {
    return spawnSync(process.execPath, [CLI, 'import', file], {
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: 'import-test' },
      encoding: 'utf8',
    });
  }

  it('imports good lines with deadlines from their original instant, reports bad ones, and is idempotent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-'));
    const file = join(dir, 'batch.jsonl');
    writeFileSync(
      file,
      [
        line({}),
        line({ externalId: 'old-2', fastTrack: true, registeredAt: '2026-06-01T09:00:00+07:00' }),
        line({ externalId: 'old-3', registeredAt: 'вчера' }),
        '{ not json',
        line({
          externalId: 'old-4',
          organisation: 'omsk-district',
          registeredAt: '2026-03-02T23:30:00+03:00',
        }),
      ].join('\n') + '\n',
    );
    const first = runCli(file);
    expect(first.status).toBe(1);
    const out = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({
      line: 1,
      externalId: 'old-1',
      status: 'registered',
      registeredAt: '2026-03-02T03:15:00.000Z',
      answerDueDate: '2026-04-01',
    });
    expect(out[0].registrationNumber).toMatch(/^2026-\d{6}$/);
    // Fast-track: 10 calendar days from 1 June 2026 is 11 June, a working (shortened) day.
    expect(out[1]).toMatchObject({ line: 2, answerDueDate: '2026-06-11' });
    // 23:30 in Moscow on 2 March is already 3 March in Omsk: the term counts from the local date.
    expect(out[2]).toMatchObject({
      line: 5,
      registeredAt: '2026-03-02T20:30:00.000Z',
      answerDueDate: '2026-04-02',
    });
    expect(first.stderr).toContain('line 3: skipped: registeredAt must be an ISO 8601 instant');
    expect(first.stderr).toContain('line 4: skipped: not valid JSON');

    const second = runCli(file);
    const again = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(again.map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again[0].registrationNumber).toBe(out[0].registrationNumber);
  });

  it('registers imported appeals at the organisation named in the line', async () => {
    const rows = await db.dataSource.query(
      `SELECT a.external_id, o.code, a.time_zone FROM appeals a JOIN organisations o ON o.id = a.organisation_id
        ORDER BY a.external_id`,
    );
    expect(rows).toEqual([
      { external_id: 'old-1', code: 'minzhkh', time_zone: 'Asia/Novosibirsk' },
      { external_id: 'old-2', code: 'minzhkh', time_zone: 'Asia/Novosibirsk' },
      { external_id: 'old-4', code: 'omsk-district', time_zone: 'Asia/Omsk' },
    ]);
  });
});
