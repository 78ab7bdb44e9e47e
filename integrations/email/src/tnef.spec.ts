import { encode } from 'iconv-lite';
import {
  attribute,
  pdfAndPhoto,
  TNEF_FIXTURE,
  u16,
  u32,
  winmailDat,
} from '../../../test/fakes/email/winmail-dat';
import { isTnefStream, MAX_TNEF_FILES, readTnefBody, readTnefFiles } from './tnef';

describe('readTnefFiles', () => {
  it('takes out each file with its long Unicode name and MIME type, or its title in the OEM code page', () => {
    const dat = pdfAndPhoto('Заявление о перерасчёте.pdf');
    expect(isTnefStream(dat)).toBe(true);
    expect(readTnefFiles(dat)).toEqual([
      { fileName: 'Заявление о перерасчёте.pdf', contentType: 'application/pdf', content: TNEF_FIXTURE.pdf },
      { fileName: 'Фото двора.jpg', content: TNEF_FIXTURE.photo },
    ]);
  });

  it('reads a title in KOI8-R when the message says code page 20866; names a file with no title', () => {
    const dat = winmailDat(
      [
        { title: encode('Жалоба.txt\0', 'koi8-r'), data: Buffer.from('a') },
        { title: Buffer.alloc(0), data: Buffer.from('b') },
      ],
      20866,
    );
    expect(readTnefFiles(dat)?.map((f) => f.fileName)).toEqual(['Жалоба.txt', 'winmail-2.bin']);
  });

  it('gives nothing for a stream that breaks off, has a bad sum, or is no TNEF; an empty list for no files', () => {
    const dat = winmailDat([{ title: Buffer.from('a.txt\0'), data: Buffer.from('hello') }]);
    expect(readTnefFiles(dat.subarray(0, dat.length - 3))).toBeUndefined();
    const badSum = Buffer.from(dat);
    badSum[badSum.length - 1] ^= 0xff;
    expect(readTnefFiles(badSum)).toBeUndefined();
    expect(readTnefFiles(Buffer.from('PK\x03\x04 not tnef'))).toBeUndefined();
    expect(readTnefFiles(winmailDat([]))).toEqual([]);
  });

  it('falls back to the title when the MAPI properties do not add up', () => {
    const broken = Buffer.concat([u32(3), u16(0x0003), u16(0x3705)]);
    const dat = Buffer.concat([
      winmailDat([]),
      attribute(2, 0x00069002, Buffer.alloc(14)),
      attribute(2, 0x00018010, Buffer.from('scan.pdf\0')),
      attribute(2, 0x0006800f, TNEF_FIXTURE.pdf),
      attribute(2, 0x00069005, broken),
    ]);
    expect(readTnefFiles(dat)).toEqual([{ fileName: 'scan.pdf', content: TNEF_FIXTURE.pdf }]);
    // A multi-valued long claiming four billion values in a dozen bytes: read in no time, the title again.
    const huge = Buffer.concat([u32(1), u16(0x1003), u16(0x3705), u32(0xffffffff), u32(7)]);
    // Read value by value, four billion of them are minutes: past the test's timeout.
    const named = readTnefFiles(
      Buffer.concat([
        winmailDat([]),
        attribute(2, 0x00069002, Buffer.alloc(14)),
        attribute(2, 0x00018010, Buffer.from('scan.pdf\0')),
        attribute(2, 0x0006800f, TNEF_FIXTURE.pdf),
        attribute(2, 0x00069005, huge),
      ]),
    );
    expect(named?.[0].fileName).toBe('scan.pdf');
  });

  it('takes out up to 100 files; a stream packing more (22 bytes a file) is not read, and no further than that', () => {
    const files = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ title: Buffer.from(`${i}.txt\0`), data: Buffer.from('x') }));
    expect(readTnefFiles(winmailDat(files(MAX_TNEF_FILES)))).toHaveLength(100);
    expect(readTnefFiles(winmailDat(files(MAX_TNEF_FILES + 1)))).toBeUndefined();
    // Two hundred thousand files of a byte each, 5.4 MB: refused at the 101st, not turned into as many attachments.
    const renddata = attribute(2, 0x00069002, Buffer.alloc(0));
    const data = attribute(2, 0x0006800f, Buffer.from('x'));
    const bomb = Buffer.concat([
      winmailDat([]),
      ...Array.from({ length: 200_000 }, () => [renddata, data]).flat(),
    ]);
    expect(readTnefFiles(bomb)).toBeUndefined();
  });
});

describe('readTnefBody', () => {
  it('gives the packed RTF of a rich-text letter, else the plain attBody; nothing from a broken stream', () => {
    const rtf = "{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'f0\\'ee\\'f8\\'f3}";
    const body = readTnefBody(winmailDat([], 1251, { rtf }));
    expect(body?.rtfCompressed?.subarray(8, 12).toString('latin1')).toBe('LZFu');
    expect(readTnefBody(winmailDat([]))).toEqual({ text: 'Текст письма в RTF-виде' });
    const dat = winmailDat([], 1251, { rtf });
    expect(readTnefBody(dat.subarray(0, dat.length - 3))).toBeUndefined();
    expect(readTnefBody(Buffer.from('not tnef'))).toBeUndefined();
  });
});
