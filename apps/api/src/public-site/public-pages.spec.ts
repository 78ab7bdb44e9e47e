import { PUBLIC_PAGES, publicPagesDir, renderPublicPage, renderPublicPages } from './public-pages';

describe('public pages', () => {
  const dir = publicPagesDir() as string;
  const pages = renderPublicPages(dir);

  it('renders every page from apps/api/pages, and / as the form', () => {
    expect(dir).toMatch(/apps[/\\]api[/\\]pages$/);
    expect([...pages.keys()].sort()).toEqual(['/', '/faq.html', '/index.html', '/rate.html', '/status.html']);
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
    // The menu marks the page it is on (the rating page is not in the menu); the footer marks none.
    expect(header.match(/aria-current="page"/g) ?? []).toHaveLength(name === 'rate.html' ? 0 : 1);
    if (name !== 'rate.html') expect(header).toContain(`<a href="${name}" aria-current="page">`);
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
});
