import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { startTestStack, startWithFake, type StackWithFake, type TestStack } from './test-stack';

export type TelegramStack = StackWithFake<TelegramFake>;

/** The api and the worker with a Telegram bot that polls the local fake; `env` over them. */
export async function startTelegramStack(env: Record<string, string> = {}): Promise<TelegramStack> {
  return startWithFake(await TelegramFake.start(), (fake) =>
    startTestStack({ worker: true, env: { ...fake.pollingEnv(), ...env } }),
  );
}

/**
 * The file's Telegram stack, started before its tests and closed after them: `fake` and `stack` are read inside
 * the tests (they exist once beforeAll has run).
 */
export function telegramStackForFile(env: Record<string, string> = {}): {
  readonly fake: TelegramFake;
  readonly stack: TestStack;
} {
  let t: TelegramStack | undefined;
  beforeAll(async () => {
    t = await startTelegramStack(env);
  });
  afterAll(async () => {
    await t?.close();
  });
  const started = () => {
    if (!t) throw new Error('the Telegram stack is not started: read it inside a test');
    return t;
  };
  return {
    get fake() {
      return started().fake;
    },
    get stack() {
      return started().stack;
    },
  };
}
