import { createHash, randomUUID } from 'node:crypto';
import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import {
  acknowledgmentPassport,
  binaryFile,
  documentPackage,
  type DocumentSpec,
  FakeMedoGateway,
  notificationPassport,
  OUR_ORGANISATION,
  OUR_UID,
  signatureFile,
  validateAgainstXsd,
  zipBomb,
  encodeXml,
  documentPassport,
} from '../fakes/medo';
import { refuseEventOutcomes } from '../support/database-faults';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal, expectedDueDate, feedTools } from './feed-helpers';

const MINZDRAV = {
  uid: '7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f',
  organisation: 'Министерство здравоохранения Российской Федерации',
};
const US = { uid: OUR_UID, organisation: OUR_ORGANISATION };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function letterSpec(overrides: Partial<DocumentSpec> = {}): DocumentSpec {
  return {
    version: '2.6',
    encoding: 'windows-1251',
    headerUid: randomUUID(),
    documentUid: randomUUID(),
    source: MINZDRAV,
    kind: 'Письмо',
    number: '17-4/И/2-3456',
    date: '2026-11-12',
    annotation: 'О направлении обращения Петровой А. С. по вопросу записи к врачу (ч. 3 ст. 8 59-ФЗ)',
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

/**
 * Issue 5, МЭДО end to end through the exchange folders of a fake gateway: a «Документ» becomes an appeal,
 * the sender gets our «Квитанция» and «Уведомление» «Зарегистрирован» with our number, the answer goes out
 * as a schema-valid «Документ» «В ответ на» the original, and the receiver's notification about it updates
 * its delivery state; unreadable packages are quarantined while the rest of the batch is registered.
 */
describe('МЭДО feed (e2e)', () => {
  let gateway: FakeMedoGateway;
  let stack: TestStack;
  let tools: ReturnType<typeof feedTools>;
  let operator: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    gateway = await FakeMedoGateway.create();
    stack = await startTestStack({
      worker: true,
      env: {
        MEDO_INBOUND_DIR: gateway.inboundDir,
        MEDO_OUTBOUND_DIR: gateway.outboundDir,
        MEDO_QUARANTINE_DIR: gateway.quarantineDir,
        MEDO_PROCESSED_DIR: gateway.processedDir,
        MEDO_PARTICIPANT_UID: OUR_UID,
        MEDO_ORGANISATION_NAME: OUR_ORGANISATION,
        MEDO_TIME_ZONE: 'Asia/Novosibirsk',
        MEDO_SETTLE_MS: '0',
        MEDO_PULL_EVERY_MS: '3600000',
      },
    });
    tools = feedTools(stack);
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
  });
  afterAll(async () => {
    await stack?.close();
    await gateway?.close();
  });

  const card = (id: string) =>
    json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
  const outbound = async () => gateway.outbound();
  /** Минздрав's «Уведомление» «Зарегистрирован» about `documentUid`, in the gateway's inbound folder. */
  const deliverRegisteredNotice = (documentUid: string, number: string, headerUid?: string) =>
    gateway.deliverFolder(`${randomUUID()}_${MINZDRAV.uid}`, [
      {
        name: 'passport.xml',
        data: encodeXml(
          notificationPassport({
            source: MINZDRAV,
            documentUid,
            type: 'Зарегистрирован',
            number,
            date: '2026-11-24',
            headerUid,
          }),
          'windows-1251',
        ),
      },
    ]);

  it('registers a «Документ», acknowledges it with our number, answers «В ответ на» it, and records the receiver registering our answer', async () => {
    const spec = letterSpec();
    const packageName = `${spec.headerUid}_${MINZDRAV.uid}`;
    await gateway.deliverFolder(packageName, documentPackage(spec));

    expect(await tools.pull('medo')).toMatchObject({ items: 1, quarantined: 0 });
    expect(await gateway.processed()).toEqual([packageName]);
    const { id, registrationNumber } = await tools.appeal('medo', spec.headerUid!);
    const c = await card(id);
    expect(c).toMatchObject({
      regime: 'appeal',
      channel: 'medo',
      subject: 'Письмо № 17-4/И/2-3456 от 12.11.2026',
      applicant: { displayName: MINZDRAV.organisation },
    });
    expect(c.answerDueDate).toBe(expectedDueDate(c.registeredAt, 30));
    expect(
      Object.fromEntries(
        c.attachments.map((a: { fileName: string; sha256: string }) => [a.fileName, a.sha256]),
      ),
    ).toEqual({
      'Письмо.pdf': sha256(spec.files![0].data),
      'Письмо.pdf.p7s': sha256(spec.files![0].signature!.data),
      'Обращение гражданина.pdf': sha256(spec.files![1].data),
    });

    // «Квитанция» + «Уведомление» «Зарегистрирован» with OUR number, both schema-valid.
    const receipts = await eventually(async () => {
      const packages = await outbound();
      return packages.length === 2 ? packages : undefined;
    });
    const ack = receipts.find((p) => p.passport.includes('xdms:type="Квитанция"'))!;
    const notice = receipts.find((p) => p.passport.includes('xdms:type="Уведомление"'))!;
    for (const p of [ack, notice])
      expect(await validateAgainstXsd(p.passport)).toMatchObject({ valid: true });
    expect(ack.passport).toContain(`<xdms:acknowledgment xdms:uid="${spec.headerUid}">`);
    expect(notice.passport).toContain(
      `<xdms:notification xdms:type="Зарегистрирован" xdms:uid="${spec.documentUid}" xdms:mid="${spec.headerUid}">`,
    );
    expect(notice.passport).toContain(`<xdms:number>${registrationNumber}</xdms:number>`);

    // The answer: a «Документ» «Письмо» with our number, «В ответ на» the original.
    expect(
      (
        await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/take`, {
          method: 'POST',
          headers: operator.headers,
        })
      ).status,
    ).toBe(204);
    const text = 'Сообщаем, что заявительница записана на приём к врачу-кардиологу на 25.11.2026.';
    const answerId = await answerAppeal(stack, id, operator, supervisor, text);
    const answer = await eventually(async () =>
      (await outbound()).find((p) => p.passport.includes('xdms:type="Документ"')),
    );
    expect(await validateAgainstXsd(answer.passport)).toEqual({
      valid: true,
      output: expect.stringContaining('validates'),
    });
    expect(answer.passport).toContain(`<xdms:number>${registrationNumber}</xdms:number>`);
    expect(answer.passport).toMatch(
      new RegExp(
        `<xdms:link xdms:uid="${spec.documentUid}">\\s*<xdms:linkType>В ответ на</xdms:linkType>[\\s\\S]*<xdms:number>17-4/И/2-3456</xdms:number>\\s*<xdms:date>2026-11-12</xdms:date>`,
      ),
    );
    expect(answer.files.get('answer.txt')!.toString('utf8')).toBe(`\uFEFF${text}`);
    const [sent] = await eventually(async () => {
      const rows = await stack.db.dataSource.query(
        `SELECT id, remote_id FROM outbound_messages WHERE answer_id = $1 AND status = 'sent'`,
        [answerId],
      );
      return rows.length ? rows : undefined;
    });
    expect(answer.name).toBe(`${sent.remote_id}_${OUR_UID}`);

    // The receiver acknowledges and registers our answer: the delivery state follows.
    await gateway.deliverFolder(`${randomUUID()}_${MINZDRAV.uid}`, [
      {
        name: 'passport.xml',
        data: encodeXml(
          acknowledgmentPassport({ source: MINZDRAV, acknowledgedUid: sent.remote_id, accepted: true }),
          'utf-8',
        ),
      },
    ]);
    expect(await tools.pull('medo')).toMatchObject({ items: 0, events: 1 });
    await gateway.deliverFolder(`${randomUUID()}_${MINZDRAV.uid}`, [
      {
        name: 'passport.xml',
        data: encodeXml(
          notificationPassport({
            source: MINZDRAV,
            documentUid: sent.remote_id,
            type: 'Зарегистрирован',
            number: '17-4/И/2-9001',
            date: '2026-11-23',
          }),
          'windows-1251',
        ),
      },
    ]);
    expect(await tools.pull('medo')).toMatchObject({ items: 0, events: 1 });
    const [state] = await stack.db.dataSource.query(
      `SELECT delivery_state FROM outbound_messages WHERE id = $1`,
      [sent.id],
    );
    expect(state.delivery_state).toBe('registered');
    expect((await tools.history(id)).filter((e) => e.type === 'delivery-state').map((e) => e.data)).toEqual([
      expect.objectContaining({ state: 'delivered' }),
      expect.objectContaining({ state: 'registered', remoteRegistrationNumber: '17-4/И/2-9001' }),
    ]);

    // The gateway delivers the same package again: still one appeal, and no second receipt.
    await gateway.deliverFolder(`${packageName}-again`, documentPackage(spec));
    expect(await tools.pull('medo')).toMatchObject({ items: 0, duplicates: 1 });
    await tools.replayHooks();
    expect(await tools.appealCount('medo', [spec.headerUid!])).toBe(1);
    expect((await outbound()).filter((p) => p.passport.includes('xdms:type="Уведомление"'))).toHaveLength(1);
    expect(await gateway.inbound()).toEqual([]);
  });

  it('keeps a notification about a document we do not know in the list staff see, with a reason', async () => {
    const stranger = randomUUID();
    await deliverRegisteredNotice(stranger, '17-4/И/2-9555');
    expect(await tools.pull('medo')).toMatchObject({ items: 0, events: 1 });
    const listed = await json(
      fetch(`${stack.baseUrl}/api/v1/channel-quarantine?channel=medo`, { headers: operator.headers }),
    );
    const unknown = (listed.items as { source: string; id: string; summary: string }[]).filter(
      (i) => i.summary === 'Уведомление о документе или сообщении, которого нет в системе',
    );
    expect(unknown).toContainEqual(
      expect.objectContaining({
        source: 'input',
        channel: 'medo',
        reason: 'Уведомление о документе или сообщении, которого нет в системе',
      }),
    );
    // What the gateway sent is read one entry at a time.
    const opened = await Promise.all(
      unknown.map((i) =>
        json(
          fetch(`${stack.baseUrl}/api/v1/channel-quarantine/${i.source}/${i.id}`, {
            headers: operator.headers,
          }),
        ),
      ),
    );
    expect(opened.map((e) => e.raw)).toContainEqual(
      expect.objectContaining({
        kind: 'delivery-state',
        state: 'registered',
        remoteId: stranger,
        remoteRegistrationNumber: '17-4/И/2-9555',
      }),
    );
  });

  it('handles a notification whose handling the database broke off mid-pull, once it is back', async () => {
    // The database refuses the notification's outcome for a moment (as while Postgres restarts). The pull moved
    // past it and the gateway's package was acknowledged: nothing would bring it back.
    const restore = await refuseEventOutcomes(stack.db.dataSource);
    const stranger = randomUUID();
    const headerUid = randomUUID();
    try {
      await deliverRegisteredNotice(stranger, '17-4/И/2-9556', headerUid);
      expect(await tools.pull('medo')).toMatchObject({ items: 0, events: 1 });
    } finally {
      await restore();
    }
    const handled = await eventually(async () => {
      const [row] = (await stack.db.dataSource.query(
        `SELECT outcome FROM inbound_events WHERE channel = 'medo' AND external_id = $1`,
        [headerUid],
      )) as { outcome: string | null }[];
      return row?.outcome ? row : undefined;
    }, 30_000);
    expect(handled.outcome).toBe('message-not-found');
  });

  it('quarantines a passport in a wrong encoding and a ZIP bomb with their reasons and registers the rest of the batch', async () => {
    const good = letterSpec();
    await gateway.deliverFolder(`${good.headerUid}_${MINZDRAV.uid}`, documentPackage(good));

    // Declares windows-1251, carries control bytes and 0x98 (not a character there).
    const garbled = letterSpec({ annotation: 'ZZZZ' });
    const garbledFiles = documentPackage(garbled);
    Buffer.from([0x01, 0x98, 0x1b, 0x00]).copy(garbledFiles[0].data, garbledFiles[0].data.indexOf('ZZZZ'));
    await gateway.deliverFolder(`${garbled.headerUid}_${MINZDRAV.uid}`, garbledFiles);

    // 20 MB of zeros in a few kilobytes: far past the allowed compression ratio.
    const bombUid = randomUUID();
    await gateway.deliverZip(
      `${bombUid}_${MINZDRAV.uid}`,
      await zipBomb(
        20 * 1024 * 1024,
        encodeXml(documentPassport(letterSpec({ headerUid: bombUid })), 'utf-8'),
      ),
    );

    const before = (await tools.health('medo')).itemsQuarantined as number;
    expect(await tools.pull('medo')).toMatchObject({ items: 1, quarantined: 2 });
    await tools.appeal('medo', good.headerUid!);
    expect(await tools.appealCount('medo', [garbled.headerUid!, bombUid])).toBe(0);

    const rows = (await stack.db.dataSource.query(
      `SELECT external_id, reason FROM quarantined_inputs WHERE channel = 'medo' AND external_id = ANY($1)`,
      [[garbled.headerUid, bombUid]],
    )) as { external_id: string; reason: string }[];
    const reasons = Object.fromEntries(rows.map((r) => [r.external_id, r.reason]));
    expect(reasons[garbled.headerUid!]).toMatch(/windows-1251/);
    expect(reasons[bombUid]).toMatch(/compress|ratio|zip/i);
    // Moved aside with a reason file a person can read, never deleted.
    const folder = await gateway.quarantined();
    expect(folder.map((q) => q.name).sort()).toEqual(
      [`${garbled.headerUid}_${MINZDRAV.uid}`, `${bombUid}_${MINZDRAV.uid}.zip`].sort(),
    );
    for (const q of folder) expect(q.reason).toMatch(/Причина: \S/);
    expect(await tools.health('medo')).toMatchObject({ itemsQuarantined: before + 2 });
  });
});
