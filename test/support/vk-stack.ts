import { VkFake } from '../fakes/vk/vk-fake';
import { startTestStack, startWithFake, type StackWithFake } from './test-stack';

export interface VkStack extends StackWithFake<VkFake> {
  /** The api's VK Callback API endpoint (the fake signs what it posts there with its secret). */
  url: string;
}

/**
 * The api and the worker with a VK community on the local fake, in callback mode (`fake.env`); `env` over them —
 * `VK_CALLBACK_SECRET: ''` reads the community with the Bots Long Poll instead.
 */
export async function startVkStack(env: Record<string, string> = {}): Promise<VkStack> {
  const vk = await startWithFake(await new VkFake().start(), (fake) =>
    startTestStack({ worker: true, env: { ...fake.env, ...env } }),
  );
  return { ...vk, url: `${vk.stack.baseUrl}/api/v1/webhooks/vk` };
}
