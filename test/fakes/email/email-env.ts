import { type DovecotInstance } from './dovecot';
import { type SmtpReceiver } from './smtp-receiver';

/**
 * The e-mail channel's environment against the local Dovecot and SMTP receiver: our address `from`, the first
 * Dovecot user's mailbox (or `user`), no scheduled pulls (tests pull when they mean to).
 */
export const EMAIL_ENV = (
  dovecot: DovecotInstance,
  smtp: SmtpReceiver,
  from: string,
  user = dovecot.users[0],
): Record<string, string> => ({
  EMAIL_IMAP_HOST: dovecot.host,
  EMAIL_IMAP_PORT: String(dovecot.port),
  EMAIL_IMAP_SECURE: 'false',
  EMAIL_IMAP_USER: user.user,
  EMAIL_IMAP_PASSWORD: user.password,
  EMAIL_SMTP_HOST: smtp.host,
  EMAIL_SMTP_PORT: String(smtp.port),
  EMAIL_SMTP_SECURE: 'false',
  EMAIL_FROM_ADDRESS: from,
  EMAIL_TIMEOUT_MS: '5000',
  EMAIL_PULL_EVERY_MS: '3600000',
});
