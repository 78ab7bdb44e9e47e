import { Channel } from '@inbox/integrations/contract';

/**
 * Whether answers go to a public place everyone reads (a VK or OK wall, a comment under the official Telegram
 * channel's post: `replyAddress.public`): there the citizen gets the registration notice and the answer only — no
 * phone request, status notices or rating questions in front of everyone.
 */
export function isPublicPlace(
  channel: string,
  replyAddress: Record<string, unknown> | null | undefined,
): boolean {
  if (replyAddress?.public === true) return true;
  // Addresses stored before the mark: a VK wall post or comment, an OK group-wall topic or comment.
  if (channel === Channel.Ok) return replyAddress?.topicId !== undefined;
  return channel === Channel.Vk && replyAddress?.postId !== undefined;
}

/** VK numbers group chats from 2 000 000 000 (peer_id = 2e9 + chat_id); below are dialogues with one person. */
const VK_CHAT_PEER_BASE = 2_000_000_000;

/**
 * Whether an item came from the citizen's own private chat with the bot (or the official's account), the only place
 * a rating request goes and digits typed in answer to it count: not a public place (a wall, a comment under a
 * channel's post), not a chat others write in (a Telegram group, a VK chat), not an OK chat whose kind OK did not
 * tell (`features.chatKind` 'unverified'). There «2 3» is somebody's words, never a rating of an appeal.
 */
export function isPrivateDialogue(
  channel: string,
  replyAddress: Record<string, unknown> | null | undefined,
  features: Record<string, string> | null | undefined,
  author: string,
): boolean {
  if (isPublicPlace(channel, replyAddress) || features?.source === 'wall') return false;
  if (features?.chatKind === 'unverified') return false;
  if (channel === Channel.Telegram) {
    // A private chat's id is its user's (a business chat's too); a channel's direct messages keep a topic per person.
    return String(replyAddress?.chatId) === author || replyAddress?.directMessagesTopicId !== undefined;
  }
  if (channel === Channel.Vk) {
    const peer = Number(replyAddress?.peerId);
    return Number.isSafeInteger(peer) && peer > 0 && peer < VK_CHAT_PEER_BASE;
  }
  return true;
}
