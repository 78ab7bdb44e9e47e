import { ConnectorError, ConnectorErrorCode, type OutboundMessage } from '@inbox/integrations/contract';
import { EmailConnector, refusedByServer } from './email.connector';
import { smtpError, imapError } from './errors';
import { messageIdList, normaliseMessageId, outboundIdOf, outboundMessageId } from './message-id';
import { buildOutboundMail, replySubject } from './outbound-mail';

const sender = { fromAddress: 'obr@Gov.Example.ru', fromName: 'Приёмная губернатора' };
const answer: OutboundMessage = {
  id: 'f3b0c1de-7a2b-4c3d-9e8f-0123456789ab',
  kind: 'answer',
  text: 'Снег убран.',
  replyAddress: {
    to: 'ivan@mail.example',
    messageId: 'citizen-1@mail.example',
    references: ['citizen-0@mail.example', 'citizen-1@mail.example'],
    subject: 'Снег во дворе',
  },
};

describe('Message-IDs', () => {
  it('normalises ids with and without brackets, folded, listed', () => {
    expect(normaliseMessageId(' <a.b@c.example> ')).toBe('a.b@c.example');
    expect(normaliseMessageId('a@c')).toBe('a@c');
    expect(normaliseMessageId(undefined)).toBeUndefined();
    expect(messageIdList('<a@x>\r\n <b@\r\n x> <a@x>')).toEqual(['a@x', 'b@x']);
    expect(messageIdList(['<a@x>', '<c@x>'])).toEqual(['a@x', 'c@x']);
  });

  it('derives our Message-ID from the outbound id only, and reads it back', () => {
    const id = outboundMessageId(answer.id, sender.fromAddress);
    expect(id).toBe(`${answer.id}@inbox.gov.example.ru`);
    expect(outboundMessageId(answer.id, sender.fromAddress)).toBe(id);
    expect(outboundIdOf(id, sender.fromAddress)).toBe(answer.id);
    const odd = outboundMessageId('заявка 1/2.x', sender.fromAddress);
    expect(odd).toMatch(/^[A-Za-z0-9_=-]+@inbox\.gov\.example\.ru$/);
    expect(outboundIdOf(odd, sender.fromAddress)).toBe('заявка 1/2.x');
    expect(outboundIdOf('x@mail.example', sender.fromAddress)).toBeUndefined();
  });
});

describe('buildOutboundMail', () => {
  it('answers in the thread: Re: once, In-Reply-To, References, deterministic Message-ID', () => {
    const { messageId, options } = buildOutboundMail(sender, answer);
    expect(messageId).toBe(`${answer.id}@inbox.gov.example.ru`);
    expect(options).toMatchObject({
      from: { name: 'Приёмная губернатора', address: 'obr@Gov.Example.ru' },
      to: 'ivan@mail.example',
      subject: 'Re: Снег во дворе',
      text: 'Снег убран.',
      messageId: `<${messageId}>`,
      inReplyTo: '<citizen-1@mail.example>',
      references: ['<citizen-0@mail.example>', '<citizen-1@mail.example>'],
      headers: {},
    });
  });

  it('does not stack Re:', () => {
    expect(replySubject('Re: Снег')).toBe('Re: Снег');
    expect(replySubject('RE[2]: Снег')).toBe('RE[2]: Снег');
    expect(replySubject('Ответ: Снег')).toBe('Ответ: Снег');
    expect(replySubject('Снег  во дворе')).toBe('Re: Снег во дворе');
  });

  it('puts the registration number in every subject, once, and keeps it in sight after a long subject', () => {
    const numbered = { ...answer, references: { registrationNumber: '2026-000123' } };
    expect(buildOutboundMail(sender, numbered).options.subject).toBe('Re: Снег во дворе [№ 2026-000123]');
    // The citizen's reply already carries it: not a second time.
    const again = {
      ...numbered,
      replyAddress: { ...answer.replyAddress, subject: 'RE: Снег во дворе [№ 2026-000123]' },
    };
    expect(buildOutboundMail(sender, again).options.subject).toBe('RE: Снег во дворе [№ 2026-000123]');
    const bare = { id: 'a2', text: 'Снег убран.', recipient: { email: 'ivan@mail.example' } };
    expect(
      buildOutboundMail(sender, {
        ...bare,
        kind: 'answer',
        references: { registrationNumber: '2026-000123' },
      }).options.subject,
    ).toBe('Ответ на обращение № 2026-000123');
    expect(
      buildOutboundMail(sender, {
        ...bare,
        kind: 'status-notice',
        subject: 'Срок рассмотрения продлён',
        references: { registrationNumber: '2026-000123' },
      }).options.subject,
    ).toBe('Срок рассмотрения продлён [№ 2026-000123]');
    const long = { ...numbered, replyAddress: { ...answer.replyAddress, subject: 'Очень '.repeat(100) } };
    const subject = buildOutboundMail(sender, long).options.subject as string;
    expect(subject.length).toBeLessThanOrEqual(200);
    expect(subject).toMatch(/^Re: Очень .*Очень… \[№ 2026-000123\]$/);
  });

  it('marks system notices Auto-Submitted and carries attachments as base64', () => {
    const { options } = buildOutboundMail(sender, {
      ...answer,
      kind: 'registration-notice',
      attachments: [{ fileName: 'ответ.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0=' }],
    });
    expect(options.headers).toEqual({ 'Auto-Submitted': 'auto-generated' });
    expect(options.attachments).toEqual([
      { filename: 'ответ.pdf', contentType: 'application/pdf', content: 'JVBERi0=', encoding: 'base64' },
    ]);
  });

  it('writes to the recipient when there is no reply address, with a subject of its own', () => {
    const { options } = buildOutboundMail(sender, {
      id: 'n1',
      kind: 'status-notice',
      text: 'Продлён срок',
      recipient: { email: 'maria@example.ru', name: 'Мария' },
      references: { registrationNumber: 'ОГ-123/25' },
    });
    expect(options.to).toEqual({ name: 'Мария', address: 'maria@example.ru' });
    expect(options.subject).toBe('Ваше обращение № ОГ-123/25');
    expect(options.inReplyTo).toBeUndefined();
  });

  it('refuses a message without a usable address', () => {
    expect(() => buildOutboundMail(sender, { id: 'x', kind: 'answer', text: 't' })).toThrow(
      expect.objectContaining({ code: ConnectorErrorCode.InvalidPayload }),
    );
  });
});

describe('error mapping', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 Try later' }, ConnectorErrorCode.Temporary],
    [{ code: 'ECONNECTION', responseCode: 421, response: '421 4.3.2 closing' }, ConnectorErrorCode.Temporary],
    [{ code: 'ESOCKET' }, ConnectorErrorCode.Temporary],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1' }, ConnectorErrorCode.Temporary],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad' }, ConnectorErrorCode.AuthFailed],
    [
      { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <ivan@mail.example> unknown' },
      ConnectorErrorCode.NotFound,
    ],
    [{ code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 spam' }, ConnectorErrorCode.InvalidPayload],
  ])('maps SMTP %j', (error, code) => {
    const mapped = smtpError(
      Object.assign(new Error(String((error as { message?: string }).message ?? 'x')), error),
    );
    expect(mapped).toBeInstanceOf(ConnectorError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).not.toContain('ivan@mail.example');
  });

  it('maps IMAP login failure, a missing mailbox and the rest', () => {
    expect(imapError(Object.assign(new Error('x'), { authenticationFailed: true }), 'pull').code).toBe(
      ConnectorErrorCode.AuthFailed,
    );
    expect(imapError(Object.assign(new Error('x'), { serverResponseCode: 'NONEXISTENT' }), 'pull').code).toBe(
      ConnectorErrorCode.NotFound,
    );
    expect(
      imapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'pull').code,
    ).toBe(ConnectorErrorCode.Temporary);
  });
});

describe('EmailConnector account and cursor checks', () => {
  const connector = new EmailConnector();
  const account = {
    id: 'acc-1',
    channel: 'email' as never,
    settings: { imapHost: '127.0.0.1', imapPort: 1, imapSecure: false, fromAddress: 'obr@gov.example.ru' },
    secrets: { imapUser: 'u', imapPassword: 'p' },
  };

  it.each([
    [42],
    ['x'],
    [{ uidValidity: 0, lastUid: 1 }],
    [{ uidValidity: 5, lastUid: -1 }],
    [{ lastUid: 3 }],
  ])('refuses cursor %j before connecting', async (cursor) => {
    await expect(connector.pull(account, cursor, 10)).rejects.toMatchObject({
      code: ConnectorErrorCode.CursorInvalid,
    });
  });

  it('says a misconfigured account is AuthFailed', async () => {
    await expect(
      connector.pull({ ...account, settings: { ...account.settings, imapPort: 'x' } }, null, 10),
    ).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
    await expect(connector.pull({ ...account, secrets: {} }, null, 10)).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
    await expect(
      connector.pull({ ...account, settings: { ...account.settings, policy547: 'maybe' } }, null, 10),
    ).rejects.toMatchObject({ code: ConnectorErrorCode.AuthFailed });
  });

  it('reports a refused IMAP connection as Temporary', async () => {
    await expect(connector.pull(account, null, 10)).rejects.toMatchObject({
      code: ConnectorErrorCode.Temporary,
    });
  });
});

describe('a letter the server refuses', () => {
  it("is refused for good on NO, BAD or Dovecot's «FETCH failed», but not in RFC 5530's passing states", () => {
    expect(refusedByServer({ responseStatus: 'NO', serverResponseCode: 'SERVERBUG' })).toBe(true);
    expect(refusedByServer({ responseStatus: 'BAD' })).toBe(true);
    expect(refusedByServer({ code: 'NoConnection', reason: 'FETCH failed: Internal error occurred.' })).toBe(
      true,
    );
    for (const code of ['UNAVAILABLE', 'INUSE', 'LIMIT', 'unavailable'])
      expect(refusedByServer({ responseStatus: 'NO', serverResponseCode: code })).toBe(false);
    expect(refusedByServer({ code: 'NoConnection', reason: 'Connection closed' })).toBe(false);
    expect(refusedByServer(new Error('ECONNRESET'))).toBe(false);
  });
});
