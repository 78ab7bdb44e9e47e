import {
  PUBLIC_PAGES,
  publicPagesDir,
  renderField,
  renderPublicPage,
  renderPublicPages,
} from './public-pages';

describe('public pages', () => {
  const dir = publicPagesDir() as string;
  const pages = renderPublicPages(dir);

  it('renders every page from apps/api/pages, and / as the form', () => {
    expect(dir).toMatch(/apps[/\\]api[/\\]pages$/);
    expect([...pages.keys()].sort()).toEqual([
      '/',
      '/answer-files.html',
      '/faq.html',
      '/index.html',
      '/rate.html',
      '/status.html',
    ]);
    expect(pages.get('/')).toBe(pages.get('/index.html'));
  });

  it.each(Object.entries(PUBLIC_PAGES))('%s carries the shared head, header and footer', (name, page) => {
    const html = pages.get(`/${name}`) as string;
    expect(html.startsWith('<!doctype html>\n<html lang="ru">')).toBe(true);
    expect(html).toContain(`<title>${page.title} — Портал обращений граждан</title>`);
    expect(html).toContain(`<meta name="referrer" content="${page.referrer}" />`);
    expect(html.match(/<script src="([^"]+)" defer><\/script>/g)).toEqual(
      page.scripts.map((src) => `<script src="${src}" defer></script>`),
    );
    expect(html).toContain('<a class="skip-link" href="#main">Перейти к содержимому</a>');
    const header = /<header class="site-header">([\s\S]*)<\/header>/.exec(html)?.[1] ?? '';
    const footer = /<footer class="site-footer">([\s\S]*)<\/footer>/.exec(html)?.[1] ?? '';
    for (const part of [header, footer]) {
      expect(part).toContain('<a href="index.html"');
      expect(part).toContain('<a href="status.html"');
      expect(part).toContain('<a href="faq.html"');
    }
    // The menu marks the page it is on (the pages behind a personal link are not in the menu); the footer marks none.
    const inMenu = !['rate.html', 'answer-files.html'].includes(name);
    expect(header.match(/aria-current="page"/g) ?? []).toHaveLength(inMenu ? 1 : 0);
    if (inMenu) expect(header).toMatch(new RegExp(`<a href="${name}" aria-current="page"[ >]`));
    expect(footer).not.toContain('aria-current');
    expect(footer).toContain('59-ФЗ');
    expect(html).toMatch(/<main id="main" class="page" tabindex="-1"><div class="container">[\s\S]*<\/main>/);
    expect(html).not.toMatch(/\{\{\w+\}\}/);
  });

  it("takes slots from the layout only, never from a page's own text, and refuses an unknown slot", () => {
    const layout = '<title>{{title}}</title><main>{{main}}</main>';
    expect(renderPublicPage(layout, 'faq.html', '<p>{{title}} $& $1</p>')).toBe(
      '<title>Частые вопросы</title><main><p>{{title}} $& $1</p></main>',
    );
    expect(() => renderPublicPage('{{nope}}', 'faq.html', '')).toThrow('unknown slot {{nope}}');
    expect(() => renderPublicPage(layout, 'nope.html', '')).toThrow('no public page nope.html');
  });

  it('builds each form field the one way: label and mark, hint, input described by hint, error and more', () => {
    expect(renderField(' id="surname" label="Фамилия" required autocomplete="family-name"')).toBe(
      [
        '<div class="field">',
        '  <label for="surname">Фамилия<span class="required-mark" aria-hidden="true">*</span></label>',
        '  <input type="text" id="surname" name="surname" autocomplete="family-name" required aria-required="true"' +
          ' aria-describedby="surname-error" />',
        '  <p class="field-error" id="surname-error"></p>',
        '</div>',
      ].join('\n'),
    );
    expect(
      renderField(
        '\n id="phone" label="Телефон" optional="(необязательно)" hint="Например: +7 900 123-45-67"\n' +
          ' type="tel" inputmode="tel" wide describedby="contact-error"',
        '    ',
      ),
    ).toBe(
      [
        '<div class="field field--wide">',
        '      <label for="phone">Телефон <span class="optional-mark">(необязательно)</span></label>',
        '      <span class="hint" id="phone-hint">Например: +7 900 123-45-67</span>',
        '      <input type="tel" id="phone" name="phone" inputmode="tel"' +
          ' aria-describedby="phone-hint phone-error contact-error" />',
        '      <p class="field-error" id="phone-error"></p>',
        '    </div>',
      ].join('\n'),
    );
    expect(() => renderField(' id="x"')).toThrow('a field needs an id and a label');
  });

  it('leaves no field unbuilt, and gives every form input its error slot', () => {
    let slots = 0;
    for (const [path, html] of pages) {
      expect([path, html.includes('<x-field')]).toEqual([path, false]);
      // Every error an input names, not only the last one it lists (`phone-error contact-error`).
      for (const [, describedBy] of html.matchAll(/<input [^>]*aria-describedby="([^"]*)"/g))
        for (const id of describedBy.split(' ').filter((token) => token.endsWith('-error'))) {
          expect([path, html.includes(`<p class="field-error" id="${id}"></p>`)]).toEqual([path, true]);
          slots += 1;
        }
    }
    // The forms' inputs were found at all: with none, the loop above checks nothing.
    expect(slots).toBeGreaterThan(10);
    const form = pages.get('/index.html') as string;
    expect(form).toContain(
      '<input type="email" id="email" name="email" autocomplete="email" inputmode="email" spellcheck="false"' +
        ' aria-describedby="email-hint email-error contact-error" />',
    );
  });
});
