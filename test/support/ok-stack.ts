import { OkFake, type SentOkMessage } from '../fakes/ok/ok-fake';
import { startTestStack, startWithFake, type StackWithFake } from './test-stack';

export interface OkStack extends StackWithFake<OkFake> {
  /** The api's OK webhook, with the secret. */
  url: string;
  /** A message from `userId` (Мария Кузнецова) in `chatId`, as OK posts it to the webhook. */
  message(chatId: string, userId: string, text: string): Record<string, unknown>;
  /** That message posted to the webhook, which must take it (200). */
  say(chatId: string, userId: string, text: string): Promise<Record<string, unknown>>;
}

/** The text of a message the bot sent to the OK fake. */
export const okText = (m: SentOkMessage): string => String((m.body.message as { text?: string }).text ?? '');

/** The api and the worker with an OK group on the local fake; `env` over them (given the fake, if a function). */
export async function startOkStack(
  env: Record<string, string> | ((fake: OkFake) => Record<string, string>) = {},
): Promise<OkStack> {
  const ok = await startWithFake(await new OkFake().start(), (fake) =>
    startTestStack({
      worker: true,
      env: {
        OK_ACCESS_TOKEN: fake.token,
        OK_WEBHOOK_SECRET: fake.webhookSecret,
        OK_API_BASE_URL: fake.apiBaseUrl,
        ...(typeof env === 'function' ? env(fake) : env),
      },
    }),
  );
  const { fake, stack } = ok;
  const url = `${stack.baseUrl}/api/v1/webhooks/ok?secret=${encodeURIComponent(fake.webhookSecret)}`;
  const message = (chatId: string, userId: string, text: string) =>
    fake.webhookMessage((body) => {
      body.sender.user_id = userId;
      body.sender.name = 'Мария Кузнецова';
      body.recipient.chat_id = chatId;
      body.message.text = text;
    });
  return {
    ...ok,
    url,
    message,
    async say(chatId, userId, text) {
      const body = message(chatId, userId, text);
      const res = await fake.postWebhook(url, body);
      if (res.status !== 200) throw new Error(`the webhook answered ${res.status}`);
      return body;
    },
  };
}
