import { lzfuLiterals, u32 } from '../../../test/fakes/email/winmail-dat';
import { decompressRtf, MAX_RTF_BYTES, textOfRtf } from './rtf-body';

// The example of MS-OXRTFCP 4.1: «{\rtf1\ansi\ansicpg1252\pard hello world}\r\n», compressed with references back.
const SPEC_EXAMPLE = Buffer.from(
  '2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c0900206277' + '05b06c647d0a800fa0',
  'hex',
);

// A Russian Outlook's rich text: windows-1251 escapes, a \uN character with its fallback, bold, a paragraph.
const PLAIN_RTF =
  '{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fswiss\\fcharset204 Arial;}}{\\*\\generator Msftedit;}' +
  "\\viewkind4\\uc1\\pard\\f0\\fs20 \\'cf\\'f0\\'ee\\'f8\\'f3 \\b \\'f3\\'e1\\'f0\\'e0\\'f2\\'fc\\b0  " +
  "\\'f1\\'ed\\'e5\\'e3.\\par \\u1071?\\'ec\\'e0 \\'e2\\'ee \\'e4\\'e2\\'ee\\'f0\\'e5.\\par}";

// HTML Outlook encapsulated in RTF (MS-OXRTFEX): the tags in \*\htmltag groups, the text in windows-1251.
const HTML_RTF =
  '{\\rtf1\\ansi\\ansicpg1251\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss\\fcharset204 Arial;}}' +
  '{\\*\\htmltag19 <html>}{\\*\\htmltag34 <body>}{\\*\\htmltag64 <p>}\\htmlrtf {\\htmlrtf0 ' +
  "\\'cf\\'f0\\'ee\\'f8\\'f3 \\'ef\\'ee\\'f7\\'e8\\'ed\\'e8\\'f2\\'fc \\'f4\\'ee\\'ed\\'e0\\'f0\\'fc" +
  '{\\*\\htmltag72 </p>}{\\*\\htmltag42 </body>}{\\*\\htmltag27 </html>}}}';

describe('decompressRtf', () => {
  it("unpacks the specification's example, references back included", () => {
    expect(decompressRtf(SPEC_EXAMPLE)?.toString('latin1')).toBe(
      '{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n',
    );
  });

  it('unpacks our literal-only packing and takes an uncompressed («MELA») body as it is', () => {
    const rtf = Buffer.from(PLAIN_RTF, 'latin1');
    expect(decompressRtf(lzfuLiterals(rtf))).toEqual(rtf);
    const mela = Buffer.concat([u32(rtf.length + 12), u32(rtf.length), u32(0x414c454d), u32(0), rtf]);
    expect(decompressRtf(mela)).toEqual(rtf);
  });

  it('refuses a header that claims more than the value holds or an absurd size, and what is not RTF', () => {
    const packed = lzfuLiterals(Buffer.from(PLAIN_RTF, 'latin1'));
    expect(decompressRtf(packed.subarray(0, packed.length - 5))).toBeUndefined();
    const huge = Buffer.from(packed);
    huge.writeUInt32LE(MAX_RTF_BYTES + 1, 4);
    expect(decompressRtf(huge)).toBeUndefined();
    expect(decompressRtf(lzfuLiterals(Buffer.from('not rtf at all')))).toBeUndefined();
    expect(decompressRtf(Buffer.alloc(8))).toBeUndefined();
  });
});

describe('textOfRtf', () => {
  it('strips RTF written as RTF to its text, Cyrillic from \\ansicpg1251 escapes and \\u', () => {
    expect(textOfRtf(Buffer.from(PLAIN_RTF, 'latin1'))).toEqual({
      text: expect.stringMatching(/^Прошу убрать снег\.\r?\nЯма во дворе\.\r?\n?$/),
    });
  });

  it('takes out the HTML Outlook encapsulated (\\fromhtml1)', () => {
    expect(textOfRtf(Buffer.from(HTML_RTF, 'latin1'))).toEqual({
      html: '<html><body><p>Прошу починить фонарь</p></body></html>',
    });
  });
});
