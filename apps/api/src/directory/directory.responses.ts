import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of the reference data (OpenAPI → apps/web types). */
export class TopicDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) defaultOrganisationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) defaultOrganisationName!: string | null;
  @ApiProperty({ type: String, nullable: true }) rubricatorVersion!: string | null;
}

export class CalendarSummaryDto {
  @ApiProperty() year!: number;
  @ApiProperty() calendarDays!: number;
  @ApiProperty() workingDays!: number;
  @ApiProperty() nonWorkingDays!: number;
  @ApiProperty() shortDays!: number;
  @ApiProperty() workingHours40!: number;
}

export class CalendarListItemDto extends CalendarSummaryDto {
  @ApiProperty() version!: string;
  @ApiProperty({ enum: ['official', 'derived'] }) status!: string;
}

export class CalendarDayDto {
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty({ enum: ['working', 'short', 'weekend', 'holiday', 'moved-working'] }) kind!:
    | 'working'
    | 'short'
    | 'weekend'
    | 'holiday'
    | 'moved-working';
}

export class CalendarYearDto {
  @ApiProperty() year!: number;
  @ApiProperty() version!: string;
  @ApiProperty({ enum: ['official', 'derived'] }) status!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ type: CalendarSummaryDto }) summary!: CalendarSummaryDto;
  @ApiProperty({ type: [CalendarDayDto] }) days!: CalendarDayDto[];
}
