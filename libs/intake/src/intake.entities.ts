import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type Channel, type InboundItem } from '@inbox/integrations/contract';

export type InboundItemStatus = 'pending' | 'processed' | 'failed' | 'quarantined';

/** An item exactly as it arrived, stored before anything else happens to it. */
@Entity('inbound_items')
export class InboundItemEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') channel!: Channel;
  @Column('text', { name: 'external_id' }) externalId!: string;
  @Column('uuid', { name: 'account_id', nullable: true }) accountId!: string | null;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('jsonb') payload!: StoredInboundItem;
  @Column('text') status!: InboundItemStatus;
  @Column('uuid', { name: 'appeal_id', nullable: true }) appealId!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('integer') attempts!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'processed_at', nullable: true }) processedAt!: Date | null;
}

/** The stored payload: inline attachment bytes are moved to attachment_contents and referenced by hash. */
export type StoredInboundItem = Omit<InboundItem, 'attachments'> & {
  attachments?: StoredAttachmentRef[];
};

export interface StoredAttachmentRef {
  fileName: string;
  contentType: string;
  size: number;
  sha256?: string;
  remoteRef?: string;
  /** The channel's stable identity of the file (InboundAttachment.uniqueKey). */
  uniqueKey?: string;
  /** Set when the attachment was refused at intake (too large, empty); kept so nothing vanishes silently. */
  rejectionReason?: string;
}

@Entity('channel_accounts')
export class ChannelAccountEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') channel!: Channel;
  @Column('text') name!: string;
  @Column('boolean') enabled!: boolean;
  @Column('jsonb') settings!: Record<string, unknown>;
  @Column('jsonb', { nullable: true }) cursor!: unknown;
  @Column('text', { name: 'sync_stage' }) syncStage!: string;
  @Column('timestamptz', { name: 'last_success_at', nullable: true }) lastSuccessAt!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('timestamptz', { name: 'last_error_at', nullable: true }) lastErrorAt!: Date | null;
  @Column('integer', { name: 'consecutive_failures' }) consecutiveFailures!: number;
  @Column('bigint', { name: 'items_received' }) itemsReceived!: string;
}

export const INTAKE_ENTITIES = [InboundItemEntity, ChannelAccountEntity];
