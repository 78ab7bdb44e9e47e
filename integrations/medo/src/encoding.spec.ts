import iconv from 'iconv-lite';
import { decodeLegacyText, decodeXmlBytes } from './encoding';
import { PackageRejected } from './errors';

const xml = (encoding: string | undefined, body: string) =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?>\n<a>${body}</a>`;
const RU = 'Министерство «Тест» — обращение №5, ёлка';

function rejection(fn: () => unknown): PackageRejected {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PackageRejected);
    return error as PackageRejected;
  }
  throw new Error('expected a rejection');
}

describe('decodeXmlBytes', () => {
  it('honours a windows-1251 declaration', () => {
    const result = decodeXmlBytes(iconv.encode(xml('windows-1251', RU), 'win1251'));
    expect(result).toMatchObject({ encoding: 'windows-1251', declared: 'windows-1251' });
    expect(result.text).toContain(RU);
    expect(result.note).toBeUndefined();
  });

  it('honours a UTF-8 declaration, and reads a missing one as UTF-8', () => {
    expect(decodeXmlBytes(Buffer.from(xml('UTF-8', RU))).text).toContain(RU);
    expect(decodeXmlBytes(Buffer.from(xml(undefined, RU)))).toMatchObject({
      encoding: 'utf-8',
      declared: undefined,
    });
  });

  it('accepts aliases (cp1251) and other encodings iconv knows (koi8-r)', () => {
    expect(decodeXmlBytes(iconv.encode(xml('CP1251', RU), 'win1251')).text).toContain(RU);
    expect(decodeXmlBytes(iconv.encode(xml('koi8-r', 'Обращение ёлка'), 'koi8-r')).text).toContain(
      'Обращение ёлка',
    );
  });

  it('lets a UTF-8 byte order mark win over the declaration', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('windows-1251', RU))]);
    expect(decodeXmlBytes(bytes)).toMatchObject({ encoding: 'utf-8' });
  });

  it('reads Russian windows-1251 bytes under a UTF-8 declaration as windows-1251, with a note', () => {
    const result = decodeXmlBytes(iconv.encode(xml('utf-8', RU), 'win1251'));
    expect(result.text).toContain(RU);
    expect(result).toMatchObject({ encoding: 'windows-1251', declared: 'utf-8' });
    expect(result.note).toMatch(/windows-1251/);
  });

  it('reads UTF-8 bytes under a windows-1251 declaration as UTF-8, with a note', () => {
    const result = decodeXmlBytes(Buffer.from(xml('windows-1251', RU)));
    expect(result.text).toContain(RU);
    expect(result.encoding).toBe('utf-8');
    expect(result.note).toMatch(/UTF-8/);
  });

  it('rejects invalid UTF-8 that is not Russian windows-1251 either', () => {
    const bytes = Buffer.concat([Buffer.from(xml('utf-8', '')), Buffer.from([0xff, 0x98, 0x80, 0x81, 0x82])]);
    expect(rejection(() => decodeXmlBytes(bytes)).code).toBe('bad-encoding');
  });

  it('rejects windows-1251 with control bytes or the undefined byte 0x98', () => {
    const control = iconv.encode(xml('windows-1251', `${RU}\u0001`), 'win1251');
    expect(rejection(() => decodeXmlBytes(control)).reason).toMatch(/control byte 0x01/);
    const undefinedByte = Buffer.concat([
      iconv.encode(xml('windows-1251', RU), 'win1251'),
      Buffer.from([0x98]),
    ]);
    expect(rejection(() => decodeXmlBytes(undefinedByte)).reason).toMatch(/0x98/);
  });

  it('rejects an encoding nobody knows', () => {
    const error = rejection(() => decodeXmlBytes(Buffer.from(xml('x-klingon', 'a'))));
    expect(error).toMatchObject({ code: 'bad-encoding', reason: expect.stringContaining('x-klingon') });
    expect(error.reasonRu).toContain('неподдерживаемой кодировке');
  });
});

describe('decodeLegacyText', () => {
  it('reads windows-1251 by default and UTF-8 when the bytes say so', () => {
    expect(decodeLegacyText(iconv.encode('ТЕМА=Документ', 'win1251'))).toBe('ТЕМА=Документ');
    expect(decodeLegacyText(Buffer.from('ТЕМА=Документ'))).toBe('ТЕМА=Документ');
  });
});
