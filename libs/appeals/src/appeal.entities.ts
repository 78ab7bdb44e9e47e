import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { type Channel, type Regime } from '@inbox/integrations/contract';
import { type AppealStatus } from './appeal-status';

/** An applicant: personal data (152-ФЗ), kept apart from the appeal and never logged. */
@Entity('applicants')
export class ApplicantEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') channel!: Channel;
  @Column('text', { name: 'external_id', nullable: true }) externalId!: string | null;
  @Column('text', { nullable: true }) surname!: string | null;
  @Column('text', { name: 'first_name', nullable: true }) firstName!: string | null;
  @Column('text', { nullable: true }) patronymic!: string | null;
  @Column('text', { name: 'display_name', nullable: true }) displayName!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text', { name: 'postal_address', nullable: true }) postalAddress!: string | null;
  @Column('text', { nullable: true }) snils!: string | null;
}

@Entity('appeals')
export class AppealEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text', { name: 'registration_number' }) registrationNumber!: string;
  @Column('timestamptz', { name: 'registered_at' }) registeredAt!: Date;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('text') regime!: Regime;
  @Column('text') channel!: Channel;
  @Column('text', { name: 'external_id' }) externalId!: string;
  @Column('uuid', { name: 'inbound_item_id' }) inboundItemId!: string;
  @Column('uuid', { name: 'applicant_id' }) applicantId!: string;
  @Column('text', { nullable: true }) subject!: string | null;
  @Column('text') text!: string;
  @Column('text', { nullable: true }) address!: string | null;
  @Column('text', { name: 'territory_code', nullable: true }) territoryCode!: string | null;
  @Column('jsonb', { name: 'channel_category', nullable: true }) channelCategory!: Record<
    string,
    unknown
  > | null;
  @Column('uuid', { name: 'topic_id', nullable: true }) topicId!: string | null;
  @Column('uuid', { name: 'subtopic_id', nullable: true }) subtopicId!: string | null;
  @Column('text', { name: 'typical_need', nullable: true }) typicalNeed!: string | null;
  @Column('boolean', { name: 'fast_track' }) fastTrack!: boolean;
  @Column('text') status!: AppealStatus;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'assignee_id', nullable: true }) assigneeId!: string | null;
  @Column('text', { name: 'time_zone' }) timeZone!: string;
  @Column('timestamptz', { name: 'registration_due_at' }) registrationDueAt!: Date;
  @Column('timestamptz', { name: 'redirect_due_at' }) redirectDueAt!: Date;
  @Column('date', { name: 'answer_due_date' }) answerDueDate!: string;
  @Column('timestamptz', { name: 'answer_due_at' }) answerDueAt!: Date;
  @Column('boolean') extended!: boolean;
  @Column('jsonb', { name: 'deadline_warnings' }) deadlineWarnings!: unknown[];
  @Column('text', { name: 'calendar_version' }) calendarVersion!: string;
  @Column('text', { name: 'access_code_hash', select: false }) accessCodeHash!: string;
  @Column('jsonb', { name: 'reply_address', nullable: true, select: false }) replyAddress!: Record<
    string,
    unknown
  > | null;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('appeal_organisations')
export class AppealOrganisationEntity {
  @PrimaryColumn('uuid', { name: 'appeal_id' }) appealId!: string;
  @PrimaryColumn('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('text') role!: string;
  @Column('timestamptz', { name: 'assigned_at' }) assignedAt!: Date;
}

/** One line of an appeal's append-only history (the table refuses updates and deletes). */
@Entity('appeal_events')
export class AppealEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'appeal_id' }) appealId!: string;
  @Column('text') type!: string;
  @Column('text') actor!: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('jsonb') data!: Record<string, unknown>;
}

@Entity('attachments')
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'appeal_id' }) appealId!: string;
  @Column('uuid', { name: 'inbound_item_id', nullable: true }) inboundItemId!: string | null;
  @Column('text', { name: 'file_name' }) fileName!: string;
  @Column('text', { name: 'content_type' }) contentType!: string;
  @Column('integer') size!: number;
  @Column('text', { nullable: true }) sha256!: string | null;
  @Column('text') status!: 'stored' | 'rejected' | 'remote';
  @Column('text', { name: 'rejection_reason', nullable: true }) rejectionReason!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const APPEAL_ENTITIES = [
  ApplicantEntity,
  AppealEntity,
  AppealOrganisationEntity,
  AppealEventEntity,
  AttachmentEntity,
];
