import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { REPORT_GROUPS, type ReportGroupBy, Reports } from '@inbox/reports';
import { DashboardDto, HandledReportDto } from './reports.responses';
import { StaffController } from '../staff-controller';

class HandledQueryDto {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'С даты регистрации (включительно)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from: дата ГГГГ-ММ-ДД' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-01-31', description: 'По дату регистрации (включительно)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to: дата ГГГГ-ММ-ДД' })
  to?: string;

  @ApiPropertyOptional({ enum: REPORT_GROUPS, default: 'topic' })
  @IsOptional()
  @IsIn(REPORT_GROUPS, { message: 'groupBy: topic, line, organisation или channel' })
  groupBy?: ReportGroupBy;
}

/**
 * Supervisor dashboard and reports (libs/reports). Everything is scoped like the inbox: regional supervisors
 * and admins see the region, a clerk or a department supervisor their own organisation(s).
 */
@StaffController('api/v1/reports', 'reports')
@Roles(Role.Supervisor, Role.Admin, Role.Clerk, Role.Head)
export class ReportsController {
  constructor(private readonly reports: Reports) {}

  @Get('dashboard')
  @ApiOperation({
    summary:
      'Панель руководителя: ускоренные обращения и их сроки, риски и просрочки по органам и темам, поток по каналам, оценки',
  })
  @ApiOkResponse({ type: DashboardDto })
  dashboard(@Staff() staff: StaffContext) {
    return this.reports.dashboard(viewerOf(staff));
  }

  @Get('handled')
  @ApiOperation({
    summary:
      'Рассмотренные обращения за период по темам, линиям, органам или каналам: в срок и с нарушением срока (S0 п. 2.2.6)',
  })
  @ApiOkResponse({ type: HandledReportDto })
  handled(@Query() query: HandledQueryDto, @Staff() staff: StaffContext) {
    return this.reports.handled(query, viewerOf(staff));
  }
}

const viewerOf = (staff: StaffContext) => ({ organisationId: staff.user.organisationId, scope: staff.scope });
