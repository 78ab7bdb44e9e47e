import { Controller, Get, NotFoundException, Param, ParseIntPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { addCalendarDays, ProductionCalendar } from '@inbox/deadlines';
import { CalendarListItemDto, CalendarYearDto, TopicDto } from './directory.responses';

/** Reference data for the workspace: the rubricator and the production calendar. Read-only. */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('api/v1')
export class DirectoryController {
  private readonly calendar = ProductionCalendar.russian();

  constructor(private readonly dataSource: DataSource) {}

  @Get('topics')
  @ApiOperation({ summary: 'Рубрикатор: темы и подтемы (parentId) с органом по умолчанию' })
  @ApiOkResponse({ type: [TopicDto] })
  topics() {
    return this.dataSource.query(
      `SELECT t.id, t.code, t.name, t.parent_id AS "parentId", t.default_organisation_id AS "defaultOrganisationId",
              o.short_name AS "defaultOrganisationName", t.rubricator_version AS "rubricatorVersion"
         FROM topics t LEFT JOIN organisations o ON o.id = t.default_organisation_id
        ORDER BY t.parent_id NULLS FIRST, t.name`,
    );
  }

  @Get('calendars')
  @ApiOperation({ summary: 'Годы, на которые есть производственный календарь' })
  @ApiOkResponse({ type: [CalendarListItemDto] })
  calendars() {
    return this.calendar.coveredYears.map((year) => {
      const data = this.calendar.yearData(year)!;
      return { ...this.calendar.summary(year), version: data.version, status: data.status };
    });
  }

  @Get('calendars/:year')
  @ApiOperation({ summary: 'Производственный календарь года: вид каждого дня, источник и итоги' })
  @ApiOkResponse({ type: CalendarYearDto })
  calendarYear(@Param('year', new ParseIntPipe({ errorHttpStatusCode: 404 })) year: number) {
    const data = this.calendar.yearData(year);
    if (!data) {
      throw new NotFoundException({
        statusCode: 404,
        message: 'Производственного календаря на этот год нет',
      });
    }
    const first = `${year}-01-01`;
    const days: { date: string; kind: string }[] = [];
    for (let date = first; date.startsWith(String(year)); date = addCalendarDays(date, 1)) {
      days.push({ date, kind: this.calendar.dayKind(date) });
    }
    return {
      year,
      version: data.version,
      status: data.status,
      source: data.source,
      summary: this.calendar.summary(year),
      days,
    };
  }
}
