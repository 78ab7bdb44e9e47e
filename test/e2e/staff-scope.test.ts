import { randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 11 (one scope): every staff endpoint in the OpenAPI document that addresses an appeal — by a path
 * parameter or by appeal ids in its body — refuses an appeal outside the caller's scope exactly as it
 * refuses one that does not exist (404), and records the attempt in the audit log. The list of endpoints
 * comes from the running api's own document, so a new endpoint is covered the day it is added; an endpoint
 * that addresses no appeal has to be named below with the reason, or this test fails.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
};
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** Endpoints that address no appeal (by path or body), each with the reason; everything else is tested. */
const NOT_ABOUT_AN_APPEAL: Record<string, string> = {
  'GET /api/v1/appeals': 'the list: filtered by the scope, never refused (covered by staff-workflow.test)',
  'POST /api/v1/appeals': 'registers a new appeal',
  'GET /api/v1/appeals/count':
    "the list's count: the same scoped filter, never refused (covered by workspace-api.test)",
  'GET /api/v1/appeals/stream': 'the live stream: filtered by the scope (covered by workspace-api.test)',
  'POST /api/v1/appeals/stream/ticket': "the live stream's single-use ticket for the caller (security.test)",
  'GET /api/v1/answer-templates': "the organisation's templates",
  'POST /api/v1/answer-templates': 'creates a template',
  'PATCH /api/v1/answer-templates/{id}': "edits or deactivates a template of the caller's organisation",
  'GET /api/v1/me': 'the signed-in staff member',
  'GET /api/v1/notifications': "the signed-in staff member's own notifications",
  'GET /api/v1/notifications/summary':
    "counts of the queues' filters in the caller's scope, never refused (covered by workspace-day.test)",
  'GET /api/v1/notifications/unread-count':
    "how many of the signed-in staff member's own notifications are unread",
  'POST /api/v1/notifications/{id}/read': "one of the signed-in staff member's own notifications",
  'POST /api/v1/notifications/read-all':
    "the signed-in staff member's own notifications, up to one of theirs",
  'GET /api/v1/deliveries/failed':
    'the failed-deliveries queue: filtered by the scope, never refused (covered by failed-deliveries.test)',
  'GET /api/v1/incidents': 'incidents, filtered by the scope of their appeals (libs/incidents)',
  'GET /api/v1/incidents/{id}':
    "an incident, not an appeal: its appeals are listed within the caller's scope",
  'POST /api/v1/incidents/{id}/draft':
    "an incident: each appeal's draft is written through the workflow, in the caller's scope",
  'POST /api/v1/incidents/{id}/approve':
    "an incident: each appeal's draft is approved and sent through the workflow, in the caller's scope",
};

/**
 * Endpoints that refuse with 404 but keep no denied audit row: none. (The classifier's routing suggestion and
 * 59-ФЗ flags were exempt once; issue 14 asks every denial on every endpoint to be on record.)
 */
const NO_DENIAL_AUDIT: Record<string, string> = {};

/** Path prefixes outside the staff API: the citizen's, webhooks, sign-in, health, the document itself. */
const NOT_STAFF = ['/api/v1/public/', '/api/v1/webhooks/', '/api/v1/auth/', '/health', '/api/docs'];

/** Whole areas that address no appeal: reference data, administration, reports over the scope. */
const NOT_ABOUT_AN_APPEAL_AREAS: [RegExp, string][] = [
  [/^\/api\/v1\/(organisations|directory|rubricator|topics|calendars?)\b/, 'reference data'],
  [/^\/api\/v1\/users\b/, 'staff accounts'],
  [/^\/api\/v1\/(routing|routing-rules|fast-track-rules)\b/, 'routing and fast-track rules, not appeals'],
  [/^\/api\/v1\/classification\b/, 'classifier models and retraining'],
  [/^\/api\/v1\/reports\b/, 'aggregates over the scope (covered by workspace-api.test)'],
  [/^\/api\/v1\/knowledge\b/, 'the knowledge base: its own articles, sections and requests (libs/knowledge)'],
  [/^\/api\/v1\/event-outbox\b/, "the history outbox's delivery state, administrators only (libs/channels)"],
  [
    /^\/api\/v1\/channel-accounts\b/,
    'channel accounts and their settings, administrators only (libs/channels)',
  ],
  [
    /^\/api\/v1\/channel-quarantine\b/,
    'channel inputs that reached no organisation yet, whole-region staff only',
  ],
];

const APPEAL_PATH = /^\/api\/v1\/appeals\/\{id\}/;
const APPEAL_PARAM = /^appeal_?id$/i;
const APPEAL_BODY = /^appealIds?$/;

describe('organisation scope over every staff endpoint (e2e)', () => {
  let stack: TestStack;
  let doc: OpenApi;
  let outsider: SignedIn;
  let target: { appealId: string; answerId: string; attachmentId: string };

  beforeAll(async () => {
    stack = await startTestStack({ env: { API_DOCS: 'public' } });
    const ds = stack.db.dataSource;
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const housingClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
    // A supervisor passes every role check a clerk or an operator would; the roads department's scope does
    // not hold the housing appeal below.
    outsider = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'mintrans');
    const post = (path: string, who: SignedIn, body: unknown) =>
      fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
    const created = await json(
      post('/api/v1/appeals', operator, {
        medium: 'phone',
        surname: 'Соколова',
        firstName: 'Анна',
        patronymic: 'Игоревна',
        phone: '+79137776655',
        subject: 'Нет отопления',
        text: 'С 20 ноября в квартире холодные батареи, управляющая компания не отвечает.',
        topicId: await idOf(ds, 'topics', 'housing'),
      }),
    );
    const minzhkh = await idOf(ds, 'organisations', 'minzhkh');
    expect(
      (await post(`/api/v1/appeals/${created.id}/escalate`, operator, { organisationIds: [minzhkh] })).status,
    ).toBe(204);
    const answer = await json(
      post(`/api/v1/appeals/${created.id}/answers`, housingClerk, { text: 'Проект ответа' }),
    );
    const content = Buffer.from('scope test');
    await ds.query(
      `INSERT INTO attachment_contents (sha256, size, content) VALUES ('scope-test', $1, $2) ON CONFLICT DO NOTHING`,
      [content.length, content],
    );
    const [file] = (await ds.query(
      `INSERT INTO attachments (appeal_id, file_name, content_type, size, sha256) VALUES ($1, 'a.txt', 'text/plain', $2, 'scope-test') RETURNING id`,
      [created.id, content.length],
    )) as { id: string }[];
    target = { appealId: created.id, answerId: answer.id, attachmentId: file.id };
    doc = (await json(fetch(`${stack.baseUrl}/api/docs-json`))) as OpenApi;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const resolve = (s: Schema): Schema => {
    if (s.$ref) return resolve(doc.components.schemas[s.$ref.split('/').pop()!]);
    if (s.allOf)
      return s.allOf
        .map(resolve)
        .reduce((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), {});
    if (s.oneOf ?? s.anyOf) return resolve((s.oneOf ?? s.anyOf)![0]);
    return s;
  };

  /** A value that passes validation, so that only the scope can refuse the request. */
  const sample = (name: string, raw: Schema): unknown => {
    const s = resolve(raw);
    if (APPEAL_BODY.test(name)) return name.endsWith('s') ? [target.appealId] : target.appealId;
    if (s.enum) return s.enum[0];
    switch (s.type) {
      case 'object':
        return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(k, v)]));
      case 'array':
        return [sample(name.replace(/s$/, ''), s.items ?? { type: 'string' })];
      case 'integer':
      case 'number':
        return Math.max(s.minimum ?? 1, 1);
      case 'boolean':
        return false;
      default:
        if (s.format === 'date-time' || /until|At$|date/i.test(name))
          return new Date(Date.now() + 86_400_000).toISOString();
        if (s.format === 'uuid' || /(Ids?|links?)$/i.test(name)) return randomUUID();
        if (/phone/i.test(name)) return '+79130000000';
        if (/email/i.test(name)) return 'scope@example.test';
        return 'Проверка области видимости';
    }
  };

  const pathValue = (param: string): string =>
    param === 'id' || APPEAL_PARAM.test(param)
      ? target.appealId
      : param === 'answerId'
        ? target.answerId
        : param === 'attachmentId'
          ? target.attachmentId
          : randomUUID();

  /** Every staff operation of the document, as "METHOD /path", with whether it addresses an appeal. */
  const staffOperations = () =>
    Object.entries(doc.paths)
      .filter(([path]) => !NOT_STAFF.some((p) => path.startsWith(p)))
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
          .map(([method, op]) => {
            const body = op.requestBody?.content['application/json']?.schema;
            const bodyProps = body ? Object.keys(resolve(body).properties ?? {}) : [];
            const addresses =
              APPEAL_PATH.test(path) ||
              (op.parameters ?? []).some((p) => p.in === 'path' && APPEAL_PARAM.test(p.name)) ||
              bodyProps.some((p) => APPEAL_BODY.test(p));
            return { key: `${method.toUpperCase()} ${path}`, method, path, op, body, addresses };
          }),
      );

  it('finds the staff endpoints in the OpenAPI document and classifies each', () => {
    const ops = staffOperations();
    expect(ops.filter((o) => o.addresses).length).toBeGreaterThanOrEqual(15);
    const unclassified = ops
      .filter((o) => !o.addresses)
      .filter(
        (o) => !NOT_ABOUT_AN_APPEAL[o.key] && !NOT_ABOUT_AN_APPEAL_AREAS.some(([re]) => re.test(o.path)),
      )
      .map((o) => o.key);
    // A new endpoint that takes an appeal some other way, or none: name it here or make it take the appeal
    // by `{id}` / `appealId(s)` so the scope check below covers it.
    expect(unclassified).toEqual([]);
  });

  it('refuses an out-of-scope appeal on every endpoint that addresses one, with 404 and a denied audit row', async () => {
    const failures: string[] = [];
    const addressing = staffOperations().filter((x) => x.addresses);
    expect(addressing.map((o) => o.key)).toEqual(
      expect.arrayContaining(['POST /api/v1/appeals/{id}/take', 'GET /api/v1/appeals/{id}']),
    );
    for (const o of addressing) {
      const url = o.path.replace(/\{(\w+)\}/g, (_, p: string) => pathValue(p));
      const before = (await stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE user_id = $1 AND outcome = 'denied' AND entity_id = $2`,
        [outsider.userId, target.appealId],
      )) as { n: number }[];
      const res = await fetch(`${stack.baseUrl}${url}`, {
        method: o.method.toUpperCase(),
        headers: outsider.headers,
        body: o.body ? JSON.stringify(sample('', o.body)) : undefined,
      });
      const text = await res.text();
      if (res.status !== 404) {
        failures.push(`${o.key}: ${res.status} ${text.slice(0, 200)}`);
        continue;
      }
      const after = (await stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE user_id = $1 AND outcome = 'denied' AND entity_id = $2`,
        [outsider.userId, target.appealId],
      )) as { n: number }[];
      if (after[0].n <= before[0].n && !NO_DENIAL_AUDIT[o.key])
        failures.push(`${o.key}: 404 without a denied audit row`);
    }
    expect(failures).toEqual([]);
    // Nothing leaked into the appeal either: it is as the housing department left it.
    const [appeal] = (await stack.db.dataSource.query(
      `SELECT status, assignee_id FROM appeals WHERE id = $1`,
      [target.appealId],
    )) as { status: string; assignee_id: string | null }[];
    expect(appeal).toEqual({ status: 'escalated', assignee_id: null });
  });
});
