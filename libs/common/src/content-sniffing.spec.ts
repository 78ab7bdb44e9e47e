import {
  allowedChannelFile,
  allowedUpload,
  servedAs,
  sniffContentType,
  textCharset,
} from './content-sniffing';

const exe = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), Buffer.alloc(64)]);
const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('content sniffing', () => {
  it('knows a file by its bytes, not its name', async () => {
    expect(await sniffContentType(exe)).toBe('application/x-msdownload');
    expect(await sniffContentType(pdf)).toBe('application/pdf');
    expect(await sniffContentType(png)).toBe('image/png');
    expect(await sniffContentType(Buffer.from('Просто текст обращения.\r\n'))).toBe('text/plain');
    expect(await sniffContentType(Buffer.from([0x00, 0x13, 0x37, 0x01, 0x02]))).toBeUndefined();
    // A long text whose 65 536th byte falls inside a two-byte letter: text all the same.
    const long = Buffer.from('a' + 'ж'.repeat(40_000), 'utf8');
    expect(long[65_535]).toBe(0xd0); // the first byte of «ж», the last of the window
    expect(await sniffContentType(long)).toBe('text/plain');
  });

  it('reads a text file in the encodings a Russian Windows saves: windows-1251 («ANSI») and UTF-16 («Юникод»)', async () => {
    const text = 'Прошу принять меры: во дворе дома № 5 — яма «с водой».\r\nЁлка, ёж.';
    const cp1251 = Buffer.from(
      [...text].map((ch) => {
        if (ch.charCodeAt(0) < 0x80) return ch.charCodeAt(0);
        const special: Record<string, number> = {
          Ё: 0xa8,
          ё: 0xb8,
          '№': 0xb9,
          '—': 0x97,
          '«': 0xab,
          '»': 0xbb,
        };
        return special[ch] ?? ch.charCodeAt(0) - 0x410 + 0xc0;
      }),
    );
    expect(textCharset(cp1251)).toBe('windows-1251');
    expect(await sniffContentType(cp1251)).toBe('text/plain');
    expect(await allowedUpload('заявление.txt', cp1251)).toBe('text/plain');
    expect(await allowedChannelFile('жалоба.txt', cp1251)).toBe('text/plain');
    expect(await servedAs(cp1251)).toEqual({
      contentType: 'text/plain; charset=windows-1251',
      inline: false,
    });

    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect([textCharset(le), textCharset(be)]).toEqual(['utf-16le', 'utf-16be']);
    expect(await servedAs(le)).toEqual({ contentType: 'text/plain; charset=utf-16le', inline: false });
    expect(textCharset(Buffer.from(text))).toBe('utf-8');

    // Not text: bytes that are mostly not Cyrillic letters, 0x98, control bytes, UTF-16 without a BOM.
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 128)));
    expect(textCharset(noise)).toBeUndefined();
    expect(textCharset(Buffer.concat([cp1251, Buffer.from([0x98])]))).toBeUndefined();
    expect(textCharset(Buffer.concat([cp1251, Buffer.from([0x01])]))).toBeUndefined();
    expect(textCharset(Buffer.from(text, 'utf16le'))).toBeUndefined();
    expect(textCharset(Buffer.from([0xff, 0xfe, 0x01, 0x00]))).toBeUndefined();
  });

  it('accepts an upload only when its bytes are what its name says and on the allow-list', async () => {
    expect(await allowedUpload('doc.pdf', exe)).toBeUndefined();
    expect(await allowedUpload('page.pdf', html)).toBeUndefined();
    expect(await allowedUpload('photo.png', pdf)).toBeUndefined();
    expect(await allowedUpload('run.exe', exe)).toBeUndefined();
    expect(await allowedUpload('Скан.PDF', pdf)).toBe('application/pdf');
    expect(await allowedUpload('двор.png', png)).toBe('image/png');
    expect(await allowedUpload('заявление.txt', Buffer.from('Текст'))).toBe('text/plain');
  });

  it('keeps a channel’s file only when its bytes are on the channels’ allow-list', async () => {
    expect(await allowedChannelFile('doc.pdf', exe)).toBeUndefined();
    expect(await allowedChannelFile('file_17', Buffer.from([0x00, 0x13, 0x37, 0x01, 0x02]))).toBeUndefined();
    expect(await allowedChannelFile('photo', png)).toBe('image/png');
    const der = Buffer.from([0x30, 0x82, 0x01, 0x00, 0x06, 0x09]);
    expect(await allowedChannelFile('Письмо.pdf.p7s', der)).toBe('application/pkcs7-signature');
    expect(await allowedChannelFile('Письмо.bin', der)).toBeUndefined();
    expect(await allowedChannelFile('scan.jpg', pdf)).toBe('application/pdf');
    // A web page is kept as text: served as a download, never rendered.
    expect(await allowedChannelFile('page.pdf', html)).toBe('text/plain');
  });

  it('serves by the sniffed type: pictures and PDF inline, anything else as a download', async () => {
    expect(await servedAs(pdf)).toEqual({ contentType: 'application/pdf', inline: true });
    expect(await servedAs(exe)).toEqual({ contentType: 'application/x-msdownload', inline: false });
    expect(await servedAs(html)).toEqual({ contentType: 'text/plain; charset=utf-8', inline: false });
    expect(await servedAs(Buffer.from([0x00, 0x13, 0x37]))).toEqual({
      contentType: 'application/octet-stream',
      inline: false,
    });
  });
});
