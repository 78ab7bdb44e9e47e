import { randomUUID } from 'node:crypto';
import { parsePhoneRu } from './phone-ru';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryReceipt,
  type InboundAttachment,
  type InboundItem,
  type InboundRequest,
  type ParseResult,
  safeFileName,
} from '@inbox/integrations/contract';

/** File types a citizen may attach to the form: documents and pictures, nothing executable. */
const ALLOWED_TYPES: Record<string, string[]> = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'application/pdf': ['pdf'],
  'application/msword': ['doc'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'text/plain': ['txt'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/rtf': ['rtf'],
};
const ALLOWED_EXTENSIONS = new Set(Object.values(ALLOWED_TYPES).flat());

export interface WebsiteFormLimits {
  maxFileBytes: number;
  maxFiles: number;
}

const TEXT_MIN = 10;
const TEXT_MAX = 10_000;
// Any letter, not only Russian and Latin: citizens of Tatarstan, Bashkortostan, Yakutia or Buryatia write their
// names with Ә, Ө, Ү, Һ, Ң, Ҕ…; also combining marks, the typographic apostrophe (Д’Артаньян) and a dash.
const NAME_PATTERN = /^\p{L}[\p{L}\p{M}'’ʼ .\u2010-]*$/u;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const EMAIL_MAX = 254;
const IDEMPOTENCY_KEY = /^[\w-]{8,100}$/;

/**
 * The public appeal form on our own site. A written appeal in electronic form is a 59-ФЗ appeal
 * (ст. 7: surname, first name, a postal or e-mail address for the answer, the substance of the appeal).
 * Every problem is reported per field, in Russian; nothing is stored unless the whole form is valid.
 */
export class WebsiteFormConnector implements Connector {
  readonly channel = Channel.Website;
  readonly mode = 'push' as const;

  constructor(private readonly limits: WebsiteFormLimits) {}

  async check(): Promise<void> {}

  async parseInbound(_account: ChannelAccountRef, request: InboundRequest): Promise<ParseResult> {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
      string,
      unknown
    >;
    const errors: Record<string, string> = {};
    const field = (name: string, max: number): string | undefined => {
      const raw = body[name];
      if (raw === undefined || raw === null) return undefined;
      if (typeof raw !== 'string') {
        errors[name] = 'Поле заполнено некорректно';
        return undefined;
      }
      // CRLF as an HTML form posts a textarea's lines: one line break each, not two characters of the limit.
      const value = raw.normalize('NFC').replace(/\r\n?/g, '\n').trim();
      if (value.length > max) errors[name] = `Не более ${max} символов`;
      return value === '' ? undefined : value;
    };

    const surname = field('surname', 100);
    const firstName = field('firstName', 100);
    const patronymic = field('patronymic', 100);
    const email = field('email', EMAIL_MAX);
    const phoneRaw = field('phone', 30);
    const postalAddress = field('postalAddress', 500);
    const address = field('address', 500);
    const subject = field('subject', 500);
    const text = field('text', TEXT_MAX + 1000);

    if (!surname) errors.surname ??= 'Укажите фамилию';
    else if (!NAME_PATTERN.test(surname))
      errors.surname = 'Фамилия может содержать только буквы, пробел и дефис';
    if (!firstName) errors.firstName ??= 'Укажите имя';
    else if (!NAME_PATTERN.test(firstName))
      errors.firstName = 'Имя может содержать только буквы, пробел и дефис';
    if (patronymic && !NAME_PATTERN.test(patronymic)) {
      errors.patronymic = 'Отчество может содержать только буквы, пробел и дефис';
    }
    // Only an address of a possible length meets the pattern: it backtracks quadratically over dots (60 000 of
    // them held the event loop for 11 s, and the JSON body takes a megabyte); a longer one is already refused.
    if (email && email.length <= EMAIL_MAX && !EMAIL_PATTERN.test(email))
      errors.email = 'Укажите адрес электронной почты в формате name@example.ru';
    const parsedPhone = phoneRaw ? parsePhoneRu(phoneRaw) : undefined;
    const phone = parsedPhone && 'phone' in parsedPhone ? parsedPhone.phone : undefined;
    if (parsedPhone && 'error' in parsedPhone) errors.phone ??= parsedPhone.error;
    if (!email && !phoneRaw && !errors.email && !errors.phone) {
      errors.email = 'Укажите электронную почту или телефон, чтобы получить ответ';
    }
    if (!text) errors.text ??= 'Напишите текст обращения';
    else if (text.length < TEXT_MIN || text.length > TEXT_MAX) {
      errors.text = `Текст обращения должен содержать от ${TEXT_MIN} до ${TEXT_MAX} символов`;
    }
    if (!isConsent(body.consent)) {
      errors.consent = 'Необходимо согласие на обработку персональных данных (152-ФЗ)';
    }

    const files = request.files ?? [];
    const attachments: InboundAttachment[] = [];
    if (files.length > this.limits.maxFiles) {
      errors.attachments = `Можно приложить не более ${this.limits.maxFiles} файлов`;
    }
    for (const file of files) {
      const fileName = safeFileName(file.fileName) || 'file';
      const ext = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
      if (file.buffer.length > this.limits.maxFileBytes) {
        throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'attachment too large', {
          status: 413,
          fields: {
            attachments: `Файл «${fileName}» больше ${Math.round(this.limits.maxFileBytes / 1048576)} МБ`,
          },
        });
      }
      if (file.buffer.length === 0) errors.attachments ??= `Файл «${fileName}» пуст`;
      else if (!ALLOWED_EXTENSIONS.has(ext)) {
        errors.attachments ??= `Файл «${fileName}»: допускаются только ${[...ALLOWED_EXTENSIONS].join(', ')}`;
      }
      const contentType = Object.entries(ALLOWED_TYPES).find(([, exts]) => exts.includes(ext))?.[0];
      attachments.push({
        fileName,
        contentType: contentType ?? 'application/octet-stream',
        contentBase64: file.buffer.toString('base64'),
        size: file.buffer.length,
      });
    }

    if (Object.keys(errors).length > 0) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'form has invalid fields', {
        fields: errors,
      });
    }

    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' && IDEMPOTENCY_KEY.test(header) ? header : randomUUID();
    const item: InboundItem = {
      channel: Channel.Website,
      externalId: `form:${key}`,
      receivedAt: new Date().toISOString(),
      regime: 'appeal',
      author: { surname, firstName, patronymic, email, phone, postalAddress },
      ...(subject ? { subject } : {}),
      text: text!,
      address,
      attachments,
      replyAddress: email ? { email } : phone ? { phone } : undefined,
    };
    return { kind: 'items', items: [item] };
  }

  /** Answers to form appeals go out by e-mail; that path belongs to the e-mail connector. */
  async send(): Promise<DeliveryReceipt> {
    throw new ConnectorError(ConnectorErrorCode.NotFound, 'the website form has no outbound path of its own');
  }
}

function isConsent(value: unknown): boolean {
  return value === true || value === 'true' || value === 'on' || value === '1';
}
