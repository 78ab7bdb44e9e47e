import { BarChart } from '@mantine/charts';
import { Anchor, Button, Group, Paper, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { call } from '../api/client';
import { useOrganisations } from '../api/hooks';
import { useMe } from '../auth';
import { ExportButtons, PageTitle } from '../components/common';
import { ListTable, QueryStatus } from '../components/tables';
import { type ParamChanges, withChanges } from '../lib/search-params';
import { formatLocalDate, startOfDayIn } from '../lib/time';
import { inboxLink } from './DashboardPage';
import { DateField } from '../components/DateField';

/** The groupings, and what the first column of each is called (a noun, not the «По …» of the switch). */
const GROUPS = [
  { value: 'topic', label: 'По темам', column: 'Тема', file: 'po-temam' },
  { value: 'organisation', label: 'По органам', column: 'Орган', file: 'po-organam' },
  { value: 'channel', label: 'По каналам', column: 'Канал', file: 'po-kanalam' },
  { value: 'line', label: 'По линиям', column: 'Линия', file: 'po-liniyam' },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const RIGHT_COLUMNS = [
  'Поступило',
  'Дан ответ',
  'В срок',
  'С нарушением',
  'Доля в срок',
  'В работе',
  // Of those in progress, past the 59-ФЗ answer date: not the menu's «Просроченные сроки», which counts any term.
  'Просрочен ответ (59-ФЗ)',
  // Sent on to the body whose competence it is (59-ФЗ ст. 8 ч. 3): the export had it, the screen did not.
  'Перенаправлено',
].map((label) => ({ label, right: true }));

export function ReportsPage() {
  const me = useMe();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const orgs = useOrganisations();
  const zone = orgs.data?.find((o) => o.id === me.organisationId)?.timeZone ?? 'Asia/Novosibirsk';
  // The period shown and the grouping live in the address: back from a drilled-down list, or on reload, the
  // supervisor finds the report they chose (it fell back to the last 30 days by topic). Without a period in the
  // address it is the last 30 days in the organisation's zone, as the server counts it: the first answer fills
  // the date fields, so the browser's own zone never shifts the period.
  const [params, setParams] = useSearchParams();
  const groupParam = params.get('groupBy');
  const groupBy = GROUPS.some((g) => g.value === groupParam) ? groupParam! : 'topic';
  const applied = useMemo((): { from?: string; to?: string } => {
    const period = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
    return DAY.test(period.from) && DAY.test(period.to) && period.from <= period.to ? period : {};
  }, [params]);
  const [from, setFrom] = useState(applied.from ?? '');
  const [to, setTo] = useState(applied.to ?? '');
  const update = (changes: ParamChanges) => setParams(withChanges(params, changes), { replace: true });
  const report = useQuery({
    queryKey: ['handled', applied, groupBy],
    queryFn: () => call('handled', { query: { ...applied, groupBy } }),
  });
  const r = report.data;
  useEffect(() => {
    if (r && !from && !to) {
      setFrom(r.from);
      setTo(r.to);
    }
  }, [r, from, to]);
  const drill = (key: string) => {
    const after = startOfDayIn(r?.from ?? from, zone).toISOString();
    const before = new Date(startOfDayIn(r?.to ?? to, zone).getTime() + 86_400_000).toISOString();
    const by =
      groupBy === 'topic'
        ? { topicId: key }
        : groupBy === 'organisation'
          ? { organisationId: key }
          : groupBy === 'channel'
            ? { channel: key }
            : { line: key };
    return inboxLink({ registeredAfter: after, registeredBefore: before, ...by });
  };
  const share = (v: number | null) => (v === null ? '—' : `${v.toLocaleString('ru-RU')} %`);

  return (
    <Stack gap="sm">
      <PageTitle
        title="Отчёт о рассмотрении обращений"
        subtitle="Поступившие за период: дано ответов в срок и с нарушением срока (соглашение, п. 2.2.6)"
        right={
          r && (
            <ExportButtons
              table={() => ({
                // The file's name in the report's words, as the other exports' (it read «otchet-organisation-…»).
                name: `otchet-${GROUPS.find((g) => g.value === groupBy)?.file ?? 'po-temam'}-${r.from}-${r.to}`,
                header: [
                  GROUPS.find((g) => g.value === groupBy)?.column ?? 'Группа',
                  'Поступило',
                  'Дан ответ',
                  'В срок',
                  'С нарушением срока',
                  'Доля в срок, %',
                  'В работе',
                  'Из них просрочен ответ (59-ФЗ)',
                  'Перенаправлено',
                ],
                rows: [
                  ...r.rows.map((x) => [
                    x.label,
                    x.received,
                    x.answered,
                    x.onTime,
                    x.late,
                    x.onTimeShare,
                    x.inProgress,
                    x.overdueOpen,
                    x.redirected,
                  ]),
                  [
                    'Итого',
                    r.totals.received,
                    r.totals.answered,
                    r.totals.onTime,
                    r.totals.late,
                    r.totals.onTimeShare,
                    r.totals.inProgress,
                    r.totals.overdueOpen,
                    r.totals.redirected,
                  ],
                ],
              })}
            />
          )
        }
      />
      <Paper withBorder p="sm" radius="md">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <DateField label="С даты" value={from} onChange={setFrom} w={170} />
          <DateField label="По дату" value={to} onChange={setTo} w={170} />
          <Button onClick={() => update({ from, to })} disabled={!from || !to || from > to}>
            Показать
          </Button>
          {/* On a phone one under the other: in a row «По линиям» was off the screen's edge. */}
          <SegmentedControl
            value={groupBy}
            onChange={(v) => update({ groupBy: v === 'topic' ? null : v })}
            data={GROUPS}
            aria-label="Группировка"
            orientation={phone ? 'vertical' : 'horizontal'}
            fullWidth={phone}
          />
        </Group>
      </Paper>
      <QueryStatus query={report} label="Загрузка отчёта" />
      {r && (
        <>
          {/* Clipped: the chart's hidden tooltip, placed past its right edge, made a phone's page scroll sideways. */}
          <Paper withBorder p="md" radius="md" style={{ overflow: 'hidden' }}>
            <Text fw={600} mb="xs">
              Ответы в срок и с нарушением срока, {formatLocalDate(r.from)} — {formatLocalDate(r.to)}
            </Text>
            {/* Bars across, the groups' names level beside them: slanted under the bars, the first name ran
                past the chart's left edge and was cut. */}
            <BarChart
              h={70 + Math.min(r.rows.length, 12) * 28}
              data={r.rows
                .slice(0, 12)
                .map((x) => ({ ...x, label: x.label.length > 34 ? `${x.label.slice(0, 33)}…` : x.label }))}
              dataKey="label"
              type="stacked"
              orientation="vertical"
              withLegend
              // On a phone the legend takes two lines (its third item fell out of the box) and the names a third
              // of the width, not 230 of its 310 px.
              legendProps={{ verticalAlign: 'bottom', height: phone ? 52 : 30 }}
              yAxisProps={{
                width: phone ? 132 : 230,
                interval: 0,
                tick: phone ? PhoneTick : { fontSize: 11 },
              }}
              series={[
                { name: 'onTime', label: 'В срок', color: 'teal.6' },
                { name: 'late', label: 'С нарушением срока', color: 'red.6' },
                { name: 'inProgress', label: 'В работе', color: 'gray.4' },
              ]}
              aria-label="Ответы в срок и с нарушением срока по группам"
            />
          </Paper>
          <ListTable
            label="Отчёт о рассмотрении"
            columns={[GROUPS.find((g) => g.value === groupBy)?.column ?? '', ...RIGHT_COLUMNS]}
            minWidth={920}
            scrollOnPhone
            verticalSpacing={6}
            headBg="gray.0"
            empty={r.rows.length === 0 && 'За период обращений нет'}
            foot={
              <Table.Tr fw={700}>
                <Table.Td>Итого</Table.Td>
                <Table.Td ta="right">{r.totals.received}</Table.Td>
                <Table.Td ta="right">{r.totals.answered}</Table.Td>
                <Table.Td ta="right">{r.totals.onTime}</Table.Td>
                <Table.Td ta="right">{r.totals.late}</Table.Td>
                <Table.Td ta="right">{share(r.totals.onTimeShare)}</Table.Td>
                <Table.Td ta="right">{r.totals.inProgress}</Table.Td>
                <Table.Td ta="right">{r.totals.overdueOpen}</Table.Td>
                <Table.Td ta="right">{r.totals.redirected}</Table.Td>
              </Table.Tr>
            }
          >
            {r.rows.map((x) => (
              <Table.Tr key={x.key}>
                <Table.Td>
                  <Anchor component={Link} to={drill(x.key)} size="sm">
                    {x.label}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">{x.received}</Table.Td>
                <Table.Td ta="right">{x.answered}</Table.Td>
                <Table.Td ta="right">{x.onTime}</Table.Td>
                <Table.Td ta="right" c={x.late ? 'red.9' : undefined}>
                  {x.late}
                </Table.Td>
                <Table.Td ta="right">{share(x.onTimeShare)}</Table.Td>
                <Table.Td ta="right">{x.inProgress}</Table.Td>
                <Table.Td ta="right" c={x.overdueOpen ? 'red.9' : undefined}>
                  {x.overdueOpen}
                </Table.Td>
                <Table.Td ta="right">{x.redirected}</Table.Td>
              </Table.Tr>
            ))}
          </ListTable>
          {groupBy === 'organisation' && (
            <Text size="xs" c="dimmed" data-testid="report-note">
              Обращение, которое рассматривали несколько органов, учтено в строке каждого из них; «Итого»
              считает каждое обращение один раз.
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}

/**
 * A group's name beside its bar on a phone: one line, cut with «…» to the axis's 132 px (the table below names it
 * whole). Wrapped to the axis's width, «Жилищно-коммунальное» ran past the chart's left edge and the lines of
 * neighbouring names overlapped.
 */
function PhoneTick(props: { x?: number; y?: number; payload?: { value?: string } }) {
  const name = String(props.payload?.value ?? '');
  const short = name.length > PHONE_TICK_CHARS ? `${name.slice(0, PHONE_TICK_CHARS - 1).trimEnd()}…` : name;
  return (
    <text x={(props.x ?? 0) - 6} y={props.y} dy={4} textAnchor="end" fontSize={10} fill="currentColor">
      <title>{name}</title>
      {short}
    </text>
  );
}

const PHONE_TICK_CHARS = 16;
