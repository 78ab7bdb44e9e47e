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
