import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { launchChromium } from './browser';
import { watchProblems } from './page-problems';
import { ensureWebBuilt } from './web-build';

/** Where the walks' screenshots go (not the docs' ones). */
export const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

export interface StaffPages {
  /** Each page's console errors, page errors and failed requests (watchProblems). */
  problems: Map<Page, string[]>;
  /**
   * A page of its own browser context at 1366×768 in `locale` (Russian unless told), `context` over that, its
   * problems watched.
   */
  newPage(locale?: string, context?: BrowserContextOptions): Promise<Page>;
  /** A new page signed in through the login page as a person does, at `path` of the workspace. */
  open(
    baseUrl: () => string,
    login: { login: string; password: string },
    path: string,
    locale?: string,
  ): Promise<Page>;
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
    async open(baseUrl, { login, password }, path, locale) {
      const page = await newPage(locale);
      await page.goto(`${baseUrl()}/app${path}`);
      await page.getByLabel('Логин').fill(login);
      await page.getByLabel('Пароль').fill(password);
      await page.getByRole('button', { name: 'Войти' }).click();
      return page;
    },
  };
}
