import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type WorkingHours } from '@inbox/deadlines';

/** Requisites as a channel that knows them sent them (ПОС's organizationInfo), with where and when from. */
export interface OrganisationRequisites {
  inn?: string;
  kpp?: string;
  ogrn?: string;
  oktmo?: string;
  address?: string;
  source?: string;
  updatedAt?: string;
}

export type OrganisationKind = 'region' | 'management-centre' | 'department' | 'subordinate' | 'municipality';

/**
 * How the line-2 answers to an appeal this organisation is responsible for reach the citizen: each as it comes,
 * or one combined answer once every part is answered or closed.
 */
export const ANSWER_DELIVERIES = ['each', 'combined'] as const;
export type AnswerDelivery = (typeof ANSWER_DELIVERIES)[number];

@Entity('organisations')
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') code!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'short_name' }) shortName!: string;
  @Column('text') kind!: OrganisationKind;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId!: string | null;
  @Column('text', { name: 'time_zone' }) timeZone!: string;
  @Column('jsonb', { name: 'working_hours' }) workingHours!: WorkingHours;
  @Column('jsonb') contacts!: { phone?: string; email?: string; address?: string; website?: string };
  @Column('text', { name: 'territory_codes', array: true }) territoryCodes!: string[];
  @Column('text', { name: 'answer_delivery', default: 'each' }) answerDelivery!: AnswerDelivery;
  @Column('jsonb') requisites!: OrganisationRequisites;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('topics')
export class TopicEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') code!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId!: string | null;
  @Column('uuid', { name: 'default_organisation_id', nullable: true }) defaultOrganisationId!: string | null;
  @Column('integer', { name: 'rubricator_version' }) rubricatorVersion!: number;
}
