import { type Page } from 'playwright-core';

/** Latin words a Russian screen may carry: file types, formats, keys and the UTC of a zone. */
const ALLOWED = new Set([
  'PDF',
  'DOC',
  'DOCX',
  'ODT',
  'RTF',
  'TXT',
  'JPG',
  'JPEG',
  'PNG',
  'UTC',
  'CSV',
  'XLSX',
  'UTF',
]);
// Names of products as they are written in Russian too: Excel, the Telegram channel, a file's Windows-1251.
const ALLOWED_WORDS = new Set(['Excel', 'Enter', 'Esc', 'Telegram', 'Windows']);

/**
 * What on the page's visible text is not Russian: Latin words (but file types, formats and key names), ids
 * (UUIDs) and enum values (snake_case / kebab-case codes). None on a screen staff read.
 */
export async function foreignWords(page: Page, data: RegExp[] = []): Promise<string[]> {
  // `data`: what the test itself put there in Latin (its fixtures' names), not the screen's words. What a citizen
  // wrote (a messenger name such as «andrey_smirn1») is marked `data-citizen-data` by the page; what a person
  // types exactly as shown (a login, a file's column name, a rubricator code for a file) `data-literal`.
  // Both read in one task of the page: read apart, a table's rows drawn between the two reads (a screen is
  // checked once its table is shown, its rows may come a moment later) put logins in the text and not in the data.
  const screen = (await page.evaluate(`({
    citizenData: [...document.querySelectorAll('[data-citizen-data], [data-literal]')].map((e) => e.innerText),
    body: document.body.innerText,
  })`)) as { citizenData: string[]; body: string };
  // The longest first: a login «clerk» taken out of «clerk-mintrans» left «-mintrans».
  const text = screen.citizenData
    .filter((t) => t.trim())
    .sort((a, b) => b.length - a.length)
    .reduce(
      (t, given) => t.split(given).join(' '),
      data.reduce((t, re) => t.replace(re, ' '), screen.body),
    );
  const found = new Set<string>();
  for (const m of text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi))
    found.add(m[0]);
  // E-mail addresses and web addresses (an organisation's site in a knowledge-base answer) are data, not the
  // screen's words.
  const withoutIds = text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ' ')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ')
    .replace(/\bhttps?:\/\/\S+/g, ' ');
  for (const m of withoutIds.matchAll(/[A-Za-z][A-Za-z_-]*[A-Za-z]/g)) {
    const word = m[0];
    if (ALLOWED.has(word.toUpperCase()) || ALLOWED_WORDS.has(word)) continue;
    // With what stands around it, to find it on the screen.
    const at = m.index ?? 0;
    found.add(
      `${word} («…${withoutIds.slice(Math.max(0, at - 30), at + word.length + 10)}…»)`.replace(/\s+/g, ' '),
    );
  }
  return [...found];
}
