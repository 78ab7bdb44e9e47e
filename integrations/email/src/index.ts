export * from './email.connector';
export {
  emailThreadKey,
  normaliseMessageId,
  messageIdList,
  outboundMessageId,
  outboundIdOf,
} from './message-id';
export { parseEmail, type ParseContext, type ParsedEmail, type SkipReason } from './parse-message';
export { buildOutboundMail, replySubject } from './outbound-mail';
export { DEFAULT_MAX_ATTACHMENT_BYTES, type Policy547 } from './account';
