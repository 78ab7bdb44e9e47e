import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { InboundStore } from '@inbox/intake';
import { ConsentsRepository } from './consents.repository';
import { CONSENT_NOTICE_VERSION } from './texts';

/**
 * A messenger user's consent to personal-data processing (152-ФЗ) and the items held until it is given.
 * Consent and admission of the same author take one advisory lock, so an item is never left held next to a
 * consent that was recorded while it was being admitted; a sweep releases anything a crash left behind.
 */
@Injectable()
export class Consents {
  private readonly log = rootLogger.child('consents');

  constructor(
    private readonly repository: ConsentsRepository,
    private readonly store: InboundStore,
  ) {}

  has(channel: string, author: string): Promise<boolean> {
    return this.repository.has(channel, author);
  }

  /**
   * Records consent (with the notice version it answers and the `source` that gave it: an event, a message) and
   * sends the author's held items to registration. `fresh` when the consent is this source's, a retry included.
   */
  async accept(
    channel: string,
    author: string,
    source: string,
  ): Promise<{ fresh: boolean; released: number }> {
    const { fresh, released, releasedBefore } = await this.repository.accept(
      channel,
      author,
      CONSENT_NOTICE_VERSION,
      source,
    );
    await this.store.enqueue(released);
    if (fresh) this.log.info('consent recorded', { channel, released: released.length });
    return { fresh, released: released.length + releasedBefore };
  }

  /**
   * A gated item of an author: to registration when they have consented, else held until they do. Undefined
   * when the item is no longer gated (another admission got there first).
   */
  async admit(itemId: string, channel: string, author: string): Promise<'released' | 'held' | undefined> {
    const status = await this.repository.admit(itemId, channel, author);
    if (!status) return undefined;
    if (status === 'pending') {
      await this.store.enqueue([itemId]);
      return 'released';
    }
    return 'held';
  }

  /** Held items whose author has consented meanwhile: released (normally the consent itself does it). */
  async releaseConsented(): Promise<number> {
    const ids = await this.repository.releaseConsented();
    await this.store.enqueue(ids, { again: true });
    return ids.length;
  }
}
