import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { JsonLogger } from '@inbox/common';
import {
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryStateEvent,
  type InboundItem,
  type OutboundMessage,
} from '@inbox/integrations/contract';
import { MedoConnector, type MedoPullPage } from '@inbox/integrations/medo';
import {
  acknowledgmentPassport,
  binaryFile,
  container27Package,
  documentPackage,
  documentPassport,
  type DocumentSpec,
  encodeXml,
  FakeMedoGateway,
  iniEnvelope,
  notificationPassport,
  OUR_ORGANISATION,
  OUR_UID,
  signatureFile,
  traversalZip,
  validateAgainstXsd,
  zipBomb,
  zipBuffer,
} from '../fakes/medo';

const MINZDRAV = {
  uid: '7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f',
  organisation: 'Министерство здравоохранения Российской Федерации',
};
const ROSPOTREB = {
  uid: '2b8e4f6a-9c1d-4e2f-a3b4-c5d6e7f80912',
  organisation: 'Управление Роспотребнадзора по Новосибирской области',
};
const US = { uid: OUR_UID, organisation: OUR_ORGANISATION };

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const quietLogger = new JsonLogger('medo-connector-test', 'error');
const NOW_READ = new Date('2026-11-30T09:00:00.000Z');

function letterSpec(overrides: Partial<DocumentSpec> = {}): DocumentSpec {
  return {
    version: '2.6',
    encoding: 'utf-8',
    headerUid: randomUUID(),
    documentUid: randomUUID(),
    source: MINZDRAV,
    kind: 'Письмо',
    number: '17-4/И/2-3456',
    date: '2025-03-12',
    annotation: 'О направлении обращения по вопросу ремонта дороги «Колывань — Сокур» (ст. 8 59-ФЗ)',
    addressee: US,
    files: [
      {
        name: 'Письмо.pdf',
        data: binaryFile('letter'),
        group: 'Текст документа',
        signature: { name: 'Письмо.pdf.p7s', data: signatureFile() },
      },
      { name: 'Обращение гражданина.pdf', data: binaryFile('appeal', 10_000), group: 'Текст приложения' },
    ],
    ...overrides,
  };
}

function attachmentHashes(item: InboundItem): Record<string, string> {
  return Object.fromEntries(
    (item.attachments ?? []).map((a) => [a.fileName, sha256(Buffer.from(a.contentBase64!, 'base64'))]),
  );
}

function expectedHashes(spec: DocumentSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of spec.files ?? []) {
    out[file.name] = sha256(file.data);
    if (file.signature) out[file.signature.name] = sha256(file.signature.data);
  }
  return out;
}

async function connectorError(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('MedoConnector against the fake МЭДО gateway (exchange folders)', () => {
  let gateway: FakeMedoGateway;
  let connector: MedoConnector;

  beforeEach(async () => {
    gateway = await FakeMedoGateway.create();
    connector = new MedoConnector({ logger: quietLogger });
  });

  afterEach(async () => {
    await gateway.close();
  });

  describe('inbound «Документ»', () => {
    it('reads a windows-1251 folder package (version 2.2, INI envelope) into an appeal item', async () => {
      const spec = letterSpec({ version: '2.2', encoding: 'windows-1251' });
      const files = documentPackage(spec);
      // The passport really is windows-1251: its Cyrillic is not UTF-8.
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(files[0].data)).toThrow();
      files.push({ name: 'envelope.ini', data: iniEnvelope(files.map((f) => f.name)) });
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, files);

      const page = await connector.pull(gateway.account(), null, 10);

      expect(page.rejected).toEqual([]);
      expect(page.items).toHaveLength(1);
      const item = page.items[0];
      expect(item).toMatchObject({
        channel: 'medo',
        externalId: spec.headerUid,
        regime: 'appeal',
        receivedAt: '2025-03-14T07:15:00.000Z',
        author: {
          displayName: 'Министерство здравоохранения Российской Федерации',
          externalId: MINZDRAV.uid,
        },
        subject: 'Письмо № 17-4/И/2-3456 от 12.03.2025',
        thread: { key: `medo-doc:${spec.documentUid}` },
        addressee: { externalId: OUR_UID, name: OUR_ORGANISATION },
        replyAddress: {
          sourceUid: MINZDRAV.uid,
          sourceOrganisation: 'Министерство здравоохранения Российской Федерации',
          documentUid: spec.documentUid,
          headerUid: spec.headerUid,
          number: '17-4/И/2-3456',
          date: '2025-03-12',
        },
        features: {
          senderNumber: '17-4/И/2-3456',
          senderDate: '2025-03-12',
          senderOrganisation: 'Министерство здравоохранения Российской Федерации',
          documentUid: spec.documentUid,
          documentKind: 'Письмо',
          medoVersion: '2.2',
        },
      });
      // Our 59-ФЗ clock starts at our registration, not the sender's.
      expect(item.registeredAt).toBeUndefined();
      expect(item.text).toContain(
        'О направлении обращения по вопросу ремонта дороги «Колывань — Сокур» (ст. 8 59-ФЗ)',
      );
      expect(item.text).toContain('«Письмо.pdf» — Текст документа');
      expect(item.text).toContain('«Обращение гражданина.pdf» — Текст приложения');
      expect(item.attachments!.map((a) => a.fileName)).toEqual([
        'Письмо.pdf',
        'Письмо.pdf.p7s',
        'Обращение гражданина.pdf',
      ]);
      expect(item.attachments!.map((a) => a.contentType)).toEqual([
        'application/pdf',
        'application/pkcs7-signature',
        'application/pdf',
      ]);
      expect(attachmentHashes(item)).toEqual(expectedHashes(spec));
      expect(item.features!.missingFiles).toBeUndefined();
      expect(page.nextCursor).toEqual({ lastScanAt: expect.any(String) });
      expect(page.hasMore).toBe(false);
    });

    it('reads a UTF-16 passport, other 2.x versions with a note, and a day-first created; quarantines 3.0', async () => {
      // UTF-16 with its byte order mark, as a Windows tool saves it: the passport was taken for no passport at all.
      const utf16 = letterSpec();
      const utf16Files = documentPackage(utf16);
      utf16Files[0] = {
        name: 'passport.xml',
        data: Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(documentPassport(utf16).replace('encoding="utf-8"', 'encoding="UTF-16"'), 'utf16le'),
        ]),
      };
      await gateway.deliverFolder(`${utf16.headerUid}_${MINZDRAV.uid}`, utf16Files);
      // An old 2.1 gateway and a newer 2.8 one: the same schema family, read with a note for the clerk.
      const older = letterSpec({ version: '2.1', encoding: 'windows-1251' });
      await gateway.deliverFolder(`${older.headerUid}_${MINZDRAV.uid}`, documentPackage(older));
      const newer = letterSpec({ version: '2.8', created: '14.03.2025 10:15' });
      await gateway.deliverFolder(`${newer.headerUid}_${MINZDRAV.uid}`, documentPackage(newer));
      const major = letterSpec({ version: '3.0' });
      await gateway.deliverFolder(`${major.headerUid}_${MINZDRAV.uid}`, documentPackage(major));

      const page = await connector.pull(gateway.account(), null, 10);

      const byId = new Map(page.items.map((i) => [i.externalId, i]));
      expect([...byId.keys()].sort()).toEqual([utf16.headerUid, older.headerUid, newer.headerUid].sort());
      for (const spec of [utf16, older, newer]) {
        expect(byId.get(spec.headerUid!)!.text).toContain('«Колывань — Сокур»');
        expect(attachmentHashes(byId.get(spec.headerUid!)!)).toEqual(expectedHashes(spec));
      }
      expect(byId.get(utf16.headerUid!)!.features!.medoVersionNote).toBeUndefined();
      expect(byId.get(older.headerUid!)!.features).toMatchObject({
        medoVersion: '2.1',
        medoVersionNote: expect.stringContaining('прочитан по версии 2.2'),
      });
      expect(byId.get(newer.headerUid!)!.features!.medoVersionNote).toContain('прочитан по версии 2.7');
      // «14.03.2025 10:15», Moscow time: not 3 December, not the time the package was read.
      expect(byId.get(newer.headerUid!)!.receivedAt).toBe('2025-03-14T07:15:00.000Z');
      expect(page.rejected).toEqual([
        expect.objectContaining({ code: 'unknown-version', externalId: major.headerUid }),
      ]);
    });

    it("takes the time it read a package for its receipt when the sender's created is later (a clock ahead)", async () => {
      const ahead = letterSpec({ created: '2026-12-01T10:00:00+03:00' });
      await gateway.deliverFolder(`${ahead.headerUid}_${MINZDRAV.uid}`, documentPackage(ahead));
      // A created before the reading is the receipt, as it was.
      const usual = letterSpec({ created: '2026-11-30T10:15:00' });
      await gateway.deliverFolder(`${usual.headerUid}_${MINZDRAV.uid}`, documentPackage(usual));
      const clocked = new MedoConnector({ logger: quietLogger, clock: { now: () => NOW_READ } });

      const page = await clocked.pull(gateway.account(), null, 10);

      const byId = new Map(page.items.map((i) => [i.externalId, i]));
      expect(byId.get(ahead.headerUid!)!.receivedAt).toBe(NOW_READ.toISOString());
      expect(byId.get(ahead.headerUid!)!.features!.senderCreatedAhead).toBe('2026-12-01T07:00:00.000Z');
      expect(byId.get(usual.headerUid!)!.receivedAt).toBe('2026-11-30T07:15:00.000Z');
      expect(byId.get(usual.headerUid!)!.features!.senderCreatedAhead).toBeUndefined();
    });

    it('reads a UTF-8 ZIP package (version 2.6, default namespace, bare attributes, shuffled elements)', async () => {
      const spec = letterSpec({
        source: ROSPOTREB,
        style: 'default-namespace',
        reverseOrder: true,
        number: '54-00-03/02-1234-2025',
        date: '2025-02-28',
        annotation: 'Обращение Петровой А. С. о качестве питьевой воды в д. Ёлкино: «вода мутная, с запахом»',
      });
      const zip = await zipBuffer(documentPackage(spec));
      await gateway.deliverZip(`${spec.headerUid}_${ROSPOTREB.uid}`, zip);

      const page = await connector.pull(gateway.account(), { lastScanAt: '2025-01-01T00:00:00.000Z' }, 10);

      expect(page.rejected).toEqual([]);
      const [item] = page.items;
      expect(item.externalId).toBe(spec.headerUid);
      expect(item.author.displayName).toBe('Управление Роспотребнадзора по Новосибирской области');
      expect(item.subject).toBe('Письмо № 54-00-03/02-1234-2025 от 28.02.2025');
      expect(item.text).toContain(
        'Обращение Петровой А. С. о качестве питьевой воды в д. Ёлкино: «вода мутная, с запахом»',
      );
      expect(item.features).toMatchObject({
        senderNumber: '54-00-03/02-1234-2025',
        senderDate: '2025-02-28',
      });
      expect(attachmentHashes(item)).toEqual(expectedHashes(spec));
    });

    it('reads a 2.7 transport container: the document attributes come from its description file', async () => {
      const headerUid = randomUUID();
      const documentUid = randomUUID();
      const document = binaryFile('container-letter');
      const signature = signatureFile();
      const attachment = binaryFile('container-attachment');
      const files = await container27Package({
        headerUid,
        documentUid,
        source: MINZDRAV,
        kind: 'Письмо',
        annotation: 'О рассмотрении коллективного обращения жителей с. Верх-Тула',
        number: '15-3/10/П-789',
        date: '2025-03-05',
        addressee: OUR_ORGANISATION,
        document: {
          name: 'document.pdf',
          data: document,
          signature: { name: 'document.pdf.sig', data: signature },
        },
        attachments: [{ name: 'attachment1.pdf', data: attachment }],
      });
      await gateway.deliverFolder(`${headerUid}_${MINZDRAV.uid}`, files);

      const page = await connector.pull(gateway.account(), undefined, 10);

      expect(page.rejected).toEqual([]);
      const [item] = page.items;
      expect(item).toMatchObject({
        externalId: headerUid,
        subject: 'Письмо № 15-3/10/П-789 от 05.03.2025',
        thread: { key: `medo-doc:${documentUid}` },
        replyAddress: {
          documentUid,
          headerUid,
          number: '15-3/10/П-789',
          date: '2025-03-05',
          sourceUid: MINZDRAV.uid,
        },
        features: { medoVersion: '2.7', documentUid },
      });
      expect(item.text).toContain('О рассмотрении коллективного обращения жителей с. Верх-Тула');
      const hashes = attachmentHashes(item);
      expect(hashes['document.pdf']).toBe(sha256(document));
      expect(hashes['document.pdf.sig']).toBe(sha256(signature));
      expect(hashes['attachment1.pdf']).toBe(sha256(attachment));
      expect(item.attachments!.map((a) => a.fileName)).not.toContain('passport.xml');
    });

    it('reads XML that declares UTF-8 but was written in windows-1251, and says so in the item', async () => {
      const spec = letterSpec({
        encoding: 'utf-8',
        annotation: 'Жалоба на бездействие администрации МО «Ордынский район»',
      });
      const files = documentPackage(spec);
      files[0] = { name: 'passport.xml', data: iconv.encode(documentPassport(spec), 'win1251') };
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, files);

      const page = await connector.pull(gateway.account(), null, 10);

      expect(page.rejected).toEqual([]);
      expect(page.items[0].text).toContain('Жалоба на бездействие администрации МО «Ордынский район»');
      expect(page.items[0].author.displayName).toBe('Министерство здравоохранения Российской Федерации');
      expect(page.items[0].features!.encodingNote).toMatch(/declared utf-8.*windows-1251/i);
    });

    it('notes files the passport names that did not arrive, and keeps unlisted files', async () => {
      const spec = letterSpec();
      const files = documentPackage(spec).filter((f) => f.name !== 'Обращение гражданина.pdf');
      files.push({ name: 'Сопроводительное.docx', data: Buffer.from('PK…docx') });
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, files);

      const [item] = (await connector.pull(gateway.account(), null, 10)).items;

      expect(item.features!.missingFiles).toBe('Обращение гражданина.pdf');
      expect(item.text).toContain('Не получены файлы, указанные в паспорте: «Обращение гражданина.pdf»');
      expect(item.attachments!.map((a) => a.fileName)).toEqual([
        'Письмо.pdf',
        'Письмо.pdf.p7s',
        'Сопроводительное.docx',
      ]);
    });
  });

  describe('notifications and receipts about what we sent', () => {
    async function sendLetter(): Promise<string> {
      const receipt = await connector.send(gateway.account(), {
        id: randomUUID(),
        kind: 'answer',
        text: 'Ответ',
        replyAddress: { sourceUid: MINZDRAV.uid, sourceOrganisation: MINZDRAV.organisation },
        references: { registrationNumber: 'ОГ-1/2025' },
      });
      return receipt.remoteId!;
    }

    it('turns «Уведомление» and «Квитанция» into delivery states; other notifications are set aside', async () => {
      const ourUid = await sendLetter();
      const registered = notificationPassport({
        source: MINZDRAV,
        documentUid: ourUid,
        type: 'Зарегистрирован',
        number: '12345-ОГ',
        date: '2025-03-20',
      });
      const refused = notificationPassport({
        source: ROSPOTREB,
        documentUid: ourUid,
        type: 'Отказано в регистрации',
        reason: 'Ошибка адресации',
        comment: 'Направьте в Минтранс',
      });
      const receipt = acknowledgmentPassport({ source: MINZDRAV, acknowledgedUid: ourUid, accepted: true });
      const refusedReceipt = acknowledgmentPassport({
        source: ROSPOTREB,
        acknowledgedUid: ourUid,
        accepted: false,
        comment: 'Нарушена целостность пакета',
      });
      const executor = notificationPassport({
        source: MINZDRAV,
        documentUid: ourUid,
        type: 'Назначен исполнитель',
      });
      const deliver = (xml: string, encoding: 'windows-1251' | 'utf-8') =>
        gateway.deliverFolder(`${randomUUID()}_${MINZDRAV.uid}`, [
          { name: 'passport.xml', data: encodeXml(xml, encoding) },
        ]);
      await deliver(registered, 'windows-1251');
      await deliver(refused, 'windows-1251');
      await deliver(receipt, 'utf-8');
      await deliver(refusedReceipt, 'utf-8');
      await deliver(executor, 'windows-1251');

      const page = await connector.pull(gateway.account(), null, 10);

      expect(page.items).toEqual([]);
      expect(page.rejected).toEqual([]);
      const events = page.events as DeliveryStateEvent[];
      expect(events).toHaveLength(4);
      const byState = Object.fromEntries(events.map((e) => [e.state, e]));
      expect(byState.registered).toMatchObject({
        kind: 'delivery-state',
        channel: 'medo',
        remoteId: ourUid,
        remoteRegistrationNumber: '12345-ОГ',
      });
      expect(byState.refused).toMatchObject({
        remoteId: ourUid,
        reason: 'Ошибка адресации: Направьте в Минтранс',
      });
      expect(byState.delivered).toMatchObject({ remoteId: ourUid });
      expect(byState.failed).toMatchObject({ remoteId: ourUid, reason: 'Нарушена целостность пакета' });
      expect(new Set(events.map((e) => e.externalId)).size).toBe(4);
      expect(page.ignored).toEqual([
        expect.objectContaining({ reason: expect.stringContaining('Назначен исполнитель') }),
      ]);
      expect(await gateway.processed()).toHaveLength(1);

      await connector.acknowledge(
        gateway.account(),
        events.map((e) => e.externalId),
      );
      expect(await gateway.inbound()).toEqual([]);
      expect(await gateway.processed()).toHaveLength(5);
    });
  });

  describe('unreadable packages', () => {
    it('quarantines each bad package with a reason file and still processes the good one in the batch', async () => {
      const good = letterSpec();
      await gateway.deliverFolder(`${good.headerUid}_${MINZDRAV.uid}`, documentPackage(good));

      // A ZIP bomb at the default limits: 210 MB of zeros in a ~200 KB archive.
      const bombUid = randomUUID();
      await gateway.deliverZip(
        `${bombUid}_${MINZDRAV.uid}`,
        await zipBomb(
          210 * 1024 * 1024,
          encodeXml(documentPassport(letterSpec({ headerUid: bombUid })), 'utf-8'),
        ),
      );

      // Declares windows-1251, contains control bytes and 0x98 in the annotation.
      const garbled = letterSpec({ encoding: 'windows-1251', annotation: 'ZZZZ' });
      const garbledFiles = documentPackage(garbled);
      const at = garbledFiles[0].data.indexOf('ZZZZ');
      Buffer.from([0x01, 0x98, 0x1b, 0x00]).copy(garbledFiles[0].data, at);
      await gateway.deliverFolder(`${garbled.headerUid}_${MINZDRAV.uid}`, garbledFiles);

      // No passport at all.
      await gateway.deliverFolder(`${randomUUID()}_${MINZDRAV.uid}`, [
        { name: 'Письмо.pdf', data: binaryFile('orphan') },
        { name: 'Письмо.pdf.p7s', data: signatureFile() },
      ]);

      // A ZIP entry that climbs out of the package.
      const traversalUid = randomUUID();
      await gateway.deliverZip(
        `${traversalUid}_${MINZDRAV.uid}`,
        await traversalZip(documentPackage(letterSpec({ headerUid: traversalUid }))),
      );

      // Broken XML, an unknown version, a stray file, a symbolic link.
      const truncated = letterSpec();
      const truncatedFiles = documentPackage(truncated);
      truncatedFiles[0] = { name: 'passport.xml', data: truncatedFiles[0].data.subarray(0, 700) };
      await gateway.deliverFolder(`${truncated.headerUid}_${MINZDRAV.uid}`, truncatedFiles);
      const future = letterSpec({ version: '3.0' });
      await gateway.deliverFolder(`${future.headerUid}_${MINZDRAV.uid}`, documentPackage(future));
      await gateway.dropFile('readme.txt', Buffer.from('не пакет'));
      const linked = letterSpec();
      await gateway.deliverFolder(`${linked.headerUid}_${MINZDRAV.uid}`, documentPackage(linked));
      await fs.symlink(
        '/etc/passwd',
        join(gateway.inboundDir, `${linked.headerUid}_${MINZDRAV.uid}`, 'passwd.pdf'),
      );

      // Well-formed, but nested deeper than our reading goes (it threw a RangeError, not a rejection).
      const deepUid = randomUUID();
      const deep = 20_000;
      await gateway.deliverFolder(`${deepUid}_${MINZDRAV.uid}`, [
        {
          name: 'passport.xml',
          data: Buffer.from(
            `<?xml version="1.0" encoding="UTF-8"?><xdms:communication xmlns:xdms="http://www.infpres.com/IEDMS" xdms:version="2.7">${'<x>'.repeat(deep)}${'</x>'.repeat(deep)}</xdms:communication>`,
          ),
        },
      ]);

      const page = await connector.pull(gateway.account(), null, 50);

      expect(page.items.map((i) => i.externalId)).toEqual([good.headerUid]);
      expect(page.rejected.find((r) => r.code === 'unreadable')).toMatchObject({
        packageName: `${deepUid}_${MINZDRAV.uid}`,
        reason: expect.stringMatching(
          /^Пакет МЭДО не удалось разобрать: сбой программы чтения канала \(RangeError/,
        ),
      });
      // Every reason is the clerk's, in Russian; the English one is the detail.
      for (const r of page.rejected) expect(r.reason).toMatch(/[А-Яа-яЁё]{4,}/);
      expect(page.rejected.find((r) => r.packageName === `${bombUid}_${MINZDRAV.uid}.zip`)).toMatchObject({
        code: 'zip-bomb',
        externalId: bombUid,
      });
      expect(page.rejected.map((r) => r.code).sort()).toEqual(
        [
          'bad-encoding',
          'bad-xml',
          'missing-passport',
          'not-a-package',
          'path-traversal',
          'symlink',
          'unknown-version',
          'unreadable',
          'zip-bomb',
        ].sort(),
      );
      expect(page.rejected.find((r) => r.code === 'path-traversal')).toMatchObject({
        externalId: traversalUid,
      });
      expect(page.rejected.find((r) => r.code === 'unknown-version')).toMatchObject({
        externalId: future.headerUid,
        reason: expect.stringContaining('3.0'),
      });
      expect(page.rejected.find((r) => r.code === 'bad-encoding')!.reason).toMatch(/windows-1251/);

      // Moved, never deleted, each with its reason beside it.
      const quarantined = await gateway.quarantined();
      expect(quarantined).toHaveLength(9);
      for (const entry of quarantined) {
        expect(entry.reason).toMatch(/Причина: \S/);
        expect(entry.reason).toMatch(/Reason: \S/);
      }
      expect(quarantined.find((q) => q.name.startsWith(bombUid))!.reason).toContain('ZIP-бомба');
      expect(await gateway.inbound()).toEqual([`${good.headerUid}_${MINZDRAV.uid}`]);
      // The traversal entry was never written anywhere.
      await expect(fs.stat(join(gateway.root, '..', '..', 'etc', 'cron.d', 'evil'))).rejects.toThrow();

      // The next pull sees only the good package, still waiting for acknowledge.
      const again = await connector.pull(gateway.account(), page.nextCursor, 50);
      expect(again.rejected).toEqual([]);
      expect(again.items.map((i) => i.externalId)).toEqual([good.headerUid]);
    });

    it('applies the account limits: too many files, a package too large, an over-compressed entry', async () => {
      const many = letterSpec({
        files: Array.from({ length: 6 }, (_v, i) => ({ name: `${i}.pdf`, data: binaryFile(`f${i}`, 100) })),
      });
      await gateway.deliverFolder(`${many.headerUid}_${MINZDRAV.uid}`, documentPackage(many));
      const big = letterSpec({ files: [{ name: 'big.pdf', data: binaryFile('big', 300_000) }] });
      await gateway.deliverZip(
        `${big.headerUid}_${MINZDRAV.uid}`,
        await zipBuffer(documentPackage(big), { compress: false }),
      );
      const dense = letterSpec({ files: [{ name: 'dense.txt', data: Buffer.alloc(3 * 1024 * 1024, 0x20) }] });
      await gateway.deliverZip(`${dense.headerUid}_${MINZDRAV.uid}`, await zipBuffer(documentPackage(dense)));

      const page = await connector.pull(
        gateway.account({ maxFiles: 5, maxPackageBytes: 200_000, maxCompressionRatio: 50 }),
        null,
        10,
      );

      expect(Object.fromEntries(page.rejected.map((r) => [r.externalId, r.code]))).toEqual({
        [many.headerUid!]: 'too-many-files',
        [big.headerUid!]: 'too-large',
        [dense.headerUid!]: 'zip-bomb',
      });
    });

    it('quarantines a 2.7 container that would expand beyond the limit', async () => {
      const headerUid = randomUUID();
      const files = await container27Package({
        headerUid,
        source: MINZDRAV,
        kind: 'Письмо',
        annotation: 'x',
        number: '1',
        date: '2025-03-01',
        addressee: OUR_ORGANISATION,
        document: {
          name: 'd.pdf',
          data: binaryFile('d'),
          signature: { name: 'd.sig', data: signatureFile() },
        },
        containerZip: await zipBomb(30 * 1024 * 1024, Buffer.from('<container/>')),
      });
      await gateway.deliverFolder(`${headerUid}_${MINZDRAV.uid}`, files);

      const page = await connector.pull(gateway.account({ maxUnzippedBytes: 20 * 1024 * 1024 }), null, 10);

      expect(page.rejected).toEqual([expect.objectContaining({ code: 'zip-bomb', externalId: headerUid })]);
    });
  });

  describe('acknowledge', () => {
    it('leaves packages in place until acknowledged, then moves them to processedDir', async () => {
      const first = letterSpec();
      const second = letterSpec({ source: ROSPOTREB });
      await gateway.deliverFolder(`${first.headerUid}_${MINZDRAV.uid}`, documentPackage(first));
      await gateway.deliverZip(
        `${second.headerUid}_${ROSPOTREB.uid}`,
        await zipBuffer(documentPackage(second)),
      );
      const account = gateway.account();

      const page = await connector.pull(account, null, 10);
      // A crash before acknowledge: the next pull returns the very same items.
      const repeat = await connector.pull(account, page.nextCursor, 10);
      const ids = page.items.map((i) => i.externalId).sort();
      expect(ids).toEqual([first.headerUid, second.headerUid].sort());
      expect(repeat.items.map((i) => i.externalId).sort()).toEqual(ids);
      expect(await gateway.inbound()).toHaveLength(2);

      await connector.acknowledge(account, ids);

      expect(await gateway.inbound()).toEqual([]);
      expect(await gateway.processed()).toEqual(
        [`${first.headerUid}_${MINZDRAV.uid}`, `${second.headerUid}_${ROSPOTREB.uid}.zip`].sort(),
      );
      expect((await connector.pull(account, repeat.nextCursor, 10)).items).toEqual([]);
      // Acknowledging again is harmless.
      await connector.acknowledge(account, ids);
    });

    it('after a restart finds the packages by reading their passports', async () => {
      const spec = letterSpec();
      // Named by nothing useful: only the passport says which message it is.
      await gateway.deliverFolder('incoming-0001', documentPackage(spec));
      const account = gateway.account();
      const page = await connector.pull(account, null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([spec.headerUid]);

      // Another package is named by that GUID but carries a different message: it must stay.
      const impostor = letterSpec();
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(impostor));

      const restarted = new MedoConnector({ logger: quietLogger });
      await restarted.acknowledge(account, [spec.headerUid!]);

      expect(await gateway.inbound()).toEqual([`${spec.headerUid}_${MINZDRAV.uid}`]);
      expect(await gateway.processed()).toEqual(['incoming-0001']);
    });

    it('returns one item for a message delivered twice, and acknowledges both copies', async () => {
      const spec = letterSpec();
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(spec));
      await gateway.deliverZip(`${spec.headerUid}_${MINZDRAV.uid}`, await zipBuffer(documentPackage(spec)));
      const page = await connector.pull(gateway.account(), null, 10);
      expect(page.items).toHaveLength(1);
      await connector.acknowledge(gateway.account(), [spec.headerUid!]);
      expect(await gateway.inbound()).toEqual([]);
      expect(await gateway.processed()).toHaveLength(2);
    });
  });

  describe('outbound', () => {
    async function receiveLetter(): Promise<InboundItem> {
      const spec = letterSpec();
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(spec));
      const [item] = (await connector.pull(gateway.account(), null, 10)).items;
      return item;
    }

    function answer(item: InboundItem, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
      return {
        id: randomUUID(),
        kind: 'answer',
        subject: 'О рассмотрении обращения по вопросу ремонта дороги',
        text: 'Уважаемые коллеги!\nСообщаем, что ремонт дороги «Колывань — Сокур» включён в план на 2025 год.',
        replyAddress: item.replyAddress,
        references: { registrationNumber: '01-15/2025-ОГ', externalId: item.externalId },
        attachments: [
          {
            fileName: 'План работ.pdf',
            contentType: 'application/pdf',
            contentBase64: binaryFile('plan').toString('base64'),
          },
          {
            fileName: '../../passport.xml',
            contentType: 'application/xml',
            contentBase64: Buffer.from('<x/>').toString('base64'),
          },
        ],
        ...overrides,
      };
    }

    it('writes a schema-valid «Документ» «Письмо» «В ответ на» the original, atomically and once', async () => {
      const item = await receiveLetter();
      const message = answer(item);

      const receipt = await connector.send(gateway.account(), message);

      const packages = await gateway.outbound();
      expect(packages.map((p) => p.name)).toEqual([`${receipt.remoteId}_${OUR_UID}`]);
      const [pkg] = packages;
      const check = await validateAgainstXsd(pkg.files.get('passport.xml')!);
      expect(check).toEqual({ valid: true, output: expect.stringContaining('validates') });
      const xml = pkg.passport;
      expect(xml).toContain('<?xml version="1.0" encoding="UTF-8"?>');
      expect(xml).toContain(`xdms:type="Документ" xdms:uid="${receipt.remoteId}"`);
      expect(xml).toContain(`<xdms:source xdms:uid="${OUR_UID}">`);
      expect(xml).toContain('<xdms:kind>Письмо</xdms:kind>');
      expect(xml).toContain('<xdms:number>01-15/2025-ОГ</xdms:number>');
      expect(xml).toMatch(
        /<xdms:addressee xdms:uid="7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f">\s*<xdms:organization>Министерство здравоохранения Российской Федерации</,
      );
      expect(xml).toMatch(
        new RegExp(
          `<xdms:link xdms:uid="${item.replyAddress!.documentUid}">\\s*<xdms:linkType>В ответ на</xdms:linkType>[\\s\\S]*<xdms:number>17-4/И/2-3456</xdms:number>\\s*<xdms:date>2025-03-12</xdms:date>`,
        ),
      );
      expect(xml).toContain(
        '<xdms:annotation>О рассмотрении обращения по вопросу ремонта дороги</xdms:annotation>',
      );
      expect([...pkg.files.keys()].sort()).toEqual(
        ['answer.txt', 'passport (2).xml', 'passport.xml', 'План работ.pdf'].sort(),
      );
      expect(pkg.files.get('answer.txt')!.toString('utf8')).toBe(
        '\uFEFFУважаемые коллеги!\r\nСообщаем, что ремонт дороги «Колывань — Сокур» включён в план на 2025 год.',
      );
      expect(sha256(pkg.files.get('План работ.pdf')!)).toBe(
        sha256(Buffer.from(message.attachments![0].contentBase64, 'base64')),
      );
      expect(receipt.sentAt).toEqual(expect.any(String));

      // A retry of the same message writes nothing new; the gateway never sees a temporary folder.
      expect(await connector.send(gateway.account(), message)).toMatchObject({ remoteId: receipt.remoteId });
      expect((await gateway.outbound()).map((p) => p.name)).toEqual([`${receipt.remoteId}_${OUR_UID}`]);
      expect((await fs.readdir(gateway.outboundDir)).filter((n) => n.startsWith('.'))).toEqual([]);
    });

    it('replaces the leftover of a crashed attempt and reads back as the receiver would', async () => {
      const item = await receiveLetter();
      const message = answer(item, { attachments: [] });
      // Simulate a crash mid-write of the real message: a half-filled temporary folder.
      const expected = await connector.send(gateway.account(), message);
      const name = `${expected.remoteId}_${OUR_UID}`;
      await fs.rm(join(gateway.outboundDir, name), { recursive: true });
      await fs.mkdir(join(gateway.outboundDir, `.tmp-${name}`));
      await fs.writeFile(join(gateway.outboundDir, `.tmp-${name}`, 'passport.xml'), '<half');

      await connector.send(gateway.account(), message);

      const packages = await gateway.outbound();
      expect(packages.map((p) => p.name)).toEqual([name]);
      expect((await validateAgainstXsd(packages.find((p) => p.name === name)!.passport)).valid).toBe(true);

      // The receiving body's connector reads our package back: same thread, a link to the original.
      const receiver = await FakeMedoGateway.create();
      try {
        await receiver.deliverFolder(
          name,
          [...packages.find((p) => p.name === name)!.files].map(([n, data]) => ({ name: n, data })),
        );
        const [back] = (await new MedoConnector({ logger: quietLogger }).pull(receiver.account(), null, 5))
          .items;
        expect(back).toMatchObject({
          externalId: expected.remoteId,
          author: { displayName: OUR_ORGANISATION, externalId: OUR_UID },
          thread: {
            key: `medo-doc:${expected.remoteId}`,
            refersTo: [`medo-doc:${item.replyAddress!.documentUid}`],
          },
        });
        expect(back.subject).toMatch(/^Письмо № 01-15\/2025-ОГ от \d{2}\.\d{2}\.\d{4}$/);
        expect(back.text).toContain('О рассмотрении обращения по вопросу ремонта дороги');
      } finally {
        await receiver.close();
      }
    });

    it('writes a schema-valid «Квитанция» and «Уведомление» «Зарегистрирован» with our number', async () => {
      const item = await receiveLetter();

      const result = await connector.acknowledgeReceipt(gateway.account(), item.replyAddress, {
        registered: true,
        number: '01-15/2025-ОГ',
        date: '2025-03-17',
      });

      const packages = await gateway.outbound();
      expect(packages.map((p) => p.name).sort()).toEqual(
        [`${result.acknowledgmentUid}_${OUR_UID}`, `${result.notificationUid}_${OUR_UID}`].sort(),
      );
      const ack = packages.find((p) => p.name.startsWith(result.acknowledgmentUid))!.passport;
      const notice = packages.find((p) => p.name.startsWith(result.notificationUid))!.passport;
      expect(await validateAgainstXsd(ack)).toEqual({
        valid: true,
        output: expect.stringContaining('validates'),
      });
      expect(await validateAgainstXsd(notice)).toEqual({
        valid: true,
        output: expect.stringContaining('validates'),
      });
      expect(ack).toContain('xdms:type="Квитанция"');
      expect(ack).toContain(`<xdms:acknowledgment xdms:uid="${item.replyAddress!.headerUid}">`);
      expect(ack).toContain('<xdms:accepted>true</xdms:accepted>');
      expect(notice).toContain(
        `<xdms:notification xdms:type="Зарегистрирован" xdms:uid="${item.replyAddress!.documentUid}" xdms:mid="${item.replyAddress!.headerUid}">`,
      );
      expect(notice).toMatch(
        /<xdms:number>01-15\/2025-ОГ<\/xdms:number>\s*<xdms:date>2025-03-17<\/xdms:date>/,
      );

      // Idempotent: the same call again writes nothing new.
      await connector.acknowledgeReceipt(gateway.account(), item.replyAddress, {
        registered: true,
        number: '01-15/2025-ОГ',
        date: '2025-03-17',
      });
      expect(await gateway.outbound()).toHaveLength(2);
    });

    it('writes a schema-valid «Отказано в регистрации» with a reason from the closed list, and refuses others', async () => {
      const item = await receiveLetter();

      const result = await connector.acknowledgeReceipt(gateway.account(), item.replyAddress, {
        registered: false,
        reason: 'Ошибка адресации',
        comment: 'Вопрос относится к компетенции Минтранса',
      });

      const notice = (await gateway.outbound()).find((p) =>
        p.name.startsWith(result.notificationUid),
      )!.passport;
      expect((await validateAgainstXsd(notice)).valid).toBe(true);
      expect(notice).toContain('xdms:type="Отказано в регистрации"');
      expect(notice).toContain('<xdms:reason>Ошибка адресации</xdms:reason>');
      // The schema does catch deviations: a reason off the list, bare (unqualified) attributes.
      const offList = await validateAgainstXsd(notice.replace('Ошибка адресации', 'Не нравится'));
      expect(offList).toMatchObject({ valid: false, output: expect.stringContaining('reason') });
      expect((await validateAgainstXsd(notice.replace(/ xdms:(\w+)=/g, ' $1='))).valid).toBe(false);

      const error = await connectorError(
        connector.acknowledgeReceipt(gateway.account(), item.replyAddress, {
          registered: false,
          reason: 'Не нравится' as never,
        }),
      );
      expect(error.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(error.details.fields).toHaveProperty(['result.reason']);
    });

    it('sends a registration notice through send() as «Квитанция» + «Уведомление»', async () => {
      const item = await receiveLetter();
      const receipt = await connector.send(gateway.account(), {
        id: randomUUID(),
        kind: 'registration-notice',
        text: 'Зарегистрировано',
        replyAddress: item.replyAddress,
        references: { registrationNumber: 'ОГ-77' },
      });
      const packages = await gateway.outbound();
      expect(packages).toHaveLength(2);
      for (const pkg of packages) expect((await validateAgainstXsd(pkg.passport)).valid).toBe(true);
      expect(packages.find((p) => p.name.startsWith(receipt.remoteId!))!.passport).toContain(
        '<xdms:number>ОГ-77</xdms:number>',
      );
    });

    it("dates the registration notice by the day of registration in the registering organisation's zone", async () => {
      // 18:30 UTC on 1 December is 2 December, 01:30 in Novosibirsk — and still 1 December, 21:30 in Moscow.
      const item = await receiveLetter();
      // Sent days later, as a retried notice may be: the date is the registration's, not the sending day's.
      const later = new MedoConnector({
        logger: quietLogger,
        clock: { now: () => new Date('2026-12-09T10:00:00.000Z') },
      });
      const receipt = await later.send(gateway.account({ timeZone: 'Europe/Moscow' }), {
        id: randomUUID(),
        kind: 'registration-notice',
        text: 'Зарегистрировано',
        replyAddress: item.replyAddress,
        references: {
          registrationNumber: 'ОГ-78',
          registeredAt: '2026-12-01T18:30:00.000Z',
          timeZone: 'Asia/Novosibirsk',
        },
      });
      const notice = (await gateway.outbound()).find((p) => p.name.startsWith(receipt.remoteId!))!.passport;
      expect(notice).toMatch(/<xdms:number>ОГ-78<\/xdms:number>\s*<xdms:date>2026-12-02<\/xdms:date>/);
      expect((await validateAgainstXsd(notice)).valid).toBe(true);
    });

    it('rejects what it cannot send with InvalidPayload and the field at fault', async () => {
      const item = await receiveLetter();
      const noNumber = await connectorError(
        connector.send(gateway.account(), answer(item, { references: undefined })),
      );
      expect(noNumber.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(noNumber.details.fields).toHaveProperty(['references.registrationNumber']);
      const noAddress = await connectorError(
        connector.send(gateway.account(), answer(item, { replyAddress: undefined })),
      );
      expect(noAddress.details.fields).toHaveProperty(['replyAddress.sourceUid']);
      const bot = await connectorError(
        connector.send(gateway.account(), answer(item, { kind: 'bot-reply' })),
      );
      expect(bot.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(await gateway.outbound()).toEqual([]);
    });
  });

  describe('gateway scenarios', () => {
    it('server-error: the share is gone → Temporary for pull and send; back to normal → works', async () => {
      await gateway.setScenario('server-error');
      const pull = await connectorError(connector.pull(gateway.account(), null, 10));
      expect(pull.code).toBe(ConnectorErrorCode.Temporary);
      expect(pull.retryable).toBe(true);
      const send = await connectorError(
        connector.send(gateway.account(), {
          id: 'x',
          kind: 'answer',
          text: 'Ответ',
          replyAddress: { sourceUid: MINZDRAV.uid, sourceOrganisation: MINZDRAV.organisation },
          references: { registrationNumber: '1' },
        }),
      );
      expect(send.code).toBe(ConnectorErrorCode.Temporary);
      await expect(connector.check(gateway.account())).rejects.toMatchObject({
        code: ConnectorErrorCode.Temporary,
      });

      await gateway.setScenario('normal');
      await expect(connector.check(gateway.account())).resolves.toBeUndefined();
      expect((await connector.pull(gateway.account(), null, 10)).items).toEqual([]);
    });

    it('slow: a package still being written is left alone until it settles', async () => {
      await gateway.setScenario('slow');
      const spec = letterSpec();
      const finish = await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(spec));
      const account = gateway.account({ settleMs: 60_000 });

      const during = await connector.pull(account, null, 10);
      expect(during).toMatchObject({ items: [], rejected: [] });
      expect(await gateway.quarantined()).toEqual([]);

      await finish();
      await gateway.age(120);
      const after = await connector.pull(account, during.nextCursor, 10);
      expect(after.items.map((i) => i.externalId)).toEqual([spec.headerUid]);
    });

    it('malformed: a cut passport is quarantined as bad XML', async () => {
      await gateway.setScenario('malformed');
      const spec = letterSpec();
      await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(spec));
      const page: MedoPullPage = await connector.pull(gateway.account(), null, 10);
      expect(page.items).toEqual([]);
      expect(page.rejected).toEqual([
        expect.objectContaining({
          code: 'bad-xml',
          externalId: spec.headerUid,
          packageName: `${spec.headerUid}_${MINZDRAV.uid}`,
        }),
      ]);
    });

    it('pages by limit and rejects a foreign cursor', async () => {
      for (let i = 0; i < 3; i++) {
        const spec = letterSpec();
        await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(spec));
      }
      const page = await connector.pull(gateway.account(), null, 2);
      expect(page.items).toHaveLength(2);
      expect(page.hasMore).toBe(true);
      const error = await connectorError(connector.pull(gateway.account(), 'offset=17', 2));
      expect(error.code).toBe(ConnectorErrorCode.CursorInvalid);
    });

    it('refuses a misconfigured account', async () => {
      const error = await connectorError(
        connector.pull(gateway.account({ ourParticipantUid: 'not-a-guid' }), null, 1),
      );
      expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
      expect(error.details.fields).toHaveProperty(['ourParticipantUid']);
    });
  });
});
