import { type InteractionEvent } from '@inbox/integrations/contract';

/*
 * What a citizen's plain text means to the bot, where the channel has no bot commands of its own (VK and OK
 * dialogues; Telegram's /commands arrive as events already). Only a whole message is a command, so an
 * appeal that merely mentions «статус» or «помощь» stays an appeal.
 */

export interface TextCommand {
  action: Extract<InteractionEvent['action'], 'start' | 'help' | 'list-appeals' | 'appeal-status' | 'faq'>;
  value?: string;
}

/**
 * What a chat adds around a word and means nothing to the bot: emoji (with their joiners and variation
 * selectors), the «)» of a typed smile, and closing punctuation. «Согласен 👍», «Да)», «1 1.» mean what
 * «Согласен», «Да», «1 1» do.
 */
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f|\u20e3/gu;

function undecorated(text: string): string {
  const bare = text.replace(EMOJI, ' ').trim();
  // A closing bracket that closes nothing is a smile.
  const smile = bare.includes('(') ? bare : bare.replace(/(?<=\S)\)+$/u, '');
  return smile.replace(/[\s.!?…]+$/u, '');
}

function normalise(text: string): string {
  return undecorated(text).toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');
}

const WORDS: Record<string, TextCommand['action']> = {
  '/start': 'start',
  start: 'start',
  начать: 'start',
  старт: 'start',
  '/help': 'help',
  помощь: 'help',
  справка: 'help',
  '/my': 'list-appeals',
  'мои обращения': 'list-appeals',
};

const STATUS = /^(?:\/status|статус)(?:\s+(?:обращения\s+)?(?:№\s*)?(\S+))?$/u;
/** Only with a slash: an appeal that begins «Вопрос…» must stay an appeal. */
const FAQ = /^\/(?:faq|вопрос)(?:\s+([\s\S]+))?$/u;

export function parseTextCommand(text: string): TextCommand | undefined {
  const t = normalise(text);
  const word = WORDS[t];
  if (word) return { action: word };
  const faq = FAQ.exec(t);
  if (faq) return faq[1] ? { action: 'faq', value: faq[1] } : { action: 'faq' };
  const status = STATUS.exec(t);
  if (status) return status[1] ? { action: 'appeal-status', value: status[1] } : { action: 'appeal-status' };
  return undefined;
}

const CONSENT = /^(?:да|(?:да,? )?(?:я )?(?:согласен|согласна|согласны|даю согласие))$/u;

/** A typed consent («Согласен»), for channels without buttons (typed again once given: said to be recorded). */
export function isConsentReply(text: string): boolean {
  return CONSENT.test(normalise(text).replace(/[,;:]+$/u, ''));
}

const SATISFACTION = { '1': 'satisfied', '2': 'partially', '3': 'not-satisfied' } as const;

/** The two digits of a typed rating: «1 1», «2-3», «1/2», «13». */
const RATING = /^([12])\s*[\s,;/-]?\s*([123])$/u;
/**
 * The two digits followed by the citizen's words: «2 3 яму так и не заделали», «1 1, спасибо». The digits apart
 * here («1 2 …», not «12 …»), so an appeal that begins «12 домов без света» stays an appeal.
 */
const RATING_WITH_COMMENT = /^([12])\s*[\s,;/-]\s*([123])(?:\s*[.,;:!)—–-]+\s*|\s+)(\S[\s\S]*)$/u;

export interface TypedRating {
  answered: boolean;
  satisfaction: 'satisfied' | 'partially' | 'not-satisfied';
  /** What the citizen wrote after the digits. */
  comment?: string;
}

/**
 * A rating typed as two digits (OK has no buttons): first «получен ли ответ» 1 yes / 2 no, then
 * «удовлетворены ли» 1 satisfied / 2 partially / 3 not satisfied. «1 1», «2-3», «1/2», «13» all parse, and so do
 * the digits followed by a comment («2 3 ничего не сделано»).
 */
export function parseRatingReply(text: string): TypedRating | undefined {
  const bare = undecorated(text);
  const match = RATING.exec(bare) ?? RATING_WITH_COMMENT.exec(bare.trim());
  if (!match) return undefined;
  const rating: TypedRating = {
    answered: match[1] === '1',
    satisfaction: SATISFACTION[match[2] as '1' | '2' | '3'],
  };
  const comment = match[3]?.trim();
  return comment ? { ...rating, comment } : rating;
}
