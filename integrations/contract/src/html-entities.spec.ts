import { decodeHtmlEntities } from './html-entities';

describe('decodeHtmlEntities', () => {
  it('reads the entities an escaping API or site wrote back as the characters the citizen typed', () => {
    expect(decodeHtmlEntities('Дом &quot;А&quot; &amp; двор: &lt;опасно&gt;')).toBe(
      'Дом "А" & двор: <опасно>',
    );
    expect(decodeHtmlEntities('&laquo;Яма&raquo; у дома &numero;5 &mdash; третий день&hellip;')).toBe(
      '«Яма» у дома №5 — третий день…',
    );
    expect(decodeHtmlEntities('&#1071;&#x43C;&#X430; &#128679;')).toBe('Яма 🚧');
  });

  it('decodes once, and leaves what is no entity of text as it came', () => {
    expect(decodeHtmlEntities('&amp;lt;')).toBe('&lt;');
    expect(decodeHtmlEntities('AT&T, R&D; &unknown; &#0; &#x1b; &#xD800; &#1114112;')).toBe(
      'AT&T, R&D; &unknown; &#0; &#x1b; &#xD800; &#1114112;',
    );
    expect(decodeHtmlEntities('<b>как есть</b>')).toBe('<b>как есть</b>');
  });

  it('reads <br> as a line break only when asked', () => {
    expect(decodeHtmlEntities('раз<br>два<br />три', { lineBreaks: true })).toBe('раз\nдва\nтри');
    expect(decodeHtmlEntities('раз<br>два')).toBe('раз<br>два');
    expect(decodeHtmlEntities('тег &lt;br&gt; словами<br>', { lineBreaks: true })).toBe('тег <br> словами\n');
  });
});
