import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { type INestApplication } from '@nestjs/common';
import { Role } from '@inbox/access';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { signInAs, type SignedIn } from '../factories/staff';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Two api instances on one database and one Redis, as two api processes behind a balancer (issue 18, scale-out):
 * whatever one of them decides for a client — a sign-in, a stream ticket, a rate limit's count — holds on the
 * other, and the live stream of one reports what was done through the other. Each instance is its own Nest app
 * with its own providers (the state a process keeps); `npm run bench -- apis` checks the same with built
 * processes.
 */
describe('two api processes together (e2e)', () => {
  let stack: TestStack;
  let other: INestApplication;
  let a: string;
  let b: string;
  let operator: SignedIn;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'), RATE_LIMIT_FORM: '3/600' },
    });
    other = await createApiApp();
    await other.listen(0, '127.0.0.1');
    a = stack.baseUrl;
    b = `http://127.0.0.1:${(other.getHttpServer().address() as { port: number }).port}`;
    operator = await signInAs(stack.api, a, Role.Operator, 'cur');
  });
  afterAll(async () => {
    await other?.close();
    await stack?.close();
  });

  it('takes a token signed in on one process on the other, and refuses it on both once the user is off', async () => {
    expect((await fetch(`${b}/api/v1/appeals?limit=1`, { headers: operator.headers })).status).toBe(200);
    const clerk = await signInAs(other, b, Role.Clerk, 'minzhkh');
    expect((await fetch(`${a}/api/v1/appeals?limit=1`, { headers: clerk.headers })).status).toBe(200);
    await stack.db.dataSource.query(`UPDATE users SET active = false WHERE id = $1`, [clerk.userId]);
    for (const base of [a, b])
      expect((await fetch(`${base}/api/v1/appeals?limit=1`, { headers: clerk.headers })).status).toBe(401);
  });

  it('opens the stream on one process with a ticket from the other, once, and streams what the other registers', async () => {
    const { ticket } = (await json(
      fetch(`${a}/api/v1/appeals/stream/ticket`, { method: 'POST', headers: operator.headers }),
    )) as { ticket: string };
    let received = '';
    const req = httpRequest(`${b}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`);
    const ready = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
          if (received.includes('event: ready')) resolve(res.statusCode ?? 0);
        });
      });
      req.on('error', reject);
    });
    req.end();
    try {
      expect(await ready).toBe(200);
      // Single use across processes: the ticket redeemed on B is gone for A as well.
      expect((await fetch(`${a}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`)).status).toBe(
        401,
      );
      const res = await fetch(`${a}/api/v1/appeals`, {
        method: 'POST',
        headers: operator.headers,
        body: JSON.stringify({
          medium: 'phone',
          surname: 'Соколова',
          firstName: 'Анна',
          phone: '+7 913 777-66-55',
          subject: 'Поток между процессами',
          text: 'Обращение, зарегистрированное через один процесс api, должно появиться в потоке другого.',
        }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      await eventually(async () => (received.includes(id) ? true : undefined), 15_000);
    } finally {
      req.destroy();
    }
  });

  it('counts one rate limit over both processes', async () => {
    const submit = (base: string, i: number) =>
      fetch(`${base}/api/v1/public/appeals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          surname: 'Кузнецова',
          firstName: 'Ольга',
          email: 'olga.k@example.ru',
          text: `Не вывозят мусор со двора дома по ул. Ленина, 15, уже неделю (${i}).`,
          consent: 'true',
        }),
      });
    // Three a window per address in all: two through A and one through B are taken, the fourth is refused
    // whichever process it reaches.
    const statuses = [];
    for (const [i, base] of [a, b, a, b, a].entries()) statuses.push((await submit(base, i)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });
});
