import { createHash } from 'node:crypto';
import { ConnectorError, ConnectorErrorCode, type OutboundMessage } from '@inbox/integrations/contract';
import { isRecord } from '@inbox/integrations/contract';

type Choice = { id: string; label: string };

/** VK limits for inline keyboards and button payloads (dev.vk.com, "Клавиатуры для ботов"). */
const MAX_ROWS = 6;
const MAX_BUTTONS = 10;
const MAX_PER_ROW = 5;
export const MAX_LABEL = 40;
const MAX_PAYLOAD = 255;

/**
 * The rating buttons under an answer (S4 п. 27.3): "was the question answered?" and "are you satisfied?". Each
 * button id is the VK payload itself, so a press comes back as `{"rate":"<regNo>","answered":"yes"}` and the like.
 */
export function ratingChoices(registrationNumber: string): Choice[][] {
  const payload = (extra: Record<string, string>) => JSON.stringify({ rate: registrationNumber, ...extra });
  return [
    [
      { id: payload({ answered: 'yes' }), label: 'Ответ получен' },
      { id: payload({ answered: 'no' }), label: 'Ответа нет' },
    ],
    [{ id: payload({ sat: 'yes' }), label: 'Удовлетворён' }],
    [{ id: payload({ sat: 'partially' }), label: 'Частично удовлетворён' }],
    [{ id: payload({ sat: 'no' }), label: 'Не удовлетворён' }],
  ];
}

/** A choice id that is a JSON object goes out as the payload as is; any other id is wrapped as {"button": id}. */
export function payloadOf(choiceId: string): string {
  try {
    if (isRecord(JSON.parse(choiceId))) return choiceId;
  } catch {
    // not JSON: wrap it below
  }
  return JSON.stringify({ button: choiceId });
}

function colourOf(payload: string): 'positive' | 'negative' | 'secondary' {
  const parsed = JSON.parse(payload) as Record<string, unknown>;
  const value = parsed.answered ?? parsed.sat;
  return value === 'yes' ? 'positive' : value === 'no' ? 'negative' : 'secondary';
}

/**
 * Inline keyboard JSON for messages.send. Text buttons (not callback buttons): a press arrives as an ordinary
 * message_new carrying the payload, needs no messages.sendMessageEventAnswer, and works in every VK client.
 */
export function keyboardJson(choices: NonNullable<OutboundMessage['choices']>): string {
  const rows = choices.filter((row) => row.length > 0);
  const total = rows.reduce((n, row) => n + row.length, 0);
  if (rows.length > MAX_ROWS || total > MAX_BUTTONS || rows.some((row) => row.length > MAX_PER_ROW)) {
    throw new ConnectorError(
      ConnectorErrorCode.InvalidPayload,
      `VK inline keyboard allows ${MAX_ROWS} rows, ${MAX_PER_ROW} buttons a row, ${MAX_BUTTONS} in all`,
      { fields: { choices: 'Слишком много кнопок для клавиатуры ВКонтакте' } },
    );
  }
  const buttons = rows.map((row) =>
    row.map((choice) => {
      const payload = payloadOf(choice.id);
      if (payload.length > MAX_PAYLOAD) {
        throw new ConnectorError(
          ConnectorErrorCode.InvalidPayload,
          `VK button payload over ${MAX_PAYLOAD} characters`,
          {
            fields: { choices: 'Слишком длинное значение кнопки' },
          },
        );
      }
      const label =
        choice.label.length > MAX_LABEL ? `${choice.label.slice(0, MAX_LABEL - 1)}…` : choice.label;
      return { action: { type: 'text', label, payload }, color: colourOf(payload) };
    }),
  );
  return JSON.stringify({ inline: true, buttons });
}

/**
 * messages.send `random_id` from our outbound id: a signed 32-bit integer from SHA-256. VK refuses to send a second
 * message with the same random_id from the same community, which makes a retried send harmless.
 */
export function randomIdFor(outboundId: string, part = 0): number {
  const digest = createHash('sha256')
    .update(part === 0 ? outboundId : `${outboundId}#${part}`)
    .digest();
  const value = digest.readInt32BE(0);
  // 0 means "no dedupe" to VK: never send it.
  return value === 0 ? 1 : value;
}

export type PayloadMeaning =
  | {
      kind: 'rating';
      registrationNumber: string;
      answered?: boolean;
      satisfaction?: 'satisfied' | 'partially' | 'not-satisfied';
    }
  | { kind: 'start' }
  /** `ours`: our own wrapper `{"button": id}`; any other payload is a keyboard we did not send (an earlier bot's). */
  | { kind: 'button'; value: string; ours?: boolean };

const SATISFACTION = { yes: 'satisfied', partially: 'partially', no: 'not-satisfied' } as const;

/** What a button payload means: a rating, VK's own "Начать" button ({"command":"start"}), or a plain choice. */
export function interpretPayload(raw: unknown): PayloadMeaning | undefined {
  let payload: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    try {
      payload = JSON.parse(raw);
    } catch {
      return { kind: 'button', value: raw };
    }
  }
  if (!isRecord(payload)) {
    if (raw === undefined || raw === null) return undefined;
    // A JSON array (as text or already decoded), a number, true: its JSON, never String()'s «[object Object]».
    return { kind: 'button', value: typeof raw === 'string' ? raw : JSON.stringify(raw) };
  }
  if (typeof payload.rate === 'string' && payload.rate !== '') {
    const answered = payload.answered === 'yes' ? true : payload.answered === 'no' ? false : undefined;
    const satisfaction =
      typeof payload.sat === 'string' && payload.sat in SATISFACTION
        ? SATISFACTION[payload.sat as keyof typeof SATISFACTION]
        : undefined;
    if (answered !== undefined || satisfaction !== undefined) {
      return { kind: 'rating', registrationNumber: payload.rate, answered, satisfaction };
    }
  }
  if (payload.command === 'start') return { kind: 'start' };
  // Our own wrapper of a plain choice id is exactly {"button": id}; other payloads come back whole.
  if (typeof payload.button === 'string' && Object.keys(payload).length === 1)
    return { kind: 'button', value: payload.button, ours: true };
  return { kind: 'button', value: typeof raw === 'string' ? raw : JSON.stringify(payload) };
}
