import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { startTestStack, type TestStack } from './test-stack';

export interface TelegramStack {
  fake: TelegramFake;
  stack: TestStack;
  close(): Promise<void>;
}

/** The api and the worker with a Telegram bot that polls the local fake; `env` over them. */
export async function startTelegramStack(env: Record<string, string> = {}): Promise<TelegramStack> {
  const fake = await TelegramFake.start();
  try {
    const stack = await startTestStack({ worker: true, env: { ...fake.pollingEnv(), ...env } });
    return {
      fake,
      stack,
      async close() {
        await stack.close();
        await fake.stop();
      },
    };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}
