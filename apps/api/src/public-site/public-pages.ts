import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NextFunction, type Request, type Response } from 'express';
import { parsePhoneRu } from '@inbox/integrations/website';

/** What sets one citizens' page apart; the head, header and footer they share are one layout (pages/_layout.html). */
export interface PublicPage {
  title: string;
  description: string;
  /** The status, rating and answer files pages carry a code or a key in their address: no Referer may take it elsewhere. */
  referrer: 'same-origin' | 'no-referrer';
  /** Scripts from apps/api/public, in order (deferred): portal.js first where a page's script uses it. */
  scripts: string[];
}

/**
 * The site's menu, the same in the header and the footer; the header shows a phone the short label (the three
 * whole ones stood in three lines at 375 px), its link still named by the whole one.
 */
const MENU: ReadonlyArray<readonly [href: string, label: string, short: string]> = [
  ['index.html', 'Подать обращение', 'Подать обращение'],
  ['status.html', 'Проверить статус обращения', 'Статус'],
  ['faq.html', 'Частые вопросы', 'Вопросы'],
];

export const PUBLIC_PAGES: Readonly<Record<string, PublicPage>> = {
  'index.html': {
    title: 'Обращение в органы власти',
    description: 'Электронная форма обращения граждан в органы государственной власти региона.',
    referrer: 'same-origin',
    scripts: ['portal.js', 'phone-rule.js', 'form.js'],
  },
  'status.html': {
    title: 'Проверить статус обращения',
    description: 'Проверка статуса обращения по регистрационному номеру и коду доступа.',
    referrer: 'no-referrer',
    scripts: ['portal.js', 'rating-form.js', 'status.js'],
  },
  'faq.html': {
    title: 'Частые вопросы',
    description:
      'Ответы органов власти региона на частые вопросы граждан: найдите ответ до того, как писать обращение.',
    referrer: 'same-origin',
    scripts: ['portal.js', 'faq.js'],
  },
  'rate.html': {
    title: 'Оценить ответ на обращение',
    description: 'Оценка ответа на обращение по ссылке из письма.',
    referrer: 'no-referrer',
    scripts: ['portal.js', 'rating-form.js', 'rate.js'],
  },
  'answer-files.html': {
    title: 'Файлы ответа на обращение',
    description: 'Файлы ответа на обращение по личной ссылке из сообщения с ответом.',
    referrer: 'no-referrer',
    scripts: ['portal.js', 'answer-files.js'],
  },
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

const REQUIRED_MARK = '<span class="required-mark" aria-hidden="true">*</span>';

/**
 * One labelled input of a citizens' form, as a page writes it: `<x-field id label …></x-field>`. Every such field
 * is built the same way: its label (with the required or optional mark), its hint, the input described by the hint,
 * its error slot (`id-error`, which the page's script fills) and then any ids in `describedby`. Attributes:
 * id (also the input's name), label, required, optional (the mark's text), hint, wide, describedby; every other
 * one is the input's own (type first, text by default). Values are HTML as the page wrote them.
 */
export function renderField(attributes: string, indent = ''): string {
  const own = new Map<string, string | true>();
  for (const [, key, value] of attributes.matchAll(/([\w-]+)(?:="([^"]*)")?/g)) own.set(key, value ?? true);
  const take = (key: string) => {
    const value = own.get(key);
    own.delete(key);
    return value;
  };
  const text = (key: string) => {
    const value = take(key);
    return typeof value === 'string' ? value : undefined;
  };
  const [id, label, type] = [text('id'), text('label'), text('type') ?? 'text'];
  if (!id || !label) throw new Error(`a field needs an id and a label: <x-field${attributes}>`);
  const required = take('required') === true;
  const [optional, hint, describedBy] = [text('optional'), text('hint'), text('describedby')];
  const wide = take('wide') === true;
  const mark = required ? REQUIRED_MARK : optional ? ` <span class="optional-mark">${optional}</span>` : '';
  const input = [
    `type="${type}"`,
    `id="${id}"`,
    `name="${id}"`,
    ...[...own].map(([key, value]) => (value === true ? key : `${key}="${value}"`)),
    ...(required ? ['required', 'aria-required="true"'] : []),
    `aria-describedby="${[hint && `${id}-hint`, `${id}-error`, describedBy].filter(Boolean).join(' ')}"`,
  ];
  return [
    `<div class="field${wide ? ' field--wide' : ''}">`,
    `  <label for="${id}">${label}${mark}</label>`,
    ...(hint ? [`  <span class="hint" id="${id}-hint">${hint}</span>`] : []),
    `  <input ${input.join(' ')} />`,
    `  <p class="field-error" id="${id}-error"></p>`,
    `</div>`,
  ].join(`\n${indent}`);
}

/** A page's own text with its fields (`<x-field …></x-field>`, see renderField) built. */
export function renderFields(main: string): string {
  return main.replace(
    /^([ \t]*)<x-field\b([^>]*)><\/x-field>/gm,
    (_all, indent: string, attributes: string) => indent + renderField(attributes, indent),
  );
}

/** The page `name` (a key of PUBLIC_PAGES) with its main content `main`, inside the shared `layout`. */
export function renderPublicPage(layout: string, name: string, main: string): string {
  const page = PUBLIC_PAGES[name];
  if (!page) throw new Error(`no public page ${name}`);
  const menu = (current?: string, header = false) =>
    MENU.map(([href, label, short]) => {
      const shortened = header && short !== label;
      const text = shortened
        ? `<span class="site-nav__full">${escapeHtml(label)}</span>` +
          `<span class="site-nav__short">${escapeHtml(short)}</span>`
        : escapeHtml(label);
      const mark = href === current ? ' aria-current="page"' : '';
      const named = shortened ? ` aria-label="${escapeHtml(label)}"` : '';
      return `<li><a href="${href}"${mark}${named}>${text}</a></li>`;
    }).join('\n            ');
  const slots: Record<string, string> = {
    title: escapeHtml(page.title),
    description: escapeHtml(page.description),
    referrer: page.referrer,
    scripts: page.scripts.map((src) => `<script src="${src}" defer></script>`).join('\n    '),
    nav: menu(name, true),
    footerNav: menu(),
    main: renderFields(main),
  };
  // One pass: a page's own text is never read for slots.
  return layout.replace(/\{\{(\w+)\}\}/g, (slot: string, key: string) => {
    if (!(key in slots)) throw new Error(`unknown slot ${slot} in the public pages' layout`);
    return slots[key];
  });
}

/** apps/api/pages, from the sources (tests) or from dist (the built api). */
export function publicPagesDir(): string | undefined {
  return [
    join(__dirname, '..', '..', 'pages'),
    join(__dirname, '..', '..', '..', '..', '..', 'apps', 'api', 'pages'),
  ].find((dir) => existsSync(join(dir, '_layout.html')));
}

/** Every public page rendered, by its path ('/' is the form). */
export function renderPublicPages(dir: string): Map<string, string> {
  const layout = readFileSync(join(dir, '_layout.html'), 'utf8');
  const pages = new Map<string, string>();
  for (const name of Object.keys(PUBLIC_PAGES))
    pages.set(`/${name}`, renderPublicPage(layout, name, readFileSync(join(dir, name), 'utf8').trim()));
  pages.set('/', pages.get('/index.html') as string);
  return pages;
}

/**
 * Scripts written from the server's own rules, so that a page checks exactly as the server does: the form's phone
 * rule is the connector's function itself (integrations/website/src/phone-ru.ts), as its source text.
 */
export function ruleScripts(): Map<string, string> {
  return new Map([['/phone-rule.js', `window.parsePhoneRu = ${parsePhoneRu.toString()};\n`]]);
}

/** Express middleware answering GET/HEAD of the public pages (and the rule scripts), rendered once at boot. */
export function publicPagesMiddleware(dir: string) {
  const pages = renderPublicPages(dir);
  const scripts = ruleScripts();
  return (req: Request, res: Response, next: NextFunction): void => {
    const read = req.method === 'GET' || req.method === 'HEAD';
    const html = read ? pages.get(req.path) : undefined;
    const script = read ? scripts.get(req.path) : undefined;
    if (html === undefined && script === undefined) return next();
    res.setHeader('Cache-Control', 'no-cache');
    if (script !== undefined) res.type('application/javascript').send(script);
    else res.type('html').send(html);
  };
}
