import { HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type ChannelEntry, ChannelIntake, ChannelRegistry, type ConnectorKind } from '@inbox/channels';
import { DomainError, rootLogger } from '@inbox/common';
import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { RateLimited } from '../rate-limits/rate-limits';
import { PublicController } from '../public-controller';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUSH_KINDS: ConnectorKind[] = ['telegram', 'vk', 'ok'];
/** What each channel expects as the body of a successful webhook answer. */
const OK_BODY: Partial<Record<ConnectorKind, string>> = { vk: 'ok' };

/**
 * Webhooks of push channels. The connector verifies the secret before anything is read; a forged call is
 * refused and nothing is stored. Items are stored first and normalised by the worker (dialogue items after the
 * bot has seen them); events (button presses, ratings) are handled by the worker too, where the bot runs. So
 * the channel gets its 200 at once (OK retries after 5 s, VK after a while). Refusals are domain errors,
 * mapped to HTTP by the one filter.
 */
@PublicController('api/v1/webhooks', null)
export class WebhooksController {
  private readonly log = rootLogger.child('webhooks');

  constructor(
    private readonly registry: ChannelRegistry,
    private readonly intake: ChannelIntake,
  ) {}

  /** The kind's default account (the one environment variables configure). */
  @Post(':kind')
  @HttpCode(200)
  @RateLimited('webhook')
  async receive(
    @Param('kind') kind: string,
    @Req() req: Request & { rawBody?: Buffer },
    @Res() res: Response,
  ) {
    const entry = PUSH_KINDS.includes(kind as ConnectorKind)
      ? this.registry.get(kind as ConnectorKind)
      : undefined;
    await this.handle(kind, entry, req, res);
  }

  /** One account of a kind (a second community, another bot): its own confirmation and secret. */
  @Post(':kind/:accountId')
  @HttpCode(200)
  @RateLimited('webhook')
  async receiveForAccount(
    @Param('kind') kind: string,
    @Param('accountId') accountId: string,
    @Req() req: Request & { rawBody?: Buffer },
    @Res() res: Response,
  ) {
    const entry =
      PUSH_KINDS.includes(kind as ConnectorKind) && UUID.test(accountId)
        ? await this.registry.findAccount(accountId)
        : undefined;
    await this.handle(kind, entry?.kind === kind ? entry : undefined, req, res);
  }

  private async handle(
    kind: string,
    entry: ChannelEntry | undefined,
    req: Request & { rawBody?: Buffer },
    res: Response,
  ): Promise<void> {
    if (!entry?.connector.parseInbound) throw new DomainError('not-found', 'Канал не настроен');
    let parsed;
    try {
      parsed = await entry.connector.parseInbound(entry.account, {
        headers: req.headers,
        body: req.rawBody ?? req.body,
        query: req.query as Record<string, unknown>,
      });
    } catch (error) {
      throw this.refusal(kind, error);
    }
    if (parsed.kind === 'reply') {
      res
        .status(200)
        .type(parsed.contentType ?? 'text/plain')
        .send(parsed.body);
      return;
    }
    await this.intake.storeItems(entry, parsed.items);
    await this.intake.quarantine(entry, parsed.rejected);
    if (parsed.rejected?.length)
      this.log.warn('webhook input quarantined', {
        kind,
        accountId: entry.account.id,
        count: parsed.rejected.length,
      });
    await this.intake.deferEvents(entry, parsed.events);
    const body = OK_BODY[kind as ConnectorKind];
    if (body) res.status(200).type('text/plain').send(body);
    else res.status(200).json({ ok: true });
  }

  /** A forged or unreadable notification: refused with nothing stored; anything else is ours to fix. */
  private refusal(kind: string, error: unknown): unknown {
    if (error instanceof ConnectorError && error.code === ConnectorErrorCode.AuthFailed) {
      const status = error.details.status ?? 403;
      this.log.warn('webhook refused', { kind, status });
      return status === 401
        ? new DomainError('unauthenticated', 'Нет подписи')
        : new DomainError('forbidden', 'Неверная подпись');
    }
    if (error instanceof ConnectorError && error.code === ConnectorErrorCode.InvalidPayload) {
      return new DomainError('invalid-input', 'Некорректное уведомление');
    }
    return error;
  }
}
