import { ConnectorError, ConnectorErrorCode, type OutboundMessage } from '@inbox/integrations/contract';
import type Mail from 'nodemailer/lib/mailer';
import { messageIdList, normaliseMessageId, outboundMessageId } from './message-id';
import { numberedSubject } from './subject-number';

const REPLY_PREFIX = /^\s*(?:re|ответ|отв|aw|sv)\s*(?:\[\d+\]|\(\d+\))?\s*:/i;
const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+$/;
// Long threads make long headers; RFC 5322 3.6.4 allows trimming References, keeping the first id.
const MAX_REFERENCES = 20;

/** `Re: <original>`, without stacking a second prefix on a subject that already has one. */
export function replySubject(original: string): string {
  const subject = original.replace(/\s+/g, ' ').trim();
  return REPLY_PREFIX.test(subject) ? subject : `Re: ${subject}`;
}

function stringField(source: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = source?.[key];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export interface OutboundMail {
  messageId: string;
  options: Mail.Options;
}

/**
 * The letter we send for an outbound message: addressed from the reply address the inbound item
 * carried (or the recipient), threaded by In-Reply-To/References both ways, with a Message-ID that a
 * retry repeats.
 */
export function buildOutboundMail(
  sender: { fromAddress: string; fromName?: string },
  message: OutboundMessage,
): OutboundMail {
  const reply = message.replyAddress;
  const to = stringField(reply, 'to') ?? message.recipient?.email?.trim();
  if (!to || !EMAIL.test(to)) {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'E-mail send: no valid recipient address', {
      fields: { recipient: 'Не указан адрес электронной почты получателя' },
    });
  }
  if (!message.id?.trim()) {
    throw new ConnectorError(
      ConnectorErrorCode.InvalidPayload,
      'E-mail send: the outbound message has no id',
    );
  }
  const toName = stringField(reply, 'toName') ?? (reply ? undefined : message.recipient?.name);

  // The parent: the message we answer; an external id that is a Message-ID will do when the reply
  // address was lost (items imported before the connector kept one).
  const externalRef = message.references?.externalId;
  const parent =
    normaliseMessageId(stringField(reply, 'messageId')) ??
    (externalRef && !/^(?:uid|sha256):/.test(externalRef) ? normaliseMessageId(externalRef) : undefined);
  let references = messageIdList(Array.isArray(reply?.references) ? reply.references : []);
  if (parent && !references.includes(parent)) references.push(parent);
  if (references.length > MAX_REFERENCES) {
    references = [references[0], ...references.slice(references.length - MAX_REFERENCES + 1)];
  }

  const originalSubject = stringField(reply, 'subject');
  const registration = message.references?.registrationNumber?.trim() || undefined;
  // The number in every subject: a reply whose client drops In-Reply-To/References still finds its appeal by it.
  const subject = numberedSubject(
    originalSubject
      ? replySubject(originalSubject)
      : message.subject?.trim() ||
          (registration
            ? `${message.kind === 'answer' ? 'Ответ на обращение' : 'Ваше обращение'} № ${registration}`
            : 'Ваше обращение'),
    registration,
  );

  const messageId = outboundMessageId(message.id, sender.fromAddress);
  const headers: Record<string, string> = {};
  // Notices written by the system, not by a clerk (RFC 3834): vacation responders must not answer them.
  if (message.kind !== 'answer') headers['Auto-Submitted'] = 'auto-generated';

  const options: Mail.Options = {
    from: sender.fromName ? { name: sender.fromName, address: sender.fromAddress } : sender.fromAddress,
    to: toName ? { name: toName, address: to } : to,
    subject,
    text: message.text,
    messageId: `<${messageId}>`,
    ...(parent ? { inReplyTo: `<${parent}>` } : {}),
    ...(references.length ? { references: references.map((id) => `<${id}>`) } : {}),
    headers,
    attachments: (message.attachments ?? []).map((a) => ({
      filename: a.fileName,
      contentType: a.contentType,
      content: a.contentBase64,
      encoding: 'base64',
    })),
  };
  return { messageId, options };
}
