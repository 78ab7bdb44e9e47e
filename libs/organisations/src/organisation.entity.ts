import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type WorkingHours } from '@inbox/deadlines';

export type OrganisationKind = 'region' | 'management-centre' | 'department' | 'subordinate' | 'municipality';

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
