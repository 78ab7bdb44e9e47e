import { Get, Param, ParseIntPipe } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { notFoundError } from '@inbox/common';
import { addCalendarDays, ProductionCalendar } from '@inbox/deadlines';
import { OrganisationDirectory } from '@inbox/organisations';
import { CalendarListItemDto, CalendarYearDto, TopicDto } from './directory.responses';
import { StaffController } from '../staff-controller';

const NO_CALENDAR = () => notFoundError('Производственного календаря на этот год нет');

/** Reference data for the workspace: the rubricator and the production calendar. Read-only. */
@StaffController('api/v1', 'directory')
export class DirectoryController {
  private readonly calendar = ProductionCalendar.russian();

  constructor(private readonly directory: OrganisationDirectory) {}

  @Get('topics')
  @ApiOperation({ summary: 'Рубрикатор: темы и подтемы (parentId) с органом по умолчанию' })
  @ApiOkResponse({ type: [TopicDto] })
  topics() {
    return this.directory.topicDirectory();
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
  calendarYear(@Param('year', new ParseIntPipe({ exceptionFactory: NO_CALENDAR })) year: number) {
    const data = this.calendar.yearData(year);
    if (!data) throw NO_CALENDAR();
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
