import {
  CONSENT_CHOICE_ID,
  ConnectorError,
  ConnectorErrorCode,
  type OutboundMessage,
} from '@inbox/integrations/contract';

/**
 * Inline-button data our bot puts on its keyboards. Telegram limits `callback_data` to 1–64 bytes, so
 * the format is short and the registration number is the only variable part.
 *
 * - `rate:<registrationNumber>:answered:yes|no` — S4 п. 27.3 «Получен ли ответ на вопрос?»
 * - `rate:<registrationNumber>:sat:satisfied|partially|not-satisfied` — «Удовлетворены ли ответом?»
 * - `consent:accept` — consent to the processing of personal data (152-ФЗ)
 */
export const CONSENT_ACCEPT = CONSENT_CHOICE_ID;
export const CALLBACK_DATA_MAX_BYTES = 64;

export type Satisfaction = 'satisfied' | 'partially' | 'not-satisfied';

export type CallbackMeaning =
  | { kind: 'rating'; registrationNumber: string; answered: boolean }
  | { kind: 'rating'; registrationNumber: string; satisfaction: Satisfaction }
  | { kind: 'consent' }
  | { kind: 'button'; value: string };

// Greedy `(.+)` so a registration number that itself holds a colon still parses.
const ANSWERED = /^rate:(.+):answered:(yes|no)$/u;
const SATISFACTION = /^rate:(.+):sat:(satisfied|partially|not-satisfied)$/u;

export function parseCallbackData(data: string): CallbackMeaning {
  const answered = ANSWERED.exec(data);
  if (answered) return { kind: 'rating', registrationNumber: answered[1], answered: answered[2] === 'yes' };
  const satisfaction = SATISFACTION.exec(data);
  if (satisfaction) {
    return {
      kind: 'rating',
      registrationNumber: satisfaction[1],
      satisfaction: satisfaction[2] as Satisfaction,
    };
  }
  if (data === CONSENT_ACCEPT) return { kind: 'consent' };
  return { kind: 'button', value: data };
}

export function answeredData(registrationNumber: string, answered: boolean): string {
  return `rate:${registrationNumber}:answered:${answered ? 'yes' : 'no'}`;
}

export function satisfactionData(registrationNumber: string, satisfaction: Satisfaction): string {
  return `rate:${registrationNumber}:sat:${satisfaction}`;
}

/**
 * The two rating questions of S4 п. 27.3 as inline-keyboard rows, for an OutboundMessage of kind
 * 'rating-request'. Throws InvalidPayload when the number is too long for Telegram's 64-byte limit.
 */
export function ratingChoices(registrationNumber: string): NonNullable<OutboundMessage['choices']> {
  const rows = [
    [
      { id: answeredData(registrationNumber, true), label: 'Да, ответ получен' },
      { id: answeredData(registrationNumber, false), label: 'Нет, ответа нет' },
    ],
    [
      { id: satisfactionData(registrationNumber, 'satisfied'), label: 'Удовлетворён' },
      { id: satisfactionData(registrationNumber, 'partially'), label: 'Частично' },
      { id: satisfactionData(registrationNumber, 'not-satisfied'), label: 'Не удовлетворён' },
    ],
  ];
  for (const choice of rows.flat()) assertCallbackData(choice.id);
  return rows;
}

/** One button: «Согласен на обработку персональных данных». */
export function consentChoices(): NonNullable<OutboundMessage['choices']> {
  return [[{ id: CONSENT_ACCEPT, label: 'Согласен на обработку персональных данных' }]];
}

export function assertCallbackData(data: string): void {
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'button data must be 1-64 bytes', {
      fields: { choices: `Данные кнопки занимают ${bytes} байт, Telegram допускает от 1 до 64` },
    });
  }
}
