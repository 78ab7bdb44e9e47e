import { ApiProperty } from '@nestjs/swagger';
import { AppealStatus } from '@inbox/appeals';

/** Response shapes of the dashboard and the handled report (OpenAPI → apps/web types). */
export class DashboardTotalsDto {
  @ApiProperty() open!: number;
  @ApiProperty() fastTrackOpen!: number;
  @ApiProperty() overdueOpen!: number;
  @ApiProperty() unclassified!: number;
  @ApiProperty() received24h!: number;
  @ApiProperty() atRisk!: number;
  @ApiProperty() overdueMarked!: number;
}

export class FastTrackItemDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() registrationNumber!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty() excerpt!: string;
  @ApiProperty({ enum: AppealStatus, enumName: 'AppealStatus' }) status!: AppealStatus;
  @ApiProperty() channel!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ format: 'date-time' }) answerDueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) line2DueAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) escalationDueAt!: string | null;
}

export class ClocksByOrganisationDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty() atRisk!: number;
  @ApiProperty() overdue!: number;
}

export class ClocksByTopicDto {
  @ApiProperty({ description: 'Идентификатор темы или «none»' }) topicId!: string;
  @ApiProperty() topicName!: string;
  @ApiProperty() atRisk!: number;
  @ApiProperty() overdue!: number;
}

export class DashboardClocksDto {
  @ApiProperty({ type: [ClocksByOrganisationDto] }) byOrganisation!: ClocksByOrganisationDto[];
  @ApiProperty({ type: [ClocksByTopicDto] }) byTopic!: ClocksByTopicDto[];
}

export class VolumeDayDto {
  @ApiProperty({ format: 'date', description: 'Дата регистрации в часовом поясе обращения' }) date!: string;
  @ApiProperty() channel!: string;
  @ApiProperty() count!: number;
}

export class DashboardVolumeDto {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ type: [VolumeDayDto] }) days!: VolumeDayDto[];
}

export class RatingKindDto {
  @ApiProperty({ example: 'satisfied' }) kind!: string;
  @ApiProperty() count!: number;
  @ApiProperty() poor!: number;
}

export class PoorRatingGroupDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty() topicId!: string;
  @ApiProperty() topicName!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ type: [String], format: 'uuid' }) appealIds!: string[];
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
}

export class DashboardRatingsDto {
  @ApiProperty({ type: [RatingKindDto] }) byKind!: RatingKindDto[];
  @ApiProperty({ type: [PoorRatingGroupDto] }) poorByOrganisationTopic!: PoorRatingGroupDto[];
}

export class DashboardDto {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: DashboardTotalsDto }) totals!: DashboardTotalsDto;
  @ApiProperty({ type: [FastTrackItemDto] }) fastTrack!: FastTrackItemDto[];
  @ApiProperty({ type: DashboardClocksDto }) clocks!: DashboardClocksDto;
  @ApiProperty({ type: DashboardVolumeDto }) volume!: DashboardVolumeDto;
  @ApiProperty({ type: DashboardRatingsDto }) ratings!: DashboardRatingsDto;
}

export class HandledTotalsDto {
  @ApiProperty() received!: number;
  @ApiProperty() answered!: number;
  @ApiProperty() onTime!: number;
  @ApiProperty() late!: number;
  @ApiProperty() inProgress!: number;
  @ApiProperty() overdueOpen!: number;
  @ApiProperty() redirected!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Доля ответов в срок, %' }) onTimeShare!:
    | number
    | null;
}

export class HandledRowDto extends HandledTotalsDto {
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
}

export class HandledReportDto {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ enum: ['topic', 'line', 'organisation', 'channel'] }) groupBy!:
    | 'topic'
    | 'line'
    | 'organisation'
    | 'channel';
  @ApiProperty({ type: [HandledRowDto] }) rows!: HandledRowDto[];
  @ApiProperty({ type: HandledTotalsDto }) totals!: HandledTotalsDto;
}
