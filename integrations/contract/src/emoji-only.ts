/**
 * Emoji and the parts of emoji sequences: pictographs (👍, ❤, 🕳), emoji-presentation characters, flags'
 * regional indicators, skin tones, variation selectors, the zero-width joiner, the keycap mark and tag characters.
 * Digits, '#' and '*' (emoji components too) are not here: «5 👍» and «5️⃣» keep their digit.
 */
const EMOJI_PART =
  /\p{Extended_Pictographic}|\p{Emoji_Presentation}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\p{Variation_Selector}|\u200d|\u20e3|[\u{e0020}-\u{e007f}]/gu;
const PICTOGRAPH = /\p{Extended_Pictographic}|\p{Emoji_Presentation}|\p{Regional_Indicator}/u;
/** What may stand beside the emoji of a reaction: spaces and punctuation («👍👍!», «🙏 …»). */
const REACTION_REST = /^[\s\p{P}]*$/u;

/**
 * Whether a text is only emoji (with spaces or punctuation between): «👍», «🙏🙏», «❤️», «👍🏽», «🇷🇺». Such a
 * message is a reaction, like a sticker, not something a clerk can act on. A word or a digit beside the emoji
 * («Яма 🕳 во дворе», «Согласен 👍», «5 👍») makes it a message.
 */
export function isEmojiOnly(text: string | undefined): boolean {
  if (!text || !PICTOGRAPH.test(text)) return false;
  return REACTION_REST.test(text.replace(EMOJI_PART, ''));
}
