import { Role } from '@inbox/access';
import { parseEmail } from '@inbox/integrations/email';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { EMAIL_ENV, mailHeader } from './feed-helpers';
import { publicAnswerFile, publicStatus } from '../support/citizen';
import { launchChromium } from '../support/browser';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';

const OURS = 'obrashcheniya@region.test';
/** A small but real PDF header: what a clerk attaches as the decision. */
const DECISION = Buffer.from('%PDF-1.4\n% предписание № 17 управляющей компании\n%%EOF\n');

/**
 * Issue 12, Build 5: an answer carries files. A clerk attaches a file to the draft (a colleague who is not
 * its author cannot), the answer is approved and sent; the web-form applicant finds the answer and its file on
 * the status page with the access code (and nothing without it), and receives both by e-mail at the SMTP
 * receiver; staff download the file from the card; a sent answer takes no more files.
 */
describe('answers with files (e2e)', () => {
  let dovecot: DovecotInstance;
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let operator: SignedIn;
  let colleague: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    dovecot = await startDovecot();
    smtp = await startSmtpReceiver();
    stack = await startTestStack({
      worker: true,
      env: {
        ...EMAIL_ENV(dovecot, smtp, OURS),
        // Small limits, so that the refusals below are cheap to reach.
        ATTACHMENT_MAX_BYTES: '1024',
        ATTACHMENT_MAX_COUNT: '2',
      },
    });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    colleague = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  const attach = (path: string, who: SignedIn, name: string, content: Buffer) => {
    const body = new FormData();
    body.append('file', new Blob([content], { type: 'application/pdf' }), name);
    const headers: Record<string, string> = { ...who.headers };
    delete headers['content-type'];
    return fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers, body });
  };

  it('sends the file with the answer, shows it on the status page with the code, and by e-mail', async () => {
    const citizen = 'olga.k@example.ru';
    const form = new FormData();
    for (const [k, v] of Object.entries({
      surname: 'Кузнецова',
      firstName: 'Ольга',
      email: citizen,
      text: 'Третий день нет горячей воды в доме по ул. Ленина, 15. Управляющая компания не отвечает.',
      consent: 'true',
    }))
      form.append(k, v);
    const created = (await json(
      fetch(`${stack.baseUrl}/api/v1/public/appeals`, { method: 'POST', body: form }),
    )) as { registrationNumber: string; accessCode: string };
    const [{ id }] = await eventually(async () => {
      const rows = (await stack.db.dataSource.query(`SELECT id FROM appeals WHERE registration_number = $1`, [
        created.registrationNumber,
      ])) as { id: string }[];
      return rows.length ? rows : undefined;
    });

    expect((await post(`/api/v1/appeals/${id}/take`, operator)).status).toBe(204);
    const text = 'Управляющей компании выдано предписание, горячая вода подана. Предписание прилагаем.';
    const draft = await json(post(`/api/v1/appeals/${id}/answers`, operator, { text }));
    const files = `/api/v1/appeals/${id}/answers/${draft.id}/attachments`;
    // Someone else's draft: refused.
    expect((await attach(files, colleague, 'Чужой.pdf', DECISION)).status).toBe(403);
    const added = await attach(files, operator, 'Предписание № 17.pdf', DECISION);
    expect(added.status).toBe(201);
    const { id: fileId } = (await added.json()) as { id: string };
    const [listed] = (await json(
      fetch(`${stack.baseUrl}/api/v1/appeals/${id}/answers`, { headers: supervisor.headers }),
    )) as { attachments: unknown[] }[];
    expect(listed.attachments).toEqual([
      expect.objectContaining({ id: fileId, fileName: 'Предписание № 17.pdf', size: DECISION.length }),
    ]);
    // Not sent yet: the status page offers nothing.
    expect(
      (
        await publicAnswerFile(
          stack.baseUrl,
          `/api/v1/public/appeals/${created.registrationNumber}/answers/${draft.id}/attachments/${fileId}`,
          created.accessCode,
        )
      ).status,
    ).toBe(404);

    expect((await post(`/api/v1/appeals/${id}/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
    expect((await post(`/api/v1/appeals/${id}/answers/${draft.id}/send`, operator)).status).toBe(204);
    // A sent answer takes no more files.
    const late = await attach(files, operator, 'Позже.pdf', DECISION);
    expect([late.status, ((await late.json()) as { message: string }).message]).toEqual([
      409,
      'Ответ уже отправлен заявителю: приложить к нему файл нельзя',
    ]);

    // The status page, with the access code: the answer and its file.
    const status = await json(publicStatus(stack.baseUrl, created.registrationNumber, created.accessCode));
    expect(status.answers).toEqual([
      expect.objectContaining({
        text,
        attachments: [expect.objectContaining({ fileName: 'Предписание № 17.pdf', size: DECISION.length })],
      }),
    ]);
    const fileUrl = status.answers[0].attachments[0].url as string;
    expect(fileUrl).not.toContain(created.accessCode);
    const download = await publicAnswerFile(stack.baseUrl, fileUrl, created.accessCode);
    expect(download.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await download.arrayBuffer()), DECISION)).toBe(0);
    expect((await publicAnswerFile(stack.baseUrl, fileUrl, 'AAAAAAAA')).status).toBe(404);
    // In the browser: the status link's page lists the file, and a click saves it (asked for by POST, the code in
    // the body), byte for byte.
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ acceptDownloads: true, locale: 'ru-RU' })).newPage();
      await page.goto(
        `${stack.baseUrl}/status.html?number=${created.registrationNumber}#code=${created.accessCode}`,
      );
      const link = page.getByRole('link', { name: 'Предписание № 17.pdf' });
      const [saved] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(saved.suggestedFilename()).toBe('Предписание № 17.pdf');
      expect(Buffer.compare(await readFile((await saved.path())!), DECISION)).toBe(0);
    } finally {
      await browser.close();
    }

    // By e-mail: the answer letter carries the file.
    const letter = await eventually(async () =>
      smtp.accepted().find((m) => m.to.includes(citizen) && !mailHeader(m, 'Auto-Submitted')),
    );
    // Read as the citizen's mail client would (our own parser, the one that reads citizens' letters).
    const parsed = await parseEmail(letter.raw, {
      policy547: 'appeal',
      maxAttachmentBytes: 1e7,
      fromAddress: citizen,
    });
    if (parsed.kind !== 'item') throw new Error(`the answer did not read as a letter: ${parsed.kind}`);
    expect(parsed.item.text).toContain('горячая вода подана');
    expect(
      (parsed.item.attachments ?? []).map((a) => [
        a.fileName,
        Buffer.compare(Buffer.from(a.contentBase64 ?? '', 'base64'), DECISION),
      ]),
    ).toEqual([['Предписание № 17.pdf', 0]]);

    // Staff read it from the card (audited).
    const staffCopy = await fetch(`${stack.baseUrl}${files}/${fileId}`, { headers: supervisor.headers });
    expect(staffCopy.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await staffCopy.arrayBuffer()), DECISION)).toBe(0);
  });
  /** A multipart upload whose first file starts and whose body never ends: what the api answers before reading it. */
  const unread = (path: string, who: SignedIn, declared: number | undefined) =>
    new Promise<[number, string]>((resolve, reject) => {
      const boundary = 'unread-boundary';
      const req = request(
        `${stack.baseUrl}${path}`,
        {
          method: 'POST',
          headers: {
            authorization: who.headers.authorization,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            ...(declared === undefined ? {} : { 'content-length': String(declared) }),
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            req.destroy();
            resolve([res.statusCode!, (JSON.parse(body) as { message: string }).message]);
          });
        },
      );
      req.on('error', reject);
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n` +
          `Content-Type: application/pdf\r\n\r\n${DECISION.toString('latin1')}`,
      );
    });

  it('refuses, in Russian, a file of the wrong type, too large, one too many, and any file once approved', async () => {
    const res = await post('/api/v1/appeals', operator, {
      medium: 'phone',
      surname: 'Орлова',
      firstName: 'Мария',
      patronymic: 'Петровна',
      phone: '+7 913 222-11-00',
      subject: 'Предписание управляющей компании',
      text: 'Прошу прислать копию предписания управляющей компании по дому на ул. Мира, 7.',
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await post(`/api/v1/appeals/${id}/take`, operator)).status).toBe(204);
    const draft = await json(post(`/api/v1/appeals/${id}/answers`, operator, { text: 'Копию прилагаем.' }));
    const files = `/api/v1/appeals/${id}/answers/${draft.id}/attachments`;
    const refusal = async (name: string, content: Buffer) => {
      const r = await attach(files, operator, name, content);
      return [r.status, ((await r.json()) as { message: string }).message];
    };
    const pdfOf = (bytes: number) => Buffer.concat([DECISION, Buffer.alloc(bytes - DECISION.length, 0x20)]);

    // An executable named as a document: its bytes decide.
    expect(await refusal('акт.pdf', Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00'))).toEqual([
      415,
      'Файл «акт.pdf» не принят: приложите PDF, DOC, DOCX, ODT, RTF, TXT, JPG или PNG',
    ]);
    // Over ATTACHMENT_MAX_BYTES: far over (multer stops reading) and by one byte (the command's check).
    expect(await refusal('большой.pdf', pdfOf(5000))).toEqual([413, 'Файл больше 1 КБ']);
    expect(await refusal('чуть больше.pdf', pdfOf(1025))).toEqual([413, 'Файл больше 1 КБ']);
    // Fifty files of 10 MB declared: refused before a byte is read (the body never comes), as is a body that
    // does not declare its length (chunked). Before, multer read such bodies into memory until a file broke a limit.
    expect(await unread(files, operator, 50 * 10 * 1024 * 1024)).toEqual([413, 'Файл больше 1 КБ']);
    expect(await unread(files, operator, undefined)).toEqual([
      400,
      'Длина запроса не указана (заголовок Content-Length)',
    ]);
    expect((await attach(files, operator, 'первый.pdf', pdfOf(1024))).status).toBe(201);
    expect((await attach(files, operator, 'второй.pdf', DECISION)).status).toBe(201);
    expect(await refusal('третий.pdf', DECISION)).toEqual([
      400,
      'К ответу можно приложить не больше 2 файлов',
    ]);

    expect((await post(`/api/v1/appeals/${id}/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
    expect(await refusal('после.pdf', DECISION)).toEqual([
      409,
      'Ответ уже согласован: файлы прикладывают к проекту до согласования',
    ]);
  });
  it('takes a file off a draft: only whoever may change the draft, only before approval, in the history and audit', async () => {
    const res = await post('/api/v1/appeals', operator, {
      medium: 'phone',
      surname: 'Орлова',
      firstName: 'Мария',
      patronymic: 'Петровна',
      phone: '+7 913 222-11-01',
      subject: 'Предписание управляющей компании',
      text: 'Прошу прислать копию предписания управляющей компании по дому на ул. Мира, 9.',
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await post(`/api/v1/appeals/${id}/take`, operator)).status).toBe(204);
    const draft = await json(post(`/api/v1/appeals/${id}/answers`, operator, { text: 'Копию прилагаем.' }));
    const files = `/api/v1/appeals/${id}/answers/${draft.id}/attachments`;
    const added = async (name: string) =>
      ((await (await attach(files, operator, name, DECISION)).json()) as { id: string }).id;
    const wrong = await added('не тот.pdf');
    const right = await added('предписание.pdf');
    const remove = (fileId: string, who: SignedIn) =>
      fetch(`${stack.baseUrl}${files}/${fileId}`, { method: 'DELETE', headers: who.headers });
    const listed = async () =>
      (
        (await json(
          fetch(`${stack.baseUrl}/api/v1/appeals/${id}/answers`, { headers: supervisor.headers }),
        )) as {
          attachments: { fileName: string }[];
        }[]
      )[0].attachments.map((f) => f.fileName);

    // A colleague who neither wrote the draft nor heads the organisation: refused, nothing removed.
    const foreign = await remove(wrong, colleague);
    expect([foreign.status, ((await foreign.json()) as { message: string }).message]).toEqual([
      403,
      'Убрать файл может автор проекта или руководитель подразделения',
    ]);
    expect(await listed()).toEqual(['не тот.pdf', 'предписание.pdf']);
    // The author removes it; a second removal finds nothing.
    expect((await remove(wrong, operator)).status).toBe(204);
    expect(await listed()).toEqual(['предписание.pdf']);
    expect((await remove(wrong, operator)).status).toBe(404);
    // A supervisor may change any draft, so may remove a file from it too (and its freed slot takes another).
    const spare = await added('лишний.pdf');
    expect((await remove(spare, supervisor)).status).toBe(204);
    const history = (await stack.db.dataSource.query(
      `SELECT type, data FROM appeal_events WHERE appeal_id = $1 AND type = 'answer-file-removed' ORDER BY id`,
      [id],
    )) as { type: string; data: Record<string, unknown> }[];
    expect(history.map((h) => h.data)).toEqual([
      { answerId: draft.id, attachmentId: wrong },
      { answerId: draft.id, attachmentId: spare },
    ]);
    const audit = (await stack.db.dataSource.query(
      `SELECT user_id AS "userId" FROM audit_log WHERE action = 'detach-from-answer' AND entity_id = $1
          AND outcome = 'ok' ORDER BY id`,
      [id],
    )) as { userId: string }[];
    expect(audit.map((a) => a.userId)).toEqual([operator.userId, supervisor.userId]);

    // Approved: the draft is no longer a draft, and its files stay as approved.
    expect((await post(`/api/v1/appeals/${id}/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
    const late = await remove(right, operator);
    expect([late.status, ((await late.json()) as { message: string }).message]).toEqual([
      409,
      'Ответ уже согласован: убрать файл можно только из проекта до согласования',
    ]);
    expect(await listed()).toEqual(['предписание.pdf']);
  });

  it('an operator attaches a scanned letter to the appeal: listed on the card, downloaded by staff, in the history and audit; refused in Russian', async () => {
    const res = await post('/api/v1/appeals', operator, {
      medium: 'post',
      surname: 'Громова',
      firstName: 'Вера',
      patronymic: 'Ильинична',
      postalAddress: 'г. Северогорск, ул. Лесная, 4, кв. 2',
      subject: 'Письмо о ремонте крыши',
      text: 'Прошу отремонтировать крышу дома по ул. Лесной, 4: в квартире на пятом этаже течёт потолок.',
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const files = `/api/v1/appeals/${id}/attachments`;
    const refusal = async (who: SignedIn, name: string, content: Buffer) => {
      const r = await attach(files, who, name, content);
      return [r.status, ((await r.json()) as { message: string }).message];
    };
    const scan = Buffer.from('%PDF-1.4\n% письмо гражданки, скан\n%%EOF\n');

    const added = await attach(files, operator, 'Скан письма.pdf', scan);
    expect(added.status).toBe(201);
    const { id: fileId } = (await added.json()) as { id: string };
    const card = await json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: operator.headers }));
    expect(card.attachments).toEqual([
      expect.objectContaining({ id: fileId, fileName: 'Скан письма.pdf', contentType: 'application/pdf' }),
    ]);
    const copy = await fetch(`${stack.baseUrl}${files}/${fileId}`, { headers: supervisor.headers });
    expect(copy.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await copy.arrayBuffer()), scan)).toBe(0);
    const [event] = (await stack.db.dataSource.query(
      `SELECT actor, data FROM appeal_events WHERE appeal_id = $1 AND type = 'file-attached'`,
      [id],
    )) as { actor: string; data: Record<string, unknown> }[];
    // The file's name may carry personal data: the history names it by id.
    expect(event).toEqual({ actor: operator.userId, data: { attachmentId: fileId } });
    const [audit] = (await stack.db.dataSource.query(
      `SELECT outcome FROM audit_log WHERE action = 'attach-to-appeal' AND entity_id = $1`,
      [id],
    )) as { outcome: string }[];
    expect(audit).toEqual({ outcome: 'ok' });

    expect(await refusal(operator, 'скан.pdf', Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00'))).toEqual([
      415,
      'Файл «скан.pdf» не принят: приложите PDF, DOC, DOCX, ODT, RTF, TXT, JPG или PNG',
    ]);
    expect(await refusal(operator, 'большой.pdf', Buffer.concat([scan, Buffer.alloc(2000, 0x20)]))).toEqual([
      413,
      'Файл больше 1 КБ',
    ]);
    expect((await attach(files, operator, 'второй лист.pdf', scan)).status).toBe(201);
    expect(await refusal(operator, 'третий лист.pdf', scan)).toEqual([
      400,
      'К обращению можно приложить не больше 2 файлов',
    ]);
    // The administrator works no appeals.
    const admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'cur');
    expect((await attach(files, admin, 'ещё.pdf', scan)).status).toBe(403);
  });
});
