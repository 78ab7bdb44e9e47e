import { Injectable } from '@nestjs/common';
import { ChannelAccountsRepository, type QuarantineEntry } from './channel-accounts.repository';

/**
 * What came in through a channel and is not an appeal because it could not be read or registered: kept whole
 * with the reason, so that staff can see it and register it by hand (nothing a channel sent is lost unseen).
 */
@Injectable()
export class QuarantinePanel {
  constructor(private readonly accounts: ChannelAccountsRepository) {}

  async list(
    filter: { channel?: string; limit?: number } = {},
  ): Promise<(QuarantineEntry & { summary: string })[]> {
    const limit = Math.min(500, Math.max(1, Math.floor(filter.limit ?? 100)));
    const entries = await this.accounts.quarantined({ channel: filter.channel, limit });
    return entries.map((e) => ({ ...e, summary: summaryRu(e) }));
  }

  /** One entry with what the channel sent, whole (it may carry personal data: the caller audits the read). */
  async entry(
    source: QuarantineEntry['source'],
    id: string,
  ): Promise<(QuarantineEntry & { summary: string; raw: unknown }) | undefined> {
    const entry = await this.accounts.quarantinedInput(source, id);
    return entry && { ...entry, summary: summaryRu(entry) };
  }
}

/** What a clerk reads first; the connector's own reason (technical, often English) stays beside it. */
function summaryRu(entry: QuarantineEntry): string {
  if (entry.source === 'item')
    return 'Сообщение прочитано, но не зарегистрировано: нужна регистрация вручную';
  if (/[А-Яа-яЁё]/.test(entry.reason)) return entry.reason;
  return 'Канал прислал сообщение, которое не удалось прочитать: содержимое сохранено целиком';
}
