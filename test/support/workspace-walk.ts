import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { type DataSource } from 'typeorm';
import { Role, StaffUsers } from '@inbox/access';
import { type Actor, AppealRegistrar, AppealWorkflow } from '@inbox/appeals';
import { ClockWatcher } from '@inbox/clocks';
import {
  DEMO_ANSWER_TEMPLATES,
  DEMO_ORGANISATIONS,
  demoInboundItems,
  seedDemoAnswerTemplates,
  seedDemoKnowledge,
  seedDemoRoutingRules,
  seedDirectory,
} from '@inbox/demo';
import { InboundStore } from '@inbox/intake';
import { phoneAppeal } from '../factories/appeals';
import { axeViolations } from './browser';
import { SHOTS, staffPages } from './staff-pages';
import { json, startTestStack, type TestStack } from './test-stack';

/** The docs' screenshots, which the walk takes again (`git checkout docs/screenshots` unless meant). */
const DOCS_SHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
export const VIEWPORT = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** Every seeded staff member's password. */
export const PASSWORD = 'demo';

/** An appeal the walks follow, registered by phone in the seed. */
export interface WalkedAppeal {
  id: string;
  registrationNumber: string;
}

export interface WorkspaceWalk {
  /** The running stack, api and worker (set in beforeAll, as everything read below). */
  readonly stack: TestStack;
  readonly ds: DataSource;
  /** Organisation and topic ids by code, from the demo directory. */
  readonly org: Record<string, string>;
  readonly topic: Record<string, string>;
  /** Housing, from Соколова Анна Игоревна (+7 913 777-66-55), at line 1: the walk escalates it. */
  readonly escalateMe: WalkedAppeal;
  /** Housing, escalated to Минжкх, whose line-2 and answer terms passed two days ago. */
  readonly overdue: WalkedAppeal;
  /** Each page's console errors, page errors and failed requests. */
  problems: Map<Page, string[]>;
  /** A page of its own browser context (Russian, VIEWPORT unless told), its problems watched, not signed in. */
  newPage(context?: BrowserContextOptions): Promise<Page>;
  /**
   * A new page signed in as `login` (the login page's session, started over the api: staffPages' signIn) at the
   * workspace's start, in the organisation's zone unless told. The form itself is walked where sign-in is the point.
   */
  signIn(login: string, viewport?: { width: number; height: number }, timezoneId?: string): Promise<Page>;
  /** The api's headers for `login`, signed in over HTTP (the file's one session of `login`). */
  signInHeaders(login: string): Promise<Record<string, string>>;
  /** An appeal registered by the operator over the api (`body` as POST /appeals takes it): its card. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  registerAppeal(body: Record<string, unknown>): Promise<any>;
  /** No console error, page error or failed request on `page` so far. */
  expectClean(page: Page): void;
  /** The page as the docs show it (docs/screenshots and test-output/screenshots). */
  screenshot(page: Page, name: string): Promise<void>;
  /** The page in test-output/screenshots only. */
  snap(page: Page, name: string): Promise<void>;
}

/**
 * The staff workspace's browser walks: the built SPA served by the real api (+ worker) at /app/, over the demo
 * region as `npm start` has it (seedWalkRegion), with Chromium, `env` over the stack's. Started before the file's
 * tests and closed after them; each test's browser contexts close when it ends, so that open pages do not go on
 * streaming the inbox (live updates and refetches for every appeal a later step adds) and load the machine under
 * the steps after.
 */
export function workspaceWalk(env: Record<string, string> = {}): WorkspaceWalk {
  const pages = staffPages();
  let stack: TestStack | undefined;
  let seeded: Seeded | undefined;
  beforeAll(async () => {
    mkdirSync(DOCS_SHOTS, { recursive: true });
    stack = await startTestStack({ worker: true, env });
    seeded = await seedWalkRegion(stack, walk);
  });
  afterAll(async () => {
    await stack?.close();
  });
  const started = () => {
    if (!stack || !seeded) throw new Error('the walk starts in beforeAll: read it inside a test');
    return { stack, ...seeded };
  };
  const newPage = (context: BrowserContextOptions = {}) =>
    pages.newPage('ru-RU', { viewport: VIEWPORT, ...context });
  const walk: WorkspaceWalk = {
    get stack() {
      return started().stack;
    },
    get ds() {
      return started().stack.db.dataSource;
    },
    get org() {
      return started().org;
    },
    get topic() {
      return started().topic;
    },
    get escalateMe() {
      return started().escalateMe;
    },
    get overdue() {
      return started().overdue;
    },
    problems: pages.problems,
    newPage,
    async signIn(login, viewport = VIEWPORT, timezoneId = 'Asia/Novosibirsk') {
      const page = await newPage({ viewport, timezoneId });
      page.setDefaultTimeout(15_000);
      await pages.signIn(page, stack!.baseUrl, { login, password: PASSWORD });
      await page.goto(`${stack!.baseUrl}/app/`);
      await page.getByTestId('current-user').waitFor();
      return page;
    },
    async signInHeaders(login) {
      const token = await pages.token(stack!.baseUrl, { login, password: PASSWORD });
      return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    },
    async registerAppeal(body) {
      const res = await fetch(`${stack!.baseUrl}/api/v1/appeals`, {
        method: 'POST',
        headers: await walk.signInHeaders('operator'),
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return json(res);
    },
    expectClean(page) {
      expect(pages.problems.get(page)).toEqual([]);
    },
    async screenshot(page, name) {
      // Fonts and charts settle before the picture.
      await page.waitForTimeout(400);
      const path = join(SHOTS, `${name}.png`);
      await page.screenshot({ path });
      copyFileSync(path, join(DOCS_SHOTS, `${name}.png`));
    },
    async snap(page, name) {
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    },
  };
  return walk;
}

/** The page has drawn its data: no loader left, then a moment for charts and fonts. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(`!document.querySelector('.mantine-Loader-root, [data-loading]')`);
  await page.waitForTimeout(300);
}

/**
 * A tour of screens, each checked by axe-core (WCAG 2.1 A/AA) once drawn: `found` holds each screen's serious
 * and critical violations by name.
 */
export function axeTour(walk: WorkspaceWalk): {
  found: Record<string, string[]>;
  visit(page: Page, name: string, path: string, ready: (page: Page) => Promise<unknown>): Promise<void>;
} {
  const found: Record<string, string[]> = {};
  return {
    found,
    async visit(page, name, path, ready) {
      await page.goto(`${walk.stack.baseUrl}/app${path}`);
      await ready(page);
      await settled(page);
      found[name] = await axeViolations(page);
    },
  };
}

/** Clicks the bar of row `row` in the first series (the «Просрочено» one) of a bar chart in `panel`. */
export async function clickBar(panel: Locator, row: number): Promise<void> {
  await panel
    .locator('.recharts-bar')
    .first()
    .locator('.recharts-bar-rectangle')
    .nth(row)
    .locator('path')
    .click();
}

/** A screen is drawn when its heading `name` is. */
export const headingShown = (name: string) => (page: Page) =>
  page.getByRole('heading', { name }).first().waitFor();
/** A screen is drawn when its table `name` is. */
export const tableShown = (name: string) => (page: Page) => page.getByRole('table', { name }).waitFor();

interface Seeded {
  org: Record<string, string>;
  topic: Record<string, string>;
  escalateMe: WalkedAppeal;
  overdue: WalkedAppeal;
}

/** The demo region (as `npm start` has it): directory, rules, staff, appeals part-way through the workflow. */
async function seedWalkRegion(
  stack: TestStack,
  { registerAppeal, signInHeaders }: Pick<WorkspaceWalk, 'registerAppeal' | 'signInHeaders'>,
): Promise<Seeded> {
  const ds = stack.db.dataSource;
  // The generic test directory makes way for the demo one, so the screens show one coherent region.
  await ds.query(`DELETE FROM topics`);
  await seedDirectory(ds);
  await ds.query(`DELETE FROM organisations WHERE code <> ALL($1)`, [DEMO_ORGANISATIONS.map((o) => o.code)]);
  await seedDemoRoutingRules(ds);
  // The demo's answer templates, as `npm start` seeds them: once, however often the seed runs.
  expect(await seedDemoAnswerTemplates(ds)).toBe(DEMO_ANSWER_TEMPLATES.length);
  expect(await seedDemoAnswerTemplates(ds)).toBe(0);
  const ids = (table: string) =>
    ds
      .query(`SELECT id, code FROM ${table}`)
      .then((rows: { id: string; code: string }[]) => Object.fromEntries(rows.map((r) => [r.code, r.id])));
  const org = await ids('organisations');
  const topic = await ids('topics');

  const users = stack.api.get(StaffUsers);
  const staff = [
    { login: 'operator', fullName: 'Иванова Елена Андреевна', role: Role.Operator, org: 'cur' },
    { login: 'clerk', fullName: 'Петров Сергей Владимирович', role: Role.Clerk, org: 'minjkh' },
    { login: 'clerk-mintrans', fullName: 'Кузнецов Илья Петрович', role: Role.Clerk, org: 'mintrans' },
    { login: 'supervisor', fullName: 'Смирнова Ольга Николаевна', role: Role.Supervisor, org: 'gov' },
    { login: 'admin', fullName: 'Администратор системы', role: Role.Admin, org: 'gov' },
  ];
  for (const s of staff) {
    await users.ensure({
      login: s.login,
      password: PASSWORD,
      fullName: s.fullName,
      role: s.role,
      organisationId: org[s.org],
    });
  }
  // The demo knowledge base (articles per organisation and topic), as `npm start` has it.
  const loginId = async (name: string) =>
    ((await ds.query(`SELECT id FROM users WHERE login = $1`, [name])) as { id: string }[])[0].id;
  await seedDemoKnowledge(ds, {
    now: new Date(),
    responsible: { minjkh: await loginId('clerk') },
    requestedBy: await loginId('operator'),
  });
  const actor = async (login: string): Promise<Actor> => {
    const [{ id }] = (await ds.query(`SELECT id FROM users WHERE login = $1`, [login])) as { id: string }[];
    const user = (await users.byId(id))!;
    return {
      userId: id,
      role: user.role,
      organisationId: user.organisationId,
      scope: await users.scopeOf(user),
    };
  };
  const operator = await actor('operator');
  const clerk = await actor('clerk');
  const supervisor = await actor('supervisor');

  // 60 demo appeals through the real intake path, some classified, escalated, answered and rated.
  const items = demoInboundItems(60, new Date());
  const stored = await stack.api.get(InboundStore).store(items, { enqueue: false });
  const registrar = stack.api.get(AppealRegistrar);
  const workflow = stack.api.get(AppealWorkflow);
  for (let i = 0; i < stored.length; i++) {
    const outcome = await registrar.registerInboundItem(stored[i].inboundItemId);
    if (outcome.kind !== 'registered') continue;
    const top = topic[items[i].features?.demoTopic as string];
    const sub = topic[items[i].features?.demoSubtopic as string];
    if (!top || i % 4 === 3) continue;
    await workflow
      .classify(outcome.appealId, operator, top, sub)
      .catch(() => workflow.classify(outcome.appealId, operator, top));
    if (i % 3 !== 0) continue;
    try {
      await workflow.escalate(
        outcome.appealId,
        operator,
        { organisationIds: [org.minjkh], subject: items[i].subject },
        new Date(items[i].receivedAt),
      );
      if (i % 2 === 0) {
        const answerId = await workflow.draftAnswer(outcome.appealId, clerk, {
          text: 'Ваше обращение рассмотрено. Управляющей компании выдано предписание, работы будут выполнены до конца месяца.',
        });
        await workflow.approveAnswer(outcome.appealId, answerId, supervisor);
        await workflow.sendAnswer(outcome.appealId, answerId, clerk);
        await workflow.rate(
          outcome.appealId,
          {
            channel: 'operator',
            externalId: `demo-rating-${i}`,
            ...(i % 4 === 0
              ? { answered: false, satisfaction: 'not-satisfied' }
              : { answered: true, satisfaction: 'satisfied' }),
          },
          supervisor,
        );
      }
    } catch {
      // The rules refuse some demo items (no patronymic or phone): they stay at line 1, as in real life.
    }
  }

  // The two appeals the walk-through follows, registered by phone as line 1 does.
  const escalateMe = await registerAppeal(
    phoneAppeal('Соколова Анна Игоревна', '+7 913 777-66-55', {
      email: 'sokolova@example.test',
      subject: 'Прорыв трубы холодного водоснабжения в подвале',
      text: 'В подвале дома по ул. Гоголя, 3 вторые сутки течёт вода из трубы холодного водоснабжения, подвал затоплен. Управляющая компания на звонки не отвечает. Прошу принять меры.',
      address: 'г. Северогорск, ул. Гоголя, 3',
      topicId: topic.housing,
    }),
  );
  const overdue = await registerAppeal(
    phoneAppeal('Васильев Пётр Андреевич', '+7 913 555-44-33', {
      subject: 'Не вывозят мусор с контейнерной площадки',
      text: 'С контейнерной площадки у дома по ул. Мира, 12 третью неделю не вывозят мусор, контейнеры переполнены.',
      address: 'г. Северогорск, ул. Мира, 12',
      topicId: topic.housing,
    }),
  );
  await workflow.escalate(overdue.id, operator, { organisationIds: [org.minjkh] });
  // Its line-2 and answer terms passed two days ago: the clock watcher records the violations.
  await ds.query(
    `UPDATE appeal_organisations SET due_at = now() - interval '2 days' WHERE appeal_id = $1 AND organisation_id = $2`,
    [overdue.id, org.minjkh],
  );
  await ds.query(
    `UPDATE appeals SET answer_due_at = now() - interval '2 days', answer_due_date = (now() - interval '2 days')::date WHERE id = $1`,
    [overdue.id],
  );
  const sweep = await stack.worker!.get(ClockWatcher, { strict: false }).sweep(new Date());
  expect(sweep.byClock['line2-answer/overdue']).toBeGreaterThanOrEqual(1);

  // An answer template of the clerk's organisation for the housing topic.
  const clerkHeaders = await signInHeaders('clerk');
  const res = await fetch(`${stack.baseUrl}/api/v1/answer-templates`, {
    method: 'POST',
    headers: clerkHeaders,
    body: JSON.stringify({
      title: 'Аварийные работы: водоснабжение',
      body: 'Уважаемая {{applicantName}}! По Вашему обращению № {{registrationNumber}} от {{registrationDate}} сообщаем: аварийная бригада устранила течь, подвал осушен. Контроль выполнения работ оставлен за {{organisation}}.',
      topicId: topic.housing,
    }),
  });
  expect(res.status).toBe(201);
  return { org, topic, escalateMe, overdue };
}
