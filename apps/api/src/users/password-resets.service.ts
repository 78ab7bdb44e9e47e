import { Injectable } from '@nestjs/common';
import { AuditLog, type EnrolmentIssued, type StaffContext, StaffUsers } from '@inbox/access';
import { NotificationsRepository } from '@inbox/appeals';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { OrganisationDirectory } from '@inbox/organisations';
import { staffAction } from '../staff-action';

/** What a reset came to, for the administrator's screen. */
export interface PasswordResetResult {
  delivery: 'email' | 'shown' | 'email-failed';
  expiresAt: string;
  /** Where the code went (delivery 'email' or 'email-failed'). */
  email: string | null;
  /** The code, only when it is for the administrator to hand over in person ('shown'). */
  code: string | null;
  /** What happened, in a sentence for the screen. */
  message: string;
}

const FALLBACK_ZONE = 'Europe/Moscow';

/** «07.12.2026, 21:50 (GMT+7)»: an instant as the employee's organisation's clock reads it. */
function formatInZone(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}.${part('month')}.${part('year')}, ${part('hour')}:${part('minute')} (${part('timeZoneName')})`;
}

/** Why the letter did not go, in words an administrator acts on (never the address or the server's text). */
function letterFailure(error: unknown): string {
  if (error instanceof ConnectorError) {
    if (error.details.fields?.recipient) return error.details.fields.recipient;
    if (error.code === ConnectorErrorCode.AuthFailed)
      return 'почтовый сервер не принял учётные данные отправителя';
    if (error.code === ConnectorErrorCode.InvalidPayload) return 'почтовый сервер не принял письмо';
  }
  return 'почтовый сервер недоступен';
}

/**
 * An administrator's password reset, whole: the account's password made unusable and its sessions ended, a one-time
 * enrolment code issued (StaffUsers.resetPassword), the owner's notice in the bell and the audit entry in the same
 * transaction; then the code by e-mail to the work address through the e-mail channel's default account, or — with
 * no work e-mail, or no outgoing mail configured — shown to the administrator once, which the audit log records.
 */
@Injectable()
export class PasswordResets {
  private readonly log = rootLogger.child('password-resets');

  constructor(
    private readonly users: StaffUsers,
    private readonly audit: AuditLog,
    private readonly notifications: NotificationsRepository,
    private readonly organisations: OrganisationDirectory,
    private readonly registry: ChannelRegistry,
    private readonly config: AppConfig,
  ) {}

  async reset(staff: StaffContext, id: string): Promise<PasswordResetResult> {
    const mail = this.registry.get('email');
    const now = new Date();
    let zone = FALLBACK_ZONE;
    const issued = await this.users.resetPassword(
      staff.user.id,
      id,
      (user) => (user.email && mail ? 'email' : 'shown'),
      async (tx, issued) => {
        zone = (await this.organisations.byId(issued.user.organisationId))?.timeZone ?? FALLBACK_ZONE;
        await this.notifications.notify(tx, [id], {
          kind: 'password-reset',
          appealId: null,
          text:
            `Пароль сброшен администратором ${staff.user.fullName} ${formatInZone(now, zone)}: все ваши ` +
            'сеансы были завершены, новый пароль задан по одноразовому коду. Если вы не просили сброс, ' +
            'сообщите руководителю.',
        });
        const why =
          issued.delivery === 'email' ? {} : { reason: issued.user.email ? 'no-outbound-mail' : 'no-email' };
        await this.audit.record(
          staffAction(staff, 'reset-password', 'user', id, {
            enrolmentCode: issued.codeId,
            delivery: issued.delivery,
            expiresAt: issued.expiresAt.toISOString(),
            ...why,
          }),
          tx,
        );
        // The code was shown to this administrator: on record, by whom (the entry's user), never the code itself.
        if (issued.delivery === 'shown')
          await this.audit.record(
            staffAction(staff, 'enrolment-code-shown', 'user', id, { enrolmentCode: issued.codeId, ...why }),
            tx,
          );
      },
    );
    const until = formatInZone(issued.expiresAt, zone);
    if (issued.delivery === 'shown') {
      return {
        delivery: 'shown',
        expiresAt: issued.expiresAt.toISOString(),
        email: null,
        code: issued.code,
        message: issued.user.email
          ? `Исходящая почта не настроена, поэтому код не отправлен на рабочую почту. Передайте код сотруднику лично; он действует до ${until}, один раз. Показ кода вам записан в журнал.`
          : `У сотрудника нет рабочей почты. Передайте код лично; он действует до ${until}, один раз. Показ кода вам записан в журнал.`,
      };
    }
    const email = issued.user.email!;
    try {
      await mail!.connector.send(mail!.account, {
        id: issued.codeId,
        kind: 'status-notice',
        subject: 'Сброс пароля: вход по одноразовому коду',
        text: this.letter(issued, staff.user.fullName, formatInZone(now, zone), until),
        recipient: { email, name: issued.user.fullName },
      });
    } catch (error) {
      this.log.warn('enrolment letter not sent', { userId: id, codeId: issued.codeId });
      await this.users.enrolmentLetterFailed(issued.codeId);
      const reason = letterFailure(error);
      await this.audit.record(
        staffAction(staff, 'enrolment-letter-failed', 'user', id, { enrolmentCode: issued.codeId }),
      );
      return {
        delivery: 'email-failed',
        expiresAt: issued.expiresAt.toISOString(),
        email,
        code: null,
        message: `Пароль сброшен и сеансы сотрудника завершены, но письмо с кодом не отправлено: ${reason}. Выдайте код заново, когда почта заработает.`,
      };
    }
    return {
      delivery: 'email',
      expiresAt: issued.expiresAt.toISOString(),
      email,
      code: null,
      message: `Код для входа отправлен на рабочую почту ${email}; он действует до ${until}, один раз.`,
    };
  }

  private letter(issued: EnrolmentIssued, adminName: string, when: string, until: string): string {
    const { login, fullName } = issued.user;
    const link = `${this.config.publicBaseUrl}/app/enrol#login=${encodeURIComponent(login)}&code=${issued.code}`;
    return [
      `${fullName}, здравствуйте.`,
      '',
      `Пароль сброшен администратором ${adminName} ${when}. Пароль учётной записи «${login}» больше не действует, все ваши сеансы завершены.`,
      '',
      `Одноразовый код для входа: ${issued.code}`,
      `Он действует до ${until} и только один раз.`,
      '',
      `Чтобы задать свой пароль, откройте ссылку ${link}`,
      'или нажмите «Вход по коду» на странице входа в рабочее место и введите логин и код.',
      '',
      'Если вы не просили сбросить пароль, сообщите руководителю.',
    ].join('\n');
  }
}
