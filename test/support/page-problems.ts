import { type Page } from 'playwright-core';

/**
 * Collects every console error, uncaught page error and failed request of a page (4xx/5xx answers and network
 * failures; a request the browser itself cancelled on navigation, net::ERR_ABORTED, is not a failure), for a
 * walk to check that none happened: «no console error and no failed request on any page» (issue 17).
 */
export function watchProblems(page: Page): string[] {
  const list: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') list.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => list.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') list.push(`failed: ${r.method()} ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) list.push(`${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return list;
}
