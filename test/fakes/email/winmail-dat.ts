import { encode } from 'iconv-lite';

/*
 * Our own winmail.dat streams, built attribute by attribute as MS-OXTNEF lays them out and as Outlook writes them:
 * the signature and key, the message's TNEF version, OEM code page and class, then per attachment its rendering
 * data, title, data and MAPI properties.
 */

export const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

/** One attribute: level, id|type, length, data, the 16-bit sum of the data. */
export function attribute(level: 1 | 2, tag: number, data: Buffer, sum?: number): Buffer {
  const checksum = sum ?? data.reduce((s, b) => (s + b) & 0xffff, 0);
  return Buffer.concat([Buffer.from([level]), u32(tag), u32(data.length), data, u16(checksum)]);
}

/** A variable-length MAPI value (PT_STRING8, PT_UNICODE, PT_BINARY): a count of one, the length, the padded bytes. */
const variable = (type: number, id: number, value: Buffer) =>
  Buffer.concat([u16(type), u16(id), u32(1), u32(value.length), pad4(value)]);

/** An attachment's MAPI properties: its method, a named property, its long name in Unicode, its MIME type. */
function mapiProps(longName: string, mimeTag: string): Buffer {
  const props = [
    Buffer.concat([u16(0x0003), u16(0x3705), u32(1)]), // PR_ATTACH_METHOD = ATTACH_BY_VALUE
    // A named property (PSETID_Common, by number) of PT_BOOLEAN: stepped over.
    Buffer.concat([u16(0x000b), u16(0x8514), Buffer.alloc(16, 0x46), u32(0), u32(0x8514), u32(1)]),
    variable(0x0102, 0x3702, Buffer.from([1, 2, 3])), // PR_ATTACH_ENCODING, binary
    variable(0x001f, 0x3707, Buffer.from(`${longName}\0`, 'utf16le')), // PR_ATTACH_LONG_FILENAME
    variable(0x001e, 0x370e, Buffer.from(`${mimeTag}\0`, 'latin1')), // PR_ATTACH_MIME_TAG
  ];
  return Buffer.concat([u32(props.length), ...props]);
}

interface FixtureFile {
  title: Buffer;
  data: Buffer;
  longName?: string;
  mimeTag?: string;
}

/** CRC-32 as MS-OXRTFCP 2.1.3.2 computes it: the usual table, starting from 0, no final inversion. */
function rtfCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (c ^ (crc >>> 8)) >>> 0;
  }
  return crc;
}

/**
 * RTF packed as PR_RTF_COMPRESSED («LZFu», MS-OXRTFCP) the simplest valid way: every byte a literal (control
 * bytes of zero bits), then the end marker, a reference to the dictionary's write position. Outlook's own output
 * also refers back; the decompressor's test reads the specification's example of that.
 */
export function lzfuLiterals(rtf: Buffer): Buffer {
  const body: number[] = [];
  let written = 207; // the initial dictionary's length
  for (let at = 0; at <= rtf.length; at += 8) {
    const run = rtf.subarray(at, at + 8);
    const last = run.length < 8;
    body.push(last ? 1 << run.length : 0, ...run);
    written += run.length;
    if (last) body.push((written % 4096 << 4) >> 8, (written % 4096 << 4) & 0xff);
  }
  const data = Buffer.from(body);
  return Buffer.concat([u32(data.length + 12), u32(rtf.length), u32(0x75465a4c), u32(rtfCrc(data)), data]);
}

/** A letter's body among the message's MAPI properties (attMsgProps): PR_RTF_COMPRESSED, binary. */
const messageProps = (rtfCompressed: Buffer) =>
  Buffer.concat([u32(1), variable(0x0102, 0x1009, rtfCompressed)]);

/**
 * A winmail.dat with the files given; its body the plain attBody, or, given `rtf`, only PR_RTF_COMPRESSED holding
 * that RTF (a letter Outlook sent in rich-text format), as Outlook writes it when the letter has no other body.
 */
export function winmailDat(files: FixtureFile[], codepage = 1251, body: { rtf?: string } = {}): Buffer {
  const renddata = Buffer.concat([u16(1), u32(0xffffffff), u16(0), u16(0), u32(0)]);
  return Buffer.concat([
    u32(0x223e9f78),
    u16(0x0001),
    attribute(1, 0x00089006, u32(0x00010000)), // attTnefVersion
    attribute(1, 0x00069007, Buffer.concat([u32(codepage), u32(0)])), // attOemCodepage
    attribute(1, 0x00078008, Buffer.from('IPM.Microsoft Mail.Note\0', 'latin1')), // attMessageClass
    body.rtf
      ? attribute(1, 0x00069003, messageProps(lzfuLiterals(Buffer.from(body.rtf, 'latin1')))) // attMsgProps
      : attribute(1, 0x0002800c, encode('Текст письма в RTF-виде\0', 'windows-1251')), // attBody
    ...files.flatMap((f) => [
      attribute(2, 0x00069002, renddata), // attAttachRenddata
      attribute(2, 0x00018010, f.title), // attAttachTitle
      attribute(2, 0x0006800f, f.data), // attAttachData
      ...(f.longName ? [attribute(2, 0x00069005, mapiProps(f.longName, f.mimeTag ?? ''))] : []),
    ]),
  ]);
}

export const TNEF_FIXTURE = {
  photo: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]),
  pdf: Buffer.from('%PDF-1.4\n% заявление\n%%EOF\n', 'utf8'),
};

/** A letter's winmail.dat with a PDF (its long name in MAPI, its 8.3 title) and a photo (its title only). */
export function pdfAndPhoto(pdfName: string): Buffer {
  return winmailDat([
    {
      title: encode('ZAYAVL~1.PDF\0', 'windows-1251'),
      data: TNEF_FIXTURE.pdf,
      longName: pdfName,
      mimeTag: 'application/pdf',
    },
    { title: encode('Фото двора.jpg\0', 'windows-1251'), data: TNEF_FIXTURE.photo },
  ]);
}
