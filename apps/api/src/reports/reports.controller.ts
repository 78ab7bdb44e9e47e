import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { OPEN_STATUSES } from '@inbox/appeals';
import { DashboardDto, HandledReportDto } from './reports.responses';

const OPEN = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** Russian names of the channels, for report rows grouped by channel. */
export const CHANNEL_NAME_RU: Record<string, string> = {
  website: 'Сайт (форма)',
  pos: 'Платформа обратной связи',
  email: 'Электронная почта',
  medo: 'МЭДО',
  vk: 'ВКонтакте',
  ok: 'Одноклассники',
  telegram: 'Telegram',
  operator: 'Оператор (звонок, приём, почта)',
  import: 'Импорт',
};

const GROUPS = ['topic', 'line', 'organisation', 'channel'] as const;
type GroupBy = (typeof GROUPS)[number];

class HandledQueryDto {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'С даты регистрации (включительно)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from: дата ГГГГ-ММ-ДД' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-01-31', description: 'По дату регистрации (включительно)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to: дата ГГГГ-ММ-ДД' })
  to?: string;

  @ApiPropertyOptional({ enum: GROUPS, default: 'topic' })
  @IsOptional()
  @IsIn(GROUPS, { message: 'groupBy: topic, line, organisation или channel' })
  groupBy?: GroupBy;
}

/** Dates are local dates in each appeal's own zone, as its deadlines are. */
const LOCAL_DAY = `(a.registered_at AT TIME ZONE a.time_zone)::date`;

const GROUP_SQL: Record<GroupBy, { key: string; label: string; join: string }> = {
  topic: {
    key: `COALESCE(a.topic_id::text, 'none')`,
    label: `COALESCE(t.name, 'Без темы')`,
    join: 'LEFT JOIN topics t ON t.id = a.topic_id',
  },
  line: {
    key: 'a.line::text',
    label: `CASE a.line WHEN 1 THEN '1-я линия (ЦУР)' ELSE '2-я линия (органы власти)' END`,
    join: '',
  },
  organisation: {
    key: 'a.organisation_id::text',
    label: 'o.short_name',
    join: 'JOIN organisations o ON o.id = a.organisation_id',
  },
  channel: { key: 'a.channel', label: 'a.channel', join: '' },
};

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Supervisor dashboard and reports. Everything is scoped like the inbox: regional supervisors and admins
 * see the region, a clerk or a department supervisor their own organisation(s).
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
@Roles(Role.Supervisor, Role.Admin, Role.Clerk)
export class ReportsController {
  constructor(private readonly dataSource: DataSource) {}

  /** Today's date in the staff member's organisation's zone: periods are counted in local dates. */
  private async localToday(staff: StaffContext): Promise<string> {
    const [row] = (await this.dataSource.query(
      `SELECT to_char((now() AT TIME ZONE o.time_zone)::date, 'YYYY-MM-DD') AS today FROM organisations o WHERE o.id = $1`,
      [staff.user.organisationId],
    )) as { today: string }[];
    return row?.today ?? isoDate(new Date());
  }

  @Get('dashboard')
  @ApiOperation({
    summary:
      'Панель руководителя: ускоренные обращения и их сроки, риски и просрочки по органам и темам, поток по каналам, оценки',
  })
  @ApiOkResponse({ type: DashboardDto })
  async dashboard(@Staff() staff: StaffContext) {
    const orgs = staff.scope.organisationIds;
    const scoped = `($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM appeal_organisations so
                      WHERE so.appeal_id = a.id AND so.organisation_id = ANY($1::uuid[])))`;
    const q = <T>(sql: string, params: unknown[] = []) =>
      this.dataSource.query(sql, [orgs, ...params]) as Promise<T[]>;

    const [totals] = await q<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE a.status IN (${OPEN}))::int AS open,
              count(*) FILTER (WHERE a.status IN (${OPEN}) AND a.fast_track)::int AS "fastTrackOpen",
              count(*) FILTER (WHERE a.status IN (${OPEN}) AND a.answer_due_at < now())::int AS "overdueOpen",
              count(*) FILTER (WHERE a.status IN (${OPEN}) AND a.topic_id IS NULL)::int AS "unclassified",
              count(*) FILTER (WHERE a.registered_at >= now() - interval '24 hours')::int AS "received24h"
         FROM appeals a WHERE ${scoped}`,
    );
    const fastTrack = await q(
      `SELECT a.id, a.registration_number AS "registrationNumber", a.subject, left(a.text, 160) AS excerpt,
              a.status, a.channel, o.short_name AS "organisationName", a.time_zone AS "timeZone",
              a.registered_at AS "registeredAt", a.answer_due_at AS "answerDueAt",
              (SELECT min(COALESCE(ao.extended_until, ao.due_at)) FROM appeal_organisations ao
                WHERE ao.appeal_id = a.id AND ao.line = 2 AND ao.state = 'active') AS "line2DueAt",
              CASE WHEN a.line = 1 AND a.status IN ('registered', 'in_work') THEN a.escalation_due_at END
                AS "escalationDueAt"
         FROM appeals a JOIN organisations o ON o.id = a.organisation_id
        WHERE a.fast_track AND a.status IN (${OPEN}) AND ${scoped}
        ORDER BY a.answer_due_at, a.id LIMIT 100`,
    );
    // One row per appeal and organisation: overdue when any of its clocks there is, else at risk.
    const marked = `
      SELECT m.appeal_id, m.organisation_id, bool_or(m.kind = 'overdue') AS overdue
        FROM clock_marks m JOIN appeals a ON a.id = m.appeal_id
       WHERE a.status IN (${OPEN}) AND ($1::uuid[] IS NULL OR m.organisation_id = ANY($1::uuid[]))
       GROUP BY m.appeal_id, m.organisation_id`;
    const clocksByOrganisation = await q(
      `WITH marked AS (${marked})
       SELECT x.organisation_id AS "organisationId", o.short_name AS "organisationName",
              count(*) FILTER (WHERE NOT x.overdue)::int AS "atRisk", count(*) FILTER (WHERE x.overdue)::int AS overdue
         FROM marked x JOIN organisations o ON o.id = x.organisation_id
        GROUP BY x.organisation_id, o.short_name ORDER BY overdue DESC, "atRisk" DESC, o.short_name`,
    );
    const clocksByTopic = await q<{ topicId: string; topicName: string; atRisk: number; overdue: number }>(
      `WITH marked AS (${marked}), per_appeal AS (
         SELECT appeal_id, bool_or(overdue) AS overdue FROM marked GROUP BY appeal_id
       )
       SELECT COALESCE(t.id::text, 'none') AS "topicId", COALESCE(t.name, 'Без темы') AS "topicName",
              count(*) FILTER (WHERE NOT x.overdue)::int AS "atRisk", count(*) FILTER (WHERE x.overdue)::int AS overdue
         FROM per_appeal x JOIN appeals a ON a.id = x.appeal_id LEFT JOIN topics t ON t.id = a.topic_id
        GROUP BY t.id, t.name ORDER BY overdue DESC, "atRisk" DESC, "topicName"`,
    );
    const now = new Date();
    const to = await this.localToday(staff);
    const from = isoDate(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000));
    const volume = await q<{ date: string; channel: string; count: number }>(
      `SELECT to_char(${LOCAL_DAY}, 'YYYY-MM-DD') AS date, a.channel, count(*)::int AS count
         FROM appeals a
        WHERE ${LOCAL_DAY} BETWEEN $2::date AND $3::date AND ${scoped}
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to],
    );
    const ratings = await q(
      `SELECT CASE WHEN r.answered IS FALSE THEN 'not-answered' ELSE COALESCE(r.satisfaction, 'score') END AS kind,
              count(*)::int AS count, count(*) FILTER (WHERE r.poor)::int AS poor
         FROM ratings r JOIN appeals a ON a.id = r.appeal_id
        WHERE r.received_at >= now() - interval '90 days' AND ${scoped}
        GROUP BY 1 ORDER BY 1`,
    );
    const poorRatings = await q(
      `SELECT p.organisation_id AS "organisationId", o.short_name AS "organisationName",
              COALESCE(t.id::text, 'none') AS "topicId", COALESCE(t.name, 'Без темы') AS "topicName",
              count(*)::int AS count, array_agg(DISTINCT p.appeal_id) AS "appealIds",
              max(p.created_at) AS "lastAt"
         FROM poor_rating_records p JOIN organisations o ON o.id = p.organisation_id
         LEFT JOIN topics t ON t.id = p.topic_id
        WHERE ($1::uuid[] IS NULL OR p.organisation_id = ANY($1::uuid[]))
        GROUP BY p.organisation_id, o.short_name, t.id, t.name
        ORDER BY count DESC, "lastAt" DESC LIMIT 100`,
    );
    return {
      generatedAt: now.toISOString(),
      totals: {
        ...totals,
        atRisk: sum(clocksByTopic, 'atRisk'),
        overdueMarked: sum(clocksByTopic, 'overdue'),
      },
      fastTrack,
      clocks: { byOrganisation: clocksByOrganisation, byTopic: clocksByTopic },
      volume: { from, to, days: volume },
      ratings: { byKind: ratings, poorByOrganisationTopic: poorRatings },
    };
  }

  @Get('handled')
  @ApiOperation({
    summary:
      'Рассмотренные обращения за период по темам, линиям, органам или каналам: в срок и с нарушением срока (S0 п. 2.2.6)',
  })
  @ApiOkResponse({ type: HandledReportDto })
  async handled(@Query() query: HandledQueryDto, @Staff() staff: StaffContext) {
    const groupBy = query.groupBy ?? 'topic';
    const to = query.to ?? (await this.localToday(staff));
    const from = query.from ?? isoDate(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000));
    const g = GROUP_SQL[groupBy];
    const rows = (await this.dataSource.query(
      `SELECT ${g.key} AS key, ${g.label} AS label,
              count(*)::int AS received,
              count(*) FILTER (WHERE a.answered_at IS NOT NULL)::int AS answered,
              count(*) FILTER (WHERE a.answered_at IS NOT NULL AND a.answered_at <= a.answer_due_at)::int AS "onTime",
              count(*) FILTER (WHERE a.answered_at > a.answer_due_at)::int AS late,
              count(*) FILTER (WHERE a.answered_at IS NULL AND a.status IN (${OPEN}))::int AS "inProgress",
              count(*) FILTER (WHERE a.answered_at IS NULL AND a.status IN (${OPEN})
                                 AND a.answer_due_at < now())::int AS "overdueOpen",
              count(*) FILTER (WHERE a.status = 'redirected')::int AS redirected
         FROM appeals a ${g.join}
        WHERE ${LOCAL_DAY} BETWEEN $2::date AND $3::date
          AND ($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM appeal_organisations so
                WHERE so.appeal_id = a.id AND so.organisation_id = ANY($1::uuid[])))
        GROUP BY 1, 2 ORDER BY received DESC, label`,
      [staff.scope.organisationIds, from, to],
    )) as HandledRow[];
    const withShare = rows.map((r) => ({
      ...r,
      label: groupBy === 'channel' ? (CHANNEL_NAME_RU[r.key] ?? r.key) : r.label,
      onTimeShare: r.answered ? Math.round((r.onTime / r.answered) * 1000) / 10 : null,
    }));
    const totals = {
      received: sum(rows, 'received'),
      answered: sum(rows, 'answered'),
      onTime: sum(rows, 'onTime'),
      late: sum(rows, 'late'),
      inProgress: sum(rows, 'inProgress'),
      overdueOpen: sum(rows, 'overdueOpen'),
      redirected: sum(rows, 'redirected'),
    };
    return {
      from,
      to,
      groupBy,
      rows: withShare,
      totals: {
        ...totals,
        onTimeShare: totals.answered ? Math.round((totals.onTime / totals.answered) * 1000) / 10 : null,
      },
    };
  }
}

interface HandledRow {
  key: string;
  label: string;
  received: number;
  answered: number;
  onTime: number;
  late: number;
  inProgress: number;
  overdueOpen: number;
  redirected: number;
}

function sum<T>(rows: T[], key: keyof T): number {
  return rows.reduce((n, r) => n + Number(r[key] ?? 0), 0);
}
