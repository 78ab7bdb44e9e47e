import { kbAttachmentMismatch } from './kb-attachment-types';

const PDF = Buffer.from('%PDF-1.4\n%\xE2\xE3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const CFB = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(120)]);

describe('an article attachment is what its bytes are', () => {
  it('takes the bytes its declared type names', async () => {
    expect(await kbAttachmentMismatch('application/pdf', PDF)).toBeUndefined();
    expect(await kbAttachmentMismatch('image/png', PNG)).toBeUndefined();
    expect(await kbAttachmentMismatch('image/jpeg', JPEG)).toBeUndefined();
    expect(await kbAttachmentMismatch('application/msword', CFB)).toBeUndefined();
    expect(await kbAttachmentMismatch('application/vnd.ms-excel', CFB)).toBeUndefined();
    expect(await kbAttachmentMismatch('text/plain', Buffer.from('Памятка жильцу'))).toBeUndefined();
  });

  it('refuses a program or unknown bytes, whatever type they were sent as', async () => {
    const refusal =
      'Содержимое файла не PDF, не документ Word или Excel, не RTF, не текст и не изображение: файл не принят';
    expect(await kbAttachmentMismatch('application/pdf', EXE)).toBe(refusal);
    expect(await kbAttachmentMismatch('image/png', Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]))).toBe(
      refusal,
    );
  });

  it('refuses bytes of an allowed type sent as another, naming what they are', async () => {
    expect(
      await kbAttachmentMismatch('application/pdf', Buffer.from('<html><script>alert(1)</script>')),
    ).toBe('Содержимое файла не совпадает с его типом: по содержимому это текст');
    expect(await kbAttachmentMismatch('image/jpeg', PNG)).toBe(
      'Содержимое файла не совпадает с его типом: по содержимому это изображение PNG',
    );
    expect(await kbAttachmentMismatch('text/plain', PDF)).toBe(
      'Содержимое файла не совпадает с его типом: по содержимому это PDF',
    );
  });
});
