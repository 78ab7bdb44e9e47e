import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { staffStack } from '../support/staff-stack';
import { eventually, json } from '../support/test-stack';

/**
 * The API the staff workspace needs beyond the workflow: the live stream, attachment contents, answers,
 * inbox queues (mine, no topic, clocks, ids), reports with timeliness, users, topics and calendars — each
 * scoped like the inbox.
 */
describe('workspace API (e2e)', () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh', mintrans: 'mintrans', district: 'omsk-district' },
    topics: { housing: 'housing' },
    staff: {
      operator: [Role.Operator, 'cur'],
      housingClerk: [Role.Clerk, 'minzhkh'],
      roadsClerk: [Role.Clerk, 'mintrans'],
      supervisor: [Role.Supervisor, 'region'],
      admin: [Role.Admin, 'region'],
    },
  });
  const { ids: org, staff } = t;

  const get = (path: string, who?: SignedIn) => fetch(`${t.stack.baseUrl}${path}`, { headers: who?.headers });
  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${t.stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });

  async function register(subject: string, topicId?: string) {
    const res = await post('/api/v1/appeals', staff.operator, {
      medium: 'phone',
      surname: 'Соколова',
      firstName: 'Анна',
      patronymic: 'Игоревна',
      phone: '+7 913 777-66-55',
      subject,
      text: `${subject}: подробности обращения для проверки рабочего места.`,
      topicId,
    });
    expect(res.status).toBe(201);
    return json(res) as Promise<{ id: string; registrationNumber: string }>;
  }

  /** Opens the live stream with a single-use ticket, as the workspace does; collects what arrives until closed. */
  async function listen(who: SignedIn) {
    const { ticket } = (await json(post('/api/v1/appeals/stream/ticket', who))) as { ticket: string };
    const received: string[] = [];
    const req = httpRequest(`${t.stack.baseUrl}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`);
    let end: () => void = () => undefined;
    /** Resolved when the api ends the stream. */
    const ended = new Promise<void>((resolve) => (end = resolve));
    const ready = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.on('end', end);
        // Rejected rather than an expect thrown from the listener: the wait for `ready` fails with the reason.
        if (res.statusCode !== 200 || !res.headers['content-type']?.includes('text/event-stream'))
          return reject(new Error(`the stream answered ${res.statusCode} ${res.headers['content-type']}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          if (received.join('').includes('event: ready')) resolve();
        });
      });
      req.on('error', reject);
    });
    req.end();
    /** The data of each `appeals` event so far (SSE frames: `event:`, `id:`, `data:` lines). */
    const updates = () =>
      received
        .join('')
        .split('\n\n')
        .filter((frame) => frame.split('\n').includes('event: appeals'))
        .map(
          (frame) =>
            JSON.parse(
              frame
                .split('\n')
                .filter((line) => line.startsWith('data: '))
                .map((line) => line.slice('data: '.length))
                .join('\n'),
            ) as { appealIds: string[]; newAppeals: number },
        );
    return { ready, ended, updates, close: () => req.destroy() };
  }

  it('streams new appeals to a listener in scope, through a single-use ticket', async () => {
    expect((await get('/api/v1/appeals/stream')).status).toBe(401);
    expect((await get('/api/v1/appeals/stream?ticket=forged')).status).toBe(401);
    const line1 = await listen(staff.operator);
    const district = await listen(await signInAs(t.stack.api, t.stack.baseUrl, Role.Clerk, 'omsk-district'));
    try {
      await Promise.all([line1.ready, district.ready]);
      const created = await register('Проверка потока событий');
      const deadline = Date.now() + 10_000;
      while (!line1.updates().some((u) => u.appealIds.includes(created.id)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const mine = line1.updates().find((u) => u.appealIds.includes(created.id));
      expect(mine).toBeDefined();
      expect(mine!.newAppeals).toBeGreaterThanOrEqual(1);
      // The district's scope does not hold that appeal, only one escalated to it later: the stream names
      // the later one to its clerk and never the first.
      const theirs = await register('Яма на дороге у остановки', org.housing);
      await post(`/api/v1/appeals/${theirs.id}/escalate`, staff.operator, {
        organisationIds: [org.district],
      });
      const until = Date.now() + 10_000;
      while (!district.updates().some((u) => u.appealIds.includes(theirs.id)) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const seen = district.updates().flatMap((u) => u.appealIds);
      expect(seen).toContain(theirs.id);
      expect(seen).not.toContain(created.id);
    } finally {
      line1.close();
      district.close();
    }
  });

  it('ends the stream of a session signed out, of an account deactivated or moved; says nothing more to it', async () => {
    const operator = () => signInAs(t.stack.api, t.stack.baseUrl, Role.Operator, 'cur');
    const [signedOut, deactivated, moved, kept] = await Promise.all([0, 1, 2, 3].map(operator));
    const streams = await Promise.all([signedOut, deactivated, moved, kept].map(listen));
    try {
      await Promise.all(streams.map((s) => s.ready));
      expect((await post('/api/v1/auth/logout', signedOut)).status).toBe(204);
      expect((await post(`/api/v1/users/${deactivated.userId}/deactivate`, staff.admin)).status).toBe(200);
      const patched = await fetch(`${t.stack.baseUrl}/api/v1/users/${moved.userId}`, {
        method: 'PATCH',
        headers: staff.admin.headers,
        body: JSON.stringify({
          fullName: 'Переведённый сотрудник',
          role: 'clerk',
          organisationId: org.minzhkh,
        }),
      });
      expect(patched.status).toBe(200);
      // Before, each went on in the scope it opened with (line 1's: every appeal) until the process ended.
      const created = await register('Поток после выхода из системы');
      await eventually(
        async () => (streams[3].updates().some((u) => u.appealIds.includes(created.id)) ? true : undefined),
        10_000,
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((r) => (timer = setTimeout(() => r('still open'), 10_000)));
      const ends = streams.slice(0, 3).map((s) => Promise.race([s.ended.then(() => 'ended'), late]));
      expect(await Promise.all(ends)).toEqual(['ended', 'ended', 'ended']);
      clearTimeout(timer);
      for (const s of streams.slice(0, 3))
        expect(s.updates().flatMap((u) => u.appealIds)).not.toContain(created.id);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('ends a stream whose client left while it was being opened: no heartbeat or feed listener outlives it', async () => {
    // Timers keeping the process alive: a stream's heartbeat is one, the feed's poll (while anyone listens) another.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const tickets = await Promise.all(
      [1, 2, 3].map(
        async () =>
          ((await json(post('/api/v1/appeals/stream/ticket', staff.housingClerk))) as { ticket: string })
            .ticket,
      ),
    );
    // The streams are held where the api reads the ticket's user, and their clients leave meanwhile.
    const locker = new Client({ connectionString: t.stack.db.url });
    await locker.connect();
    let streams: ReturnType<typeof httpRequest>[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      streams = tickets.map((ticket) => {
        const req = httpRequest(
          `${t.stack.baseUrl}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`,
        );
        req.on('error', () => undefined);
        req.end();
        return req;
      });
      // Read on another session: within the locker's transaction pg_stat_activity stays as first read.
      const waiting = async () =>
        (
          (await t.stack.db.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )) as { n: number }[]
        )[0].n;
      await eventually(async () => ((await waiting()) >= streams.length ? true : undefined), 30_000);
      for (const req of streams) req.destroy();
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      for (const req of streams) req.destroy();
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // Each held stream goes on once the lock is gone, after its client left: none may stay subscribed.
    await new Promise((r) => setTimeout(r, 1000));
    await eventually(async () => (timers() <= before ? true : undefined), 5_000).catch(() => undefined);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('answers /health without leaving a timer behind (a process exiting after a check would wait for it)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    // A first check warms whatever the client keeps (its keep-alive socket) before counting.
    expect((await get('/health')).status).toBe(200);
    const before = timers();
    const probes = 12;
    for (let i = 0; i < probes; i++) expect((await get('/health')).status).toBe(200);
    // Each probe raced a 2 s timer; checked at once, long before any of them could have fired. The stack's
    // own work (sweeps, pollers) may start a timer or two meanwhile; a leak would leave one per probe.
    expect(timers()).toBeLessThanOrEqual(before + 3);
  });

  it('tells anyone through a proxy only whether it is ready; the whole report to admins, a summary to supervisors', async () => {
    // Through a proxy (its forwarding header), as a load balancer or a citizen's browser would call it.
    const relayed = (who?: SignedIn) =>
      fetch(`${t.stack.baseUrl}/health`, { headers: { ...who?.headers, 'x-forwarded-for': '203.0.113.7' } });
    for (const who of [undefined, staff.housingClerk, staff.operator]) {
      const res = await relayed(who);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', postgres: { ok: true }, redis: { ok: true } });
    }
    const full = await json(relayed(staff.admin));
    expect(full).toMatchObject({ status: 'ok', countsCappedAt: expect.any(Number) });
    expect(Object.keys(full)).toEqual(
      expect.arrayContaining(['queues', 'inboundItems', 'channels', 'outbox']),
    );
    // The accounts' names and last errors (remote hosts, internal addresses) and the queues are the admins':
    // a supervisor reads whether the services are up and how many accounts of each channel fail.
    const summary = await json(relayed(staff.supervisor));
    expect(Object.keys(summary).sort()).toEqual(
      ['channelKinds', 'countsCappedAt', 'inboundItems', 'postgres', 'redis', 'status'].sort(),
    );
    expect(Object.keys(summary.postgres).sort()).toEqual(['latencyMs', 'ok']);
    const accounts = full.channels as { channel: string; enabled: boolean; consecutiveFailures: number }[];
    for (const account of accounts)
      expect(summary.channelKinds[account.channel]).toMatchObject({ accounts: expect.any(Number) });
    expect(JSON.stringify(summary)).not.toMatch(/lastError|queues|outbox|"name"/);
    // On this machine, unrelayed (the start script, the bench): the whole report, as before.
    expect(Object.keys(await json(get('/health')))).toEqual(expect.arrayContaining(['queues', 'channels']));

    // The counts are not even made for a caller who may not read them: with the intake table locked, an anonymous
    // check leaves no count queued behind the lock (a stream of them cost the backlog counts each).
    const locker = new Client({ connectionString: t.stack.db.url });
    await locker.connect();
    const waiting = async () =>
      (
        await locker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'inbound_items'::regclass AND NOT granted`,
        )
      ).rows[0].n;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE inbound_items IN ACCESS EXCLUSIVE MODE');
      for (const who of [undefined, staff.housingClerk]) {
        const res = await relayed(who);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'ok', postgres: { ok: true }, redis: { ok: true } });
      }
      expect(await waiting()).toBe(0);
      // The administrator's report does count: its intake count waits behind the lock, and is left out after 2 s.
      expect(await json(relayed(staff.admin))).toMatchObject({ status: 'ok', inboundItems: {} });
      expect(await waiting()).toBeGreaterThan(0);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('serves attachment contents in scope only, audited, never as active content', async () => {
    const appeal = await register('Обращение с фотографией', org.housing);
    await post(`/api/v1/appeals/${appeal.id}/escalate`, staff.operator, { organisationIds: [org.minzhkh] });
    const ds = t.stack.db.dataSource;
    const add = async (fileName: string, contentType: string, content: Buffer) => {
      const sha = createHash('sha256').update(content).digest('hex');
      await ds.query(
        `INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [sha, content.length, content],
      );
      const [row] = (await ds.query(
        `INSERT INTO attachments (appeal_id, file_name, content_type, size, sha256) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
        [appeal.id, fileName, contentType, content.length, sha],
      )) as { id: string }[];
      return row.id;
    };
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const image = await add('фото.png', 'image/png', png);
    const page = await add('page.html', 'text/html', Buffer.from('<script>alert(1)</script>'));

    const res = await get(`/api/v1/appeals/${appeal.id}/attachments/${image}`, staff.housingClerk);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toContain(
      'inline; filename="____.png"; filename*=UTF-8\'\'%D1%84%D0%BE%D1%82%D0%BE.png',
    );
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    // A name with an apostrophe and brackets: every character outside RFC 8187's attr-char encoded (an
    // apostrophe left as it was ended the value early), and no quote in the ASCII stand-in.
    const quoted = await add(`акт "it's" (1).png`, 'image/png', png);
    const named = await get(`/api/v1/appeals/${appeal.id}/attachments/${quoted}`, staff.housingClerk);
    expect(named.headers.get('content-disposition')).toBe(
      'inline; filename="___ _it\'s_ (1).png"; ' +
        "filename*=UTF-8''%D0%B0%D0%BA%D1%82%20%22it%27s%22%20%281%29.png",
    );
    await named.arrayBuffer();
    // A picture that can run script (SVG) is never shown inline.
    const svg = await add(
      'схема.svg',
      'image/svg+xml',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    );
    const vector = await get(`/api/v1/appeals/${appeal.id}/attachments/${svg}`, staff.housingClerk);
    expect(vector.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(vector.headers.get('content-security-policy')).toContain('sandbox');
    await vector.arrayBuffer();

    const html = await get(`/api/v1/appeals/${appeal.id}/attachments/${page}`, staff.housingClerk);
    // Served as what its bytes are (text), never rendered (test/e2e/security.test.ts).
    expect(html.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');

    expect((await get(`/api/v1/appeals/${appeal.id}/attachments/${image}`, staff.roadsClerk)).status).toBe(
      404,
    );
    const [denied] = (await ds.query(
      `SELECT outcome FROM audit_log WHERE action = 'read-attachment' AND entity_id = $1 AND outcome = 'denied'`,
      [appeal.id],
    )) as { outcome: string }[];
    expect(denied).toEqual({ outcome: 'denied' });

    // Answers are listed with their state; another organisation's clerk sees nothing.
    const draft = await json(
      post(`/api/v1/appeals/${appeal.id}/answers`, staff.housingClerk, { text: 'Проект ответа' }),
    );
    const answers = await json(get(`/api/v1/appeals/${appeal.id}/answers`, staff.housingClerk));
    expect(answers).toEqual([
      expect.objectContaining({ id: draft.id, status: 'draft', text: 'Проект ответа' }),
    ]);
    expect((await get(`/api/v1/appeals/${appeal.id}/answers`, staff.roadsClerk)).status).toBe(404);
  });

  it('filters the inbox by assignee, missing topic, clock marks, line and ids', async () => {
    const mine = await register('Моё обращение', org.housing);
    const untopiced = await register('Обращение без темы');
    expect((await post(`/api/v1/appeals/${mine.id}/take`, staff.operator)).status).toBe(204);
    const ids = async (query: string, who: SignedIn = staff.operator) =>
      ((await json(get(`/api/v1/appeals?${query}`, who))).items as { id: string }[]).map((i) => i.id);

    expect(await ids('assigneeId=me')).toEqual([mine.id]);
    expect(await ids('assigneeId=me', staff.supervisor)).toEqual([]);
    const noTopic = await ids('topicId=none');
    expect(noTopic).toContain(untopiced.id);
    expect(noTopic).not.toContain(mine.id);
    expect(await ids(`topicId=${org.housing}&ids=${mine.id},${untopiced.id}`)).toEqual([mine.id]);

    const ds = t.stack.db.dataSource;
    const cur = await idOf(ds, 'organisations', 'cur');
    const mark = (appealId: string, kind: string) =>
      ds.query(
        `INSERT INTO clock_marks (appeal_id, organisation_id, clock, kind, due_at) VALUES ($1, $2, 'answer', $3, now())`,
        [appealId, cur, kind],
      );
    await mark(mine.id, 'at-risk');
    await mark(mine.id, 'overdue');
    await mark(untopiced.id, 'at-risk');
    expect(await ids('clock=overdue')).toEqual([mine.id]);
    expect(await ids('clock=at-risk')).toEqual([untopiced.id]);
    expect(await ids(`clock=overdue&organisationId=${org.minzhkh}`)).toEqual([]);
    expect((await get('/api/v1/appeals?clock=late', staff.operator)).status).toBe(400);
    expect((await get('/api/v1/appeals?ids=not-a-uuid', staff.operator)).status).toBe(400);

    // By line, as the handled report's rows by line count them: one sent to line 2 leaves line 1's.
    expect(
      (await post(`/api/v1/appeals/${mine.id}/escalate`, staff.operator, { organisationIds: [org.minzhkh] }))
        .status,
    ).toBe(204);
    const both = `ids=${mine.id},${untopiced.id}`;
    expect(await ids(`line=1&${both}`)).toEqual([untopiced.id]);
    expect(await ids(`line=2&${both}`)).toEqual([mine.id]);
    const wrongLine = await get('/api/v1/appeals?line=3', staff.operator);
    expect(wrongLine.status).toBe(400);
    expect(JSON.stringify(await json(wrongLine))).toContain('line: 1 или 2');
  });

  it("filters the inbox by the applicant's rating and its date, within the viewer's scope; 400 on bad values", async () => {
    const pleased = await register('Оценка: удовлетворён', org.housing);
    const displeased = await register('Оценка: не удовлетворён давно', org.housing);
    const unanswered = await register('Оценка: ответа на вопрос нет', org.housing);
    const ds = t.stack.db.dataSource;
    const rate = (appealId: string, answered: boolean | null, satisfaction: string | null, daysAgo: number) =>
      ds.query(
        `INSERT INTO ratings (appeal_id, channel, external_id, answered, satisfaction, poor, received_at)
         VALUES ($1, 'operator', $2, $3, $4, $5, now() - make_interval(days => $6))`,
        [
          appealId,
          `rating-filter-${appealId}`,
          answered,
          satisfaction,
          satisfaction !== 'satisfied',
          daysAgo,
        ],
      );
    await rate(pleased.id, true, 'satisfied', 1);
    await rate(displeased.id, true, 'not-satisfied', 120);
    // A rating "no answer to the question" counts as not-answered whatever its satisfaction.
    await rate(unanswered.id, false, 'satisfied', 2);
    const ids = async (query: string, who: SignedIn = staff.operator) =>
      ((await json(get(`/api/v1/appeals?${query}&limit=200`, who))).items as { id: string }[]).map(
        (i) => i.id,
      );
    const ours = (list: string[]) =>
      list.filter((id) => [pleased.id, displeased.id, unanswered.id].includes(id));

    expect(ours(await ids('rating=satisfied'))).toEqual([pleased.id]);
    expect(ours(await ids('rating=not-satisfied'))).toEqual([displeased.id]);
    expect(ours(await ids('rating=not-answered'))).toEqual([unanswered.id]);
    const since = new Date(Date.now() - 90 * 86_400_000).toISOString();
    expect(ours(await ids(`rating=not-satisfied&ratedAfter=${since}`))).toEqual([]);
    expect(ours(await ids(`ratedAfter=${since}`)).sort()).toEqual([pleased.id, unanswered.id].sort());
    expect(
      (
        await json(
          get(`/api/v1/appeals/count?rating=satisfied&ids=${pleased.id},${displeased.id}`, staff.operator),
        )
      ).total,
    ).toBe(1);
    // The one organisation scope still applies: another department's clerk sees none of them.
    expect(ours(await ids('rating=satisfied', staff.roadsClerk))).toEqual([]);
    expect(ours(await ids('rating=satisfied', staff.supervisor))).toEqual([pleased.id]);
    for (const bad of [
      'rating=good',
      'rating=',
      'ratedAfter=вчера',
      'rating=satisfied&ratedAfter=2026-13-45',
    ]) {
      const res = await get(`/api/v1/appeals?${bad}`, staff.operator);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });

  it('answer templates: edited and deactivated by their organisation or the administrator, nobody else', async () => {
    const patch = (id: string, who: SignedIn, body: unknown) =>
      fetch(`${t.stack.baseUrl}/api/v1/answer-templates/${id}`, {
        method: 'PATCH',
        headers: who.headers,
        body: JSON.stringify(body),
      });
    const titles = async (who: SignedIn, query = '') =>
      (
        (await json(get(`/api/v1/answer-templates${query}`, who))) as { title: string; active: boolean }[]
      ).map((t) => `${t.title}${t.active ? '' : ' (отключён)'}`);
    const { id } = (await json(
      post('/api/v1/answer-templates', staff.housingClerk, {
        title: 'Отопление: сроки',
        body: 'По Вашему обращению № {{registrationNumber}} отопление восстановят в течение суток.',
      }),
    )) as { id: string };
    const common = (await json(
      post('/api/v1/answer-templates', staff.admin, {
        title: 'Общий: ответ дан по существу',
        body: 'По Вашему обращению № {{registrationNumber}} дан ответ по существу.',
      }),
    )) as { id: string };
    await t.stack.db.dataSource.query(`UPDATE answer_templates SET organisation_id = NULL WHERE id = $1`, [
      common.id,
    ]);

    // Its organisation edits it: the new title and text, for the housing topic now.
    const edited = await patch(id, staff.housingClerk, {
      title: 'Отопление: сроки восстановления',
      body: 'По Вашему обращению № {{registrationNumber}} отопление восстановят до 18:00.',
      topicId: org.housing,
    });
    expect(edited.status).toBe(200);
    expect(await json(edited)).toMatchObject({
      id,
      title: 'Отопление: сроки восстановления',
      topicId: org.housing,
      active: true,
    });
    // Another department, a line-1 operator and the common template's non-administrator may not.
    expect((await patch(id, staff.roadsClerk, { active: false })).status).toBe(403);
    expect((await patch(id, staff.operator, { active: false })).status).toBe(403);
    expect((await patch(common.id, staff.housingClerk, { active: false })).status).toBe(403);
    expect((await patch(id, staff.housingClerk, { title: 'x' })).status).toBe(400);
    expect((await patch(id, staff.housingClerk, { active: 'нет' })).status).toBe(400);
    expect((await patch(id, staff.housingClerk, { topicId: 'housing' })).status).toBe(400);
    expect((await patch('00000000-0000-0000-0000-000000000000', staff.admin, { active: false })).status).toBe(
      404,
    );

    // Deactivated: offered no more, still listed for keeping (and switched back on by the administrator).
    expect((await json(patch(id, staff.housingClerk, { active: false }))).active).toBe(false);
    expect(await titles(staff.housingClerk)).not.toContain('Отопление: сроки восстановления');
    expect(await titles(staff.housingClerk, '?includeInactive=true')).toContain(
      'Отопление: сроки восстановления (отключён)',
    );
    expect((await patch(id, staff.admin, { active: true, topicId: null })).status).toBe(200);
    expect(await titles(staff.housingClerk)).toContain('Отопление: сроки восстановления');
    expect((await patch(common.id, staff.admin, { active: false })).status).toBe(200);
    expect(await titles(staff.housingClerk)).not.toContain('Общий: ответ дан по существу');
    const audit = (await t.stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_type = 'answer-template' AND entity_id = $1 AND outcome = 'ok'
        ORDER BY id`,
      [id],
    )) as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual([
      'create-template',
      'update-template',
      'deactivate-template',
      'activate-template',
    ]);
    // Each refusal is on record as denied: the other department on this template, the clerk on the common one,
    // a template made or listed for another organisation (the operator's was the role guard's, on record there).
    expect(
      (
        await post('/api/v1/answer-templates', staff.roadsClerk, {
          title: 'Чужой шаблон',
          body: 'Текст шаблона ответа.',
          organisationId: org.minzhkh,
        })
      ).status,
    ).toBe(403);
    expect(
      (await get(`/api/v1/answer-templates?organisationId=${org.minzhkh}`, staff.roadsClerk)).status,
    ).toBe(403);
    const denied = (await t.stack.db.dataSource.query(
      `SELECT user_id AS "userId", action, entity_id AS "entityId", details FROM audit_log
        WHERE entity_type = 'answer-template' AND outcome = 'denied' ORDER BY id`,
    )) as unknown[];
    expect(denied).toEqual([
      {
        userId: staff.roadsClerk.userId,
        action: 'update-template',
        entityId: id,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.housingClerk.userId,
        action: 'update-template',
        entityId: common.id,
        details: { organisationId: 'common' },
      },
      {
        userId: staff.roadsClerk.userId,
        action: 'create-template',
        entityId: null,
        details: { organisationId: org.minzhkh },
      },
      {
        userId: staff.roadsClerk.userId,
        action: 'list-templates',
        entityId: null,
        details: { organisationId: org.minzhkh },
      },
    ]);
  });

  it("answer templates for an appeal: its topic's first, then those matching its subject, then the rest; outside the scope not found", async () => {
    const made = async (title: string, body: string, topicId?: string) =>
      expect(
        (await post('/api/v1/answer-templates', staff.housingClerk, { title, body, topicId })).status,
      ).toBe(201);
    await made(
      'Благоустройство двора',
      'По Вашему обращению работы по благоустройству двора включены в план.',
    );
    await made('Протечка кровли: ремонт', 'По Вашему обращению кровля над квартирой будет отремонтирована.');
    await made(
      'Аварийная бригада: выезд',
      'По Вашему обращению аварийная бригада выехала на место.',
      org.housing,
    );
    const appeal = await register('Протекает кровля над квартирой', org.housing);
    expect((await post(`/api/v1/appeals/${appeal.id}/take`, staff.operator)).status).toBe(204);
    const sent = await post(`/api/v1/appeals/${appeal.id}/escalate`, staff.operator, {
      organisationIds: [org.minzhkh],
    });
    expect(sent.status).toBe(204);
    const offered = (await json(
      get(`/api/v1/appeals/${appeal.id}/answer-templates`, staff.housingClerk),
    )) as {
      title: string;
      match: string | null;
    }[];
    const mine = ['Благоустройство двора', 'Протечка кровли: ремонт', 'Аварийная бригада: выезд'];
    expect(offered.filter((o) => mine.includes(o.title))).toEqual(
      [
        { title: 'Аварийная бригада: выезд', match: 'topic' },
        { title: 'Протечка кровли: ремонт', match: 'subject' },
        { title: 'Благоустройство двора', match: null },
      ].map((o) => expect.objectContaining(o)),
    );
    // The first ones lead the whole list; every usable template is offered, none twice.
    expect(offered.slice(0, 2).map((o) => o.title)).toEqual([
      'Аварийная бригада: выезд',
      'Протечка кровли: ремонт',
    ]);
    expect(new Set(offered.map((o) => o.title)).size).toBe(offered.length);
    // Another department's clerk does not see the appeal: not found, and the attempt is on record.
    expect((await get(`/api/v1/appeals/${appeal.id}/answer-templates`, staff.roadsClerk)).status).toBe(404);
    const denied = (await t.stack.db.dataSource.query(
      `SELECT 1 FROM audit_log WHERE action = 'list-templates' AND entity_type = 'appeal' AND entity_id = $1
          AND user_id = $2 AND outcome = 'denied'`,
      [appeal.id, staff.roadsClerk.userId],
    )) as unknown[];
    expect(denied).toHaveLength(1);
  });

  it("shows in each list row the work: zone, assignee, the parts' holders, the viewer's own nearest clock; counts the whole result", async () => {
    const waiting = await register('Ждёт на 1-й линии', org.housing);
    const sent = await register('Передано в Минжкх', org.housing);
    expect((await post(`/api/v1/appeals/${sent.id}/take`, staff.operator)).status).toBe(204);
    expect(
      (await post(`/api/v1/appeals/${sent.id}/escalate`, staff.operator, { organisationIds: [org.minzhkh] }))
        .status,
    ).toBe(204);
    const ds = t.stack.db.dataSource;
    const [part] = (await ds.query(
      `SELECT COALESCE(extended_until, due_at) AS due FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
      [sent.id, org.minzhkh],
    )) as { due: Date }[];
    const row = async (who: SignedIn, id: string) =>
      ((await json(get(`/api/v1/appeals?ids=${id}`, who))).items as Record<string, unknown>[])[0];

    // The department's clerk sees its own line-2 term (next working morning at the latest), not the 59-ФЗ date.
    const clerkRow = await row(staff.housingClerk, sent.id);
    expect(clerkRow).toEqual(
      expect.objectContaining({
        nextDueKind: 'line2',
        nextDueAt: part.due.toISOString(),
        timeZone: expect.stringMatching(/^[A-Z][a-z]+\/[A-Za-z_]+$/),
        parts: [
          expect.objectContaining({
            organisationId: org.minzhkh,
            state: 'active',
            dueAt: part.due.toISOString(),
          }),
        ],
      }),
    );
    expect(clerkRow.nextDueAt).not.toBe(clerkRow.answerDueAt);
    // An appeal that came to the department late: its answer term passed before the part's. The row says the
    // nearest term, the late one (the overdue queue listed it as «ответ 2-й линии, осталось 1 день»).
    const late = new Date(Date.now() - 86_400_000);
    await ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [sent.id, late]);
    expect(await row(staff.housingClerk, sent.id)).toEqual(
      expect.objectContaining({ nextDueKind: 'answer', nextDueAt: late.toISOString() }),
    );
    // The part's term the answer's own (a part reopened at a superior after a poor rating): the answer term, as the
    // card names it, not «ответ 2-й линии».
    await ds.query(`UPDATE appeal_organisations SET due_at = $2 WHERE appeal_id = $1`, [sent.id, late]);
    expect(await row(staff.housingClerk, sent.id)).toEqual(
      expect.objectContaining({ nextDueKind: 'answer', nextDueAt: late.toISOString() }),
    );
    const operatorRow = await row(staff.operator, sent.id);
    expect(operatorRow).toEqual(
      expect.objectContaining({ assigneeName: expect.any(String), assigneeId: expect.any(String) }),
    );
    // Not escalated: no part, the operator's clock is the escalation term when one runs, else the answer's.
    const waitingRow = await row(staff.operator, waiting.id);
    expect(waitingRow.parts).toEqual([]);
    expect(['escalation', 'answer']).toContain(waitingRow.nextDueKind);
    expect(waitingRow.assigneeName).toBeNull();

    // Counts: the whole result in scope, whatever the page size.
    const count = async (query: string, who: SignedIn) =>
      (await json(get(`/api/v1/appeals/count?${query}`, who))).total;
    expect(await count(`ids=${waiting.id},${sent.id}`, staff.operator)).toBe(2);
    expect(await count(`ids=${waiting.id},${sent.id}`, staff.housingClerk)).toBe(1);
    const all = await count('', staff.operator);
    const page = await json(get('/api/v1/appeals?limit=1', staff.operator));
    expect(page.items).toHaveLength(1);
    expect(all).toBeGreaterThan(1);
    expect((await get('/api/v1/appeals/count?clock=late', staff.operator)).status).toBe(400);

    // History names who acted and in which role.
    const card = await json(get(`/api/v1/appeals/${sent.id}`, staff.operator));
    const escalated = card.history.find((e: { type: string }) => e.type === 'escalated');
    expect(escalated).toEqual(
      expect.objectContaining({ actorName: expect.any(String), actorRole: 'operator' }),
    );
    const system = card.history.find((e: { actor: string }) => e.actor === 'system');
    expect(system?.actorName ?? null).toBeNull();
  });

  it('reports timeliness by group, scoped, for supervisors and clerks but not operators', async () => {
    const ds = t.stack.db.dataSource;
    const onTime = await register('Отвечено в срок', org.housing);
    const late = await register('Отвечено с опозданием', org.housing);
    await ds.query(
      `UPDATE appeals SET answered_at = answer_due_at - interval '1 day', status = 'answered' WHERE id = $1`,
      [onTime.id],
    );
    await ds.query(
      `UPDATE appeals SET answered_at = answer_due_at + interval '1 day', status = 'answered' WHERE id = $1`,
      [late.id],
    );
    expect((await get('/api/v1/reports/handled', staff.operator)).status).toBe(403);

    const report = await json(get('/api/v1/reports/handled?groupBy=topic', staff.supervisor));
    const housing = report.rows.find((r: { key: string }) => r.key === org.housing);
    expect(housing).toEqual(
      expect.objectContaining({ label: 'ЖКХ', answered: 2, onTime: 1, late: 1, onTimeShare: 50 }),
    );
    expect(report.totals.received).toBeGreaterThanOrEqual(housing.received);
    const byChannel = await json(get('/api/v1/reports/handled?groupBy=channel', staff.supervisor));
    expect(byChannel.rows.map((r: { label: string }) => r.label)).toContain(
      'Оператор (звонок, приём, почта)',
    );
    expect((await get('/api/v1/reports/handled?groupBy=weather', staff.supervisor)).status).toBe(400);

    // The roads clerk's organisation holds none of them.
    const roads = await json(get('/api/v1/reports/handled?groupBy=topic', staff.roadsClerk));
    expect(roads.totals.received).toBe(0);

    const dashboard = await json(get('/api/v1/reports/dashboard', staff.supervisor));
    expect(dashboard.totals.open).toBeGreaterThan(0);
    expect(dashboard.volume.days.some((d: { channel: string }) => d.channel === 'operator')).toBe(true);
    const roadsDashboard = await json(get('/api/v1/reports/dashboard', staff.roadsClerk));
    expect(roadsDashboard.totals.open).toBe(0);
  });

  it('lets the admin list and create staff; others may only look up assignees', async () => {
    expect((await get('/api/v1/users', staff.supervisor)).status).toBe(403);
    const created = await post('/api/v1/users', staff.admin, {
      login: 'Novikova',
      password: 'надёжный-пароль',
      fullName: 'Новикова Дарья Павловна',
      role: 'clerk',
      organisationId: org.mintrans,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual(
      expect.objectContaining({ login: 'novikova', roleName: expect.any(String) }),
    );
    const taken = await post('/api/v1/users', staff.admin, {
      login: 'novikova',
      password: 'другой-пароль',
      fullName: 'Другая',
      role: 'clerk',
      organisationId: org.mintrans,
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual({
      statusCode: 409,
      code: 'conflict',
      message: 'Логин уже занят',
      errors: { login: 'Логин уже занят' },
    });
    const invalid = await post('/api/v1/users', staff.admin, {
      login: 'x y',
      password: '1',
      fullName: '',
      role: 'boss',
      organisationId: 'x',
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual(
      expect.objectContaining({
        statusCode: 400,
        code: 'invalid-input',
        message: 'Некорректный запрос',
        errors: expect.objectContaining({ login: expect.any(String), role: 'Неизвестная роль' }),
      }),
    );
    const list = await json(get('/api/v1/users', staff.admin));
    expect(list.map((u: { login: string }) => u.login)).toContain('novikova');

    const assignees = await json(
      get(`/api/v1/users/assignees?organisationId=${org.mintrans}`, staff.roadsClerk),
    );
    expect(assignees.map((u: { fullName: string }) => u.fullName)).toContain('Новикова Дарья Павловна');
    expect(assignees[0]).not.toHaveProperty('login');
    const outside = await get(`/api/v1/users/assignees?organisationId=${org.minzhkh}`, staff.roadsClerk);
    expect(outside.status).toBe(403);
    expect(await outside.json()).toEqual({
      statusCode: 403,
      code: 'forbidden',
      message: 'Организация вне вашей области видимости',
    });
    // A refusal of scope, on record.
    expect(
      await t.stack.db.dataSource.query(
        `SELECT entity_id AS "entityId" FROM audit_log
          WHERE user_id = $1 AND action = 'list-assignees' AND outcome = 'denied'`,
        [staff.roadsClerk.userId],
      ),
    ).toEqual([{ entityId: org.minzhkh }]);
  });

  it('lets the admin edit, deactivate, re-activate staff and set a new password; nobody else', async () => {
    const send = (method: string, path: string, who: SignedIn, body?: unknown) =>
      fetch(`${t.stack.baseUrl}${path}`, {
        method,
        headers: who.headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const signIn = (login: string, password: string) =>
      fetch(`${t.stack.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password }),
      });
    const created = await json(
      post('/api/v1/users', staff.admin, {
        login: 'orlov',
        password: 'первый-пароль',
        fullName: 'Орлов Игорь',
        role: 'clerk',
        organisationId: org.mintrans,
      }),
    );
    const session = await json(signIn('orlov', 'первый-пароль'));
    const orlov: SignedIn = {
      userId: created.id,
      login: 'orlov',
      headers: { authorization: `Bearer ${session.accessToken}` },
    };
    expect((await get('/api/v1/me', orlov)).status).toBe(200);

    // Only the administrator keeps accounts.
    expect(
      (await send('PATCH', `/api/v1/users/${created.id}`, staff.supervisor, { fullName: 'X' })).status,
    ).toBe(403);
    expect((await post(`/api/v1/users/${created.id}/deactivate`, staff.supervisor)).status).toBe(403);

    const edited = await send('PATCH', `/api/v1/users/${created.id}`, staff.admin, {
      fullName: 'Орлов Игорь Семёнович',
      role: 'supervisor',
      organisationId: org.minzhkh,
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toEqual(
      expect.objectContaining({
        fullName: 'Орлов Игорь Семёнович',
        role: 'supervisor',
        organisationId: org.minzhkh,
        roleName: 'Руководитель',
      }),
    );
    const bad = await send('PATCH', `/api/v1/users/${created.id}`, staff.admin, {
      fullName: '',
      role: 'boss',
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await send('PATCH', `/api/v1/users/00000000-0000-4000-8000-000000000000`, staff.admin, {
          fullName: 'Никто Никто',
          role: 'clerk',
          organisationId: org.mintrans,
        })
      ).status,
    ).toBe(404);

    // Deactivated: the running session stops at once and sign-in is refused.
    const off = await post(`/api/v1/users/${created.id}/deactivate`, staff.admin);
    expect(off.status).toBe(200);
    expect((await json(off)).active).toBe(false);
    expect((await get('/api/v1/me', orlov)).status).toBe(401);
    expect((await signIn('orlov', 'первый-пароль')).status).toBe(401);
    const on = await post(`/api/v1/users/${created.id}/activate`, staff.admin);
    expect((await json(on)).active).toBe(true);
    // Back on, the sessions from before stay ended (a stolen token does not come back to life).
    expect((await get('/api/v1/me', orlov)).status).toBe(401);

    // A reset ends the old password and gives the administrator none: a code to hand over (no work e-mail), with
    // which the colleague sets their own.
    const reset = await post(`/api/v1/users/${created.id}/password`, staff.admin, {
      password: 'второй-пароль',
    });
    expect(reset.status).toBe(200);
    const { code, delivery } = (await reset.json()) as { code: string; delivery: string };
    expect(delivery).toBe('shown');
    expect((await signIn('orlov', 'первый-пароль')).status).toBe(401);
    expect((await signIn('orlov', 'второй-пароль')).status).toBe(401);
    const enrolled = await fetch(`${t.stack.baseUrl}/api/v1/auth/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'orlov', code, newPassword: 'второй-пароль' }),
    });
    expect(enrolled.status).toBe(200);
    expect((await signIn('orlov', 'второй-пароль')).status).toBe(200);

    // The administrator cannot lock themself out.
    const me = await json(get('/api/v1/me', staff.admin));
    const self = await post(`/api/v1/users/${me.id}/deactivate`, staff.admin);
    expect(self.status).toBe(409);
    expect((await json(self)).message).toBe('Нельзя отключить собственную учётную запись');
    const audit = (await t.stack.db.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`,
      [created.id],
    )) as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['update-user', 'deactivate-user', 'activate-user', 'reset-password']),
    );
  });

  it('lets the admin make a classifier model the current one and roll back to the previous one', async () => {
    const ds = t.stack.db.dataSource;
    const insert = async (status: string) =>
      (
        (await ds.query(
          `INSERT INTO classifier_models (target, path, status, trained_rows, scores, promoted_at)
           VALUES ('topic', 'db:test', $1, 10, '{"heldBack":{"candidate":{"macroF1":0.7}}}',
                   CASE WHEN $1 = 'promoted' THEN now() END) RETURNING id`,
          [status],
        )) as { id: string }[]
      )[0].id;
    const previous = await insert('promoted');
    const candidate = await insert('candidate');
    const statuses = (list: { id: string; status: string }[]) =>
      Object.fromEntries(
        list.filter((m) => [previous, candidate].includes(m.id)).map((m) => [m.id, m.status]),
      );

    expect((await post(`/api/v1/classification/models/${candidate}/promote`, staff.supervisor)).status).toBe(
      403,
    );
    const promoted = await post(`/api/v1/classification/models/${candidate}/promote`, staff.admin);
    expect(promoted.status).toBe(200);
    expect(statuses(await json(promoted))).toEqual({ [previous]: 'retired', [candidate]: 'promoted' });
    // Rolling back is promoting the retired one again.
    const back = await json(post(`/api/v1/classification/models/${previous}/promote`, staff.admin));
    expect(statuses(back)).toEqual({ [previous]: 'promoted', [candidate]: 'retired' });
    expect(
      (await post('/api/v1/classification/models/00000000-0000-4000-8000-000000000000/promote', staff.admin))
        .status,
    ).toBe(404);
    const audit = (await ds.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'promote-classifier-model'`,
    )) as {
      n: number;
    }[];
    expect(audit[0].n).toBe(2);
  });

  it('serves the rubricator and the production calendar', async () => {
    const topics = await json(get('/api/v1/topics', staff.roadsClerk));
    expect(topics).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'housing-heating', parentId: org.housing })]),
    );
    const year = await json(get('/api/v1/calendars/2026', staff.roadsClerk));
    expect(year.days).toHaveLength(365);
    expect(year.days.find((d: { date: string }) => d.date === '2026-01-01').kind).toBe('holiday');
    expect(year.summary.workingDays).toBe(247);
    for (const year of ['1999', 'next']) {
      const missing = await get(`/api/v1/calendars/${year}`, staff.roadsClerk);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({
        statusCode: 404,
        code: 'not-found',
        message: 'Производственного календаря на этот год нет',
      });
    }
  });
});
