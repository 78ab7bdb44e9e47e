import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppealEventRecord, AppealEventHooks } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { Channel, type OutboundMessage } from '@inbox/integrations/contract';
import { ratingChoices as telegramRatingChoices } from '@inbox/integrations/telegram';
import { ratingChoices as vkRatingChoices } from '@inbox/integrations/vk';
import { JobName, JobProducer } from '@inbox/queue';
import { AttachmentFetcher } from './attachment-fetcher.service';
import { BOT_CHANNELS } from './dialogue.service';
import { escalatedNoticeRu, ratingRequestRu, registeredNoticeRu, reopenedNoticeRu } from './texts';

type NoticeKind = Extract<
  OutboundMessage['kind'],
  'registration-notice' | 'status-notice' | 'rating-request'
>;

/** The history events a messenger citizen hears about (extension and redirection notices come from the workflow). */
const NOTICE_EVENTS = ['registered', 'escalated', 'reopened', 'delivered'];

/**
 * Notices to citizens of messenger appeals, driven by the appeals' history (the appeal-event outbox): the
 * registration number and term, escalation and reopening, and after the answer is delivered the two rating
 * questions of S4 п. 27.3 with buttons (Telegram, VK dialogues) or digits (OK). Each is an outbound message
 * unique per (history event, kind), so a replayed event sends nothing twice. VK wall threads are public: they
 * get the registration notice and the answer only.
 */
@Injectable()
export class CitizenNotices implements OnModuleInit {
  private readonly log = rootLogger.child('citizen-notices');

  constructor(
    private readonly dataSource: DataSource,
    private readonly hooks: AppealEventHooks,
    private readonly jobs: JobProducer,
    private readonly media: AttachmentFetcher,
  ) {}

  onModuleInit(): void {
    for (const channel of BOT_CHANNELS) {
      this.hooks.on('citizen-notices', channel, NOTICE_EVENTS, (event) => this.onEvent(event));
      this.hooks.on('messenger-media', channel, ['registered', 'follow-up-received'], (event) =>
        this.media.enqueueForAppeal(event.appealId),
      );
    }
  }

  async onEvent(event: AppealEventRecord): Promise<void> {
    const [appeal] = (await this.dataSource.query(`SELECT reply_address FROM appeals WHERE id = $1`, [
      event.appealId,
    ])) as { reply_address: Record<string, unknown> | null }[];
    const wall = event.channel === Channel.Vk && appeal?.reply_address?.postId !== undefined;
    const number = event.registrationNumber;
    const data = event.data ?? {};
    switch (event.type) {
      case 'registered':
        await this.queue(
          event,
          'registration-notice',
          registeredNoticeRu(number, String(data.answerDueDate)),
        );
        return;
      case 'escalated': {
        if (wall) return;
        const ids = Array.isArray(data.organisationIds) ? data.organisationIds : [];
        const names = await this.organisationNames(ids as string[]);
        await this.queue(event, 'status-notice', escalatedNoticeRu(number, names));
        return;
      }
      case 'reopened': {
        if (wall) return;
        const [name] = await this.organisationNames([String(data.toOrganisationId)]);
        const text = reopenedNoticeRu(number, name ?? 'вышестоящая организация', String(data.answerDueDate));
        await this.queue(event, 'status-notice', text);
        return;
      }
      case 'delivered': {
        if (data.kind !== 'answer' || wall) return;
        const choices =
          event.channel === Channel.Telegram
            ? telegramRatingChoices(number)
            : event.channel === Channel.Vk
              ? vkRatingChoices(number)
              : undefined;
        await this.queue(event, 'rating-request', ratingRequestRu(number, choices !== undefined), choices);
        return;
      }
    }
  }

  private async queue(
    event: AppealEventRecord,
    kind: NoticeKind,
    text: string,
    choices?: OutboundMessage['choices'],
  ): Promise<void> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text, subject, choices, source_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source_event_id, kind) WHERE source_event_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        event.appealId,
        event.channel,
        kind,
        text,
        `Обращение № ${event.registrationNumber}`,
        choices ? JSON.stringify(choices) : null,
        event.id,
      ],
    )) as { id: string }[];
    if (!row) return;
    await this.jobs
      .add(JobName.DeliverOutboundMessage, { outboundMessageId: row.id }, { jobId: row.id })
      .catch((error: unknown) =>
        this.log.warn('notice not enqueued; the sweep will send it', {
          outboundMessageId: row.id,
          reason: error,
        }),
      );
  }

  private async organisationNames(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT short_name FROM organisations WHERE id::text = ANY($1) ORDER BY short_name`,
      [ids],
    )) as { short_name: string }[];
    return rows.map((r) => r.short_name);
  }
}
