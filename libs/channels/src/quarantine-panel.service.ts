import { Injectable } from '@nestjs/common';
import { ChannelAccountsRepository, type QuarantineEntry } from './channel-accounts.repository';

/**
 * What came in through a channel and is not an appeal because it could not be read or registered: kept whole
 * with the reason, so that staff can see it and register it by hand (nothing a channel sent is lost unseen).
 */
@Injectable()
export class QuarantinePanel {
  constructor(private readonly accounts: ChannelAccountsRepository) {}

  list(filter: { channel?: string; limit?: number } = {}): Promise<QuarantineEntry[]> {
    const limit = Math.min(500, Math.max(1, Math.floor(filter.limit ?? 100)));
    return this.accounts.quarantined({ channel: filter.channel, limit });
  }
}
