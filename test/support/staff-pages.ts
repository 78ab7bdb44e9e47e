import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { launchChromium } from './browser';
import { watchProblems } from './page-problems';
import { ensureWebBuilt } from './web-build';

/** Where the walks' screenshots go (not the docs' ones). */
export const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

/** A new page of the workspace at `path`, signed in as `login` (in `locale`, Russian unless told). */
type OpenSignedIn = (
  baseUrl: () => string,
  login: { login: string; password: string },
  path: string,
  locale?: string,
) => Promise<Page>;

export interface StaffPages {
  /** Each page's console errors, page errors and failed requests (watchProblems). */
  problems: Map<Page, string[]>;
  /**
   * A page of its own browser context at 1366×768 in `locale` (Russian unless told), `context` over that, its
   * problems watched.
   */
  newPage(locale?: string, context?: BrowserContextOptions): Promise<Page>;
  /**
   * A new page signed in as `login` at `path` of the workspace: the session the login page starts, over the
   * api (putSession). Tests about signing in use `openByForm`.
   */
  open: OpenSignedIn;
  /** A new page signed in through the login page as a person does, at `path` of the workspace. */
  openByForm: OpenSignedIn;
  /** `page` (not navigated yet) signed in as `login`: see putSession. */
  signIn(page: Page, baseUrl: string, login: { login: string; password: string }): Promise<void>;
  /** The file's session of `login` over the api (the one pages get): its bearer token. */
  token(baseUrl: string, login: { login: string; password: string }): Promise<string>;
}

/** Where the web app keeps its session (apps/web/src/auth.tsx). */
const SESSION_KEY = 'inbox.session';
/**
 * The tab's name once the test has put a session into it: its storage is then the app's alone (a sign-out stays
 * one over a reload). The name outlives the tab's same-origin navigations; the app never reads it, and the
 * storage holds nothing but what the app keeps there (web-workspace checks that).
 */
const SEEDED = 'inbox-test-session-put';

interface ApiSession {
  token: string;
  expiresAt: string;
}

/**
 * Sessions started over the api, one per login and password in a file: each sign-in is a scrypt, and on a
 * loaded machine the login page's round (its screen, the form, the sign-in and `me`) was seconds per walk.
 */
function apiSessions() {
  const started = new Map<string, Promise<ApiSession>>();
  const start = async (baseUrl: string, login: string, password: string): Promise<ApiSession> => {
    // The request the login page makes (apps/web/src/api/endpoints.ts: login).
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    if (res.status !== 200) throw new Error(`sign-in of ${login}: ${res.status} ${await res.text()}`);
    const { accessToken, expiresAt } = (await res.json()) as { accessToken: string; expiresAt: string };
    return { token: accessToken, expiresAt };
  };
  /** A session still good for a few minutes that the api still takes (none signed out, password kept). */
  const usable = async (baseUrl: string, session: ApiSession) =>
    Date.parse(session.expiresAt) - Date.now() > 5 * 60_000 &&
    (await fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${session.token}` } }))
      .status === 200;
  return async (baseUrl: string, login: string, password: string): Promise<ApiSession> => {
    const key = JSON.stringify([baseUrl, login, password]);
    const known = started.get(key);
    if (known) {
      const session = await known.catch(() => undefined);
      if (session && (await usable(baseUrl, session))) return session;
    }
    const fresh = start(baseUrl, login, password);
    started.set(key, fresh);
    return fresh;
  };
}

/**
 * Signs `page` in as the login page would, before its first navigation: a session over the api (POST
 * /api/v1/auth/login, as the login page), put where the web app keeps it (sessionStorage `inbox.session`) when
 * the tab's storage is first used, and not again once the app has changed it (a sign-out stays one).
 */
async function putSession(page: Page, baseUrl: string, session: ApiSession): Promise<void> {
  const [origin, key, value, seeded] = [
    new URL(baseUrl).origin,
    SESSION_KEY,
    JSON.stringify(session),
    SEEDED,
  ].map((v) => JSON.stringify(v));
  await page.addInitScript(`if (location.origin === ${origin} && window.name !== ${seeded}) {
    window.name = ${seeded};
    sessionStorage.setItem(${key}, ${value});
  }`);
}

/** A file's staff sessions over the api, for pages (putSession) and for calls (their token). */
export function staffSessions(): Pick<StaffPages, 'signIn' | 'token'> {
  const session = apiSessions();
  return {
    signIn: async (page, baseUrl, { login, password }) =>
      putSession(page, baseUrl, await session(baseUrl, login, password)),
    token: async (baseUrl, { login, password }) => (await session(baseUrl, login, password)).token,
  };
}

/**
 * Chromium for a file's walks through the staff workspace: launched (the SPA built) before its tests, each
 * test's contexts closed after it, the browser after them all.
 */
export function staffPages(): StaffPages {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const problems = new Map<Page, string[]>();
  beforeAll(async () => {
    ensureWebBuilt();
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
  });
  const { signIn, token } = staffSessions();
  const newPage = async (locale = 'ru-RU', options: BrowserContextOptions = {}) => {
    const context = await browser!.newContext({
      bypassCSP: true,
      viewport: { width: 1366, height: 768 },
      locale,
      ...options,
    });
    contexts.push(context);
    const page = await context.newPage();
    problems.set(page, watchProblems(page));
    page.setDefaultTimeout(20_000);
    return page;
  };
  return {
    problems,
    newPage,
    signIn,
    token,
    async open(baseUrl, login, path, locale) {
      const page = await newPage(locale);
      await signIn(page, baseUrl(), login);
      await page.goto(`${baseUrl()}/app${path}`);
      return page;
    },
    async openByForm(baseUrl, { login, password }, path, locale) {
      const page = await newPage(locale);
      await page.goto(`${baseUrl()}/app${path}`);
      await page.getByLabel('Логин').fill(login);
      await page.getByLabel('Пароль').fill(password);
      await page.getByRole('button', { name: 'Войти' }).click();
      return page;
    },
  };
}
