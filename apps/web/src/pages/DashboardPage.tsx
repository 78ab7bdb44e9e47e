import { AreaChart, BarChart, DonutChart } from '@mantine/charts';
import {
  Anchor,
  Badge,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { allAppeals } from '../api/all-appeals';
import { call } from '../api/client';
import { useOrganisations } from '../api/hooks';
import { type Dashboard } from '../api/types';
import { useMe } from '../auth';
import { Countdown, ExportButtons, PageTitle } from '../components/common';
import { type Table as ExportTable } from '../lib/download';
import { CHANNEL_COLOR, OPEN_STATUSES, channelLabel, satisfactionLabel, statusLabel } from '../lib/labels';
import { formatDateTime, formatInZone, formatLocalDate, startOfDayIn } from '../lib/time';
import { Pending } from '../components/tables';
import { KnowledgeDashboardPanel } from './knowledge/KnowledgeDashboardPanel';

const open = OPEN_STATUSES.join(',');

export function inboxLink(filter: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  return `/inbox?${params.toString()}`;
}

function clockLink(kind: 'overdue' | 'at-risk', by: { organisationId?: string; topicId?: string }): string {
  return inboxLink({ clock: kind, status: open, sort: 'due', ...by });
}

/** The clocks broken down by responsible organisation and by topic: the panel's words and its drill-down. */
const CLOCKS_BY = {
  organisation: {
    title: 'Риски и просрочки по организациям',
    testId: 'overdue-by-organisation',
    exportName: 'riski-po-organizaciyam',
    keyHeader: 'Организация',
    link: (key: string, kind: 'overdue' | 'at-risk') => clockLink(kind, { organisationId: key }),
  },
  topic: {
    title: 'Риски и просрочки по темам',
    testId: 'overdue-by-topic',
    exportName: 'riski-po-temam',
    keyHeader: 'Тема',
    link: (key: string, kind: 'overdue' | 'at-risk') => clockLink(kind, { topicId: key }),
  },
};

export function DashboardPage() {
  const me = useMe();
  const navigate = useNavigate();
  const orgs = useOrganisations();
  const zone = orgs.data?.find((o) => o.id === me.organisationId)?.timeZone ?? 'Asia/Novosibirsk';
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => call('dashboard'),
    refetchInterval: 60_000,
  });
  if (!dashboard.data) return <Pending query={dashboard} label="Загрузка панели" />;
  const d = dashboard.data;
  const since24h = new Date(Date.parse(d.generatedAt) - 24 * 3_600_000).toISOString();

  return (
    <Stack gap="sm">
      <PageTitle
        title="Панель руководителя"
        subtitle={`${me.organisationIds === null ? 'Вся область' : me.organisationName} · данные на ${formatInZone(d.generatedAt, zone)}`}
      />
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
        <Stat label="В работе" value={d.totals.open} to={inboxLink({ status: open })} />
        <Stat label="Ускоренные" value={d.totals.fastTrackOpen} to="/inbox?queue=fast-track" color="red" />
        {/* Appeals, each in one of the two: at risk while none of its terms is broken, overdue once one is. */}
        <Stat
          label="Срок под угрозой"
          value={d.totals.atRisk}
          to="/inbox?queue=at-risk"
          color="orange"
          testId="stat-at-risk"
          note="обращений, сроки ещё не нарушены"
        />
        <Stat
          label="Просроченные сроки"
          value={d.totals.overdueMarked}
          to="/inbox?queue=overdue"
          color="red"
          testId="stat-overdue"
          note="обращений с нарушенным сроком"
        />
        <Stat label="Без темы" value={d.totals.unclassified} to="/inbox?queue=unclassified" color="grape" />
        <Stat
          label="Поступило за сутки"
          value={d.totals.received24h}
          to={inboxLink({ registeredAfter: since24h })}
          color="blue"
        />
      </SimpleGrid>

      <Grid gutter="sm">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <ClockPanel
            {...CLOCKS_BY.organisation}
            rows={d.clocks.byOrganisation.map((r) => ({
              ...r,
              key: r.organisationId,
              label: r.organisationName,
            }))}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Panel
            title="Ускоренные обращения"
            right={
              <ExportButtons
                table={async (progress) => ({
                  name: 'uskorennye',
                  header: ['Рег. номер', 'Суть', 'Организация', 'Статус', 'Срок ответа', 'Срок 2-й линии'],
                  // Every open fast-tracked appeal, not only those the panel shows.
                  rows: (await allAppeals({ fastTrack: true, status: OPEN_STATUSES }, progress)).map((f) => {
                    const line2 = f.parts
                      .filter((p) => p.state === 'active' && p.dueAt)
                      .map((p) => p.dueAt!)
                      .sort()[0];
                    return [
                      f.registrationNumber,
                      f.subject ?? f.excerpt,
                      f.organisationName,
                      statusLabel(f.status),
                      formatDateTime(f.answerDueAt, f.timeZone),
                      line2 ? formatDateTime(line2, f.timeZone) : '',
                    ];
                  }),
                })}
              />
            }
          >
            {d.fastTrack.length === 0 ? (
              <Text c="dimmed" size="sm" ta="center" py="lg">
                Ускоренных обращений в работе нет
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={300} mah={270}>
                <Table fz="xs" verticalSpacing={5} aria-label="Ускоренные обращения">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Обращение</Table.Th>
                      <Table.Th>Сроки</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {d.fastTrack.slice(0, 12).map((f) => (
                      <Table.Tr key={f.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/appeals/${f.id}`} size="xs" fw={600}>
                            № {f.registrationNumber}
                          </Anchor>
                          <Text size="xs" lineClamp={1} c="dimmed">
                            {f.subject ?? f.excerpt}
                          </Text>
                        </Table.Td>
                        {/* The terms wrap inside the card at 1366 px: unwrapped, «просрочено на 38 дней 11 ч» ran
                            past the card's edge, to be read only by scrolling the table sideways. */}
                        <Table.Td>
                          <Text size="xs">
                            ответ: <Countdown due={f.answerDueAt} timeZone={f.timeZone} size="xs" />
                          </Text>
                          {f.line2DueAt ? (
                            <Text size="xs">
                              2-я линия: <Countdown due={f.line2DueAt} timeZone={f.timeZone} size="xs" />
                            </Text>
                          ) : f.escalationDueAt ? (
                            <Text size="xs">
                              передать: <Countdown due={f.escalationDueAt} timeZone={f.timeZone} size="xs" />
                            </Text>
                          ) : (
                            <Text size="xs" c="dimmed">
                              {statusLabel(f.status)}
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <VolumePanel d={d} zone={zone} onDrill={(to) => navigate(to)} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <ClockPanel
            {...CLOCKS_BY.topic}
            rows={d.clocks.byTopic.map((r) => ({ ...r, key: r.topicId, label: r.topicName }))}
          />
        </Grid.Col>
        <Grid.Col span={12}>
          <RatingsPanel d={d} zone={zone} />
        </Grid.Col>
      </Grid>
      <KnowledgeDashboardPanel />
    </Stack>
  );
}

function Stat(props: {
  label: string;
  value: number;
  to: string;
  color?: string;
  testId?: string;
  /** What the figure counts, when the label alone leaves it open. */
  note?: string;
}) {
  return (
    <UnstyledButton component={Link} to={props.to} data-testid={props.testId} h="100%">
      <Paper
        withBorder
        p="sm"
        radius="md"
        h="100%"
        style={{ borderLeft: `4px solid var(--mantine-color-${props.color ?? 'gray'}-6)` }}
      >
        {/* Two lines on a phone: «Поступило за сутки» is read whole, not cut. */}
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} lineClamp={2}>
          {props.label}
        </Text>
        <Text fz={24} fw={700} lh={1.15}>
          {props.value.toLocaleString('ru-RU')}
        </Text>
        {props.note && (
          <Text size="xs" c="dimmed" lh={1.2} data-testid="stat-note">
            {props.note}
          </Text>
        )}
      </Paper>
    </UnstyledButton>
  );
}

function Panel({
  title,
  right,
  children,
  testId,
}: {
  title: string;
  right?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      h="100%"
      component="section"
      aria-label={title}
      data-testid={testId}
      style={{ overflow: 'hidden', minWidth: 0 }}
    >
      <Group justify="space-between" mb="sm" gap="xs">
        <Text fw={600}>{title}</Text>
        <Group gap={6}>{right}</Group>
      </Group>
      {children}
    </Paper>
  );
}

interface ClockRow {
  key: string;
  label: string;
  atRisk: number;
  overdue: number;
}

function ClockPanel(props: {
  title: string;
  testId: string;
  rows: ClockRow[];
  link: (key: string, kind: 'overdue' | 'at-risk') => string;
  exportName: string;
  keyHeader: string;
}) {
  const navigate = useNavigate();
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const rows = props.rows.slice(0, 10);
  const table = (): ExportTable => ({
    name: props.exportName,
    header: [props.keyHeader, 'Просрочено', 'Срок под угрозой'],
    rows: props.rows.map((r) => [r.label, r.overdue, r.atRisk]),
  });
  return (
    <Panel
      title={props.title}
      testId={props.testId}
      right={
        <>
          <SegmentedControl
            size="xs"
            value={view}
            onChange={(v) => setView(v as 'chart' | 'table')}
            data={[
              { value: 'chart', label: 'График' },
              { value: 'table', label: 'Таблица' },
            ]}
            aria-label="Вид"
          />
          <ExportButtons table={table} disabled={props.rows.length === 0} />
        </>
      }
    >
      {props.rows.length === 0 ? (
        <Text c="dimmed" size="sm" ta="center" py="lg">
          Нарушений и рисков по срокам нет
        </Text>
      ) : view === 'chart' ? (
        <div className="chart-clickable">
          <BarChart
            h={Math.max(160, rows.length * 30 + 40)}
            data={rows}
            dataKey="label"
            orientation="vertical"
            type="stacked"
            yAxisProps={{ width: 170, tick: { fontSize: 11 } }}
            gridAxis="none"
            withLegend
            legendProps={{ verticalAlign: 'bottom', height: 24 }}
            series={[
              { name: 'overdue', label: 'Просрочено', color: 'red.6' },
              { name: 'atRisk', label: 'Под угрозой', color: 'orange.4' },
            ]}
            barProps={(series) => ({
              onClick: (data: { payload?: ClockRow }) => {
                if (data?.payload)
                  navigate(props.link(data.payload.key, series.name === 'overdue' ? 'overdue' : 'at-risk'));
              },
            })}
            role="figure"
            aria-label={`${props.title}: нажмите на столбец, чтобы открыть обращения`}
          />
        </div>
      ) : (
        <Table fz="sm" verticalSpacing={4} aria-label={props.title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{props.keyHeader}</Table.Th>
              <Table.Th ta="right">Просрочено</Table.Th>
              <Table.Th ta="right">Под угрозой</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.rows.map((r) => (
              <Table.Tr key={r.key}>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td ta="right">
                  {r.overdue > 0 ? (
                    <Anchor component={Link} to={props.link(r.key, 'overdue')} c="red.9" fw={600}>
                      {r.overdue}
                    </Anchor>
                  ) : (
                    0
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  {r.atRisk > 0 ? (
                    <Anchor component={Link} to={props.link(r.key, 'at-risk')} c="#a63a00">
                      {r.atRisk}
                    </Anchor>
                  ) : (
                    0
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Panel>
  );
}

function VolumePanel({ d, zone, onDrill }: { d: Dashboard; zone: string; onDrill: (to: string) => void }) {
  // Taller on a phone, where the legend takes three or four lines of the chart's height.
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const { data, channels } = useMemo(() => {
    const channels = [...new Set(d.volume.days.map((x) => x.channel))].sort(
      (a, b) => total(d, b) - total(d, a),
    );
    const byDate = new Map<string, Record<string, number | string>>();
    for (
      let t = Date.parse(`${d.volume.from}T00:00:00Z`);
      t <= Date.parse(`${d.volume.to}T00:00:00Z`);
      t += 86_400_000
    ) {
      const date = new Date(t).toISOString().slice(0, 10);
      byDate.set(date, {
        date,
        label: formatLocalDate(date).slice(0, 5),
        ...Object.fromEntries(channels.map((c) => [c, 0])),
      });
    }
    for (const row of d.volume.days) {
      const entry = byDate.get(row.date);
      if (entry) entry[row.channel] = row.count;
    }
    return { data: [...byDate.values()], channels };
  }, [d]);
  const drill = (date: string | undefined, channel?: string) => {
    if (!date) return;
    const start = startOfDayIn(date, zone);
    const end = new Date(start.getTime() + 86_400_000);
    onDrill(
      inboxLink({ registeredAfter: start.toISOString(), registeredBefore: end.toISOString(), channel }),
    );
  };
  return (
    <Panel
      title="Поступление по каналам за 30 дней"
      right={
        <ExportButtons
          table={() => ({
            name: 'postuplenie-po-kanalam',
            header: ['Дата', 'Канал', 'Обращений'],
            rows: d.volume.days.map((r) => [formatLocalDate(r.date), channelLabel(r.channel), r.count]),
          })}
        />
      }
    >
      <div className="chart-clickable">
        <AreaChart
          h={phone ? 330 : 250}
          data={data}
          dataKey="label"
          type="stacked"
          curveType="monotone"
          withDots={false}
          withLegend
          // No fixed height: the chart measures the legend and makes room for it. Eight channels take two lines
          // at 1366 px and three on a phone, and a 40 px box cut all but the first («Одноклассники» unseen).
          legendProps={{ verticalAlign: 'bottom' }}
          fillOpacity={0.5}
          series={channels.map((c) => ({
            name: c,
            label: channelLabel(c),
            color: CHANNEL_COLOR[c] ?? 'gray.6',
          }))}
          areaChartProps={{
            onClick: (state: { activeTooltipIndex?: number }) => {
              const row =
                typeof state?.activeTooltipIndex === 'number' ? data[state.activeTooltipIndex] : undefined;
              drill(row?.date as string | undefined);
            },
          }}
          role="figure"
          aria-label="Поступление обращений по дням и каналам: нажмите на день, чтобы открыть обращения"
        />
      </div>
    </Panel>
  );
}

function total(d: Dashboard, channel: string): number {
  return d.volume.days.filter((x) => x.channel === channel).reduce((n, x) => n + x.count, 0);
}

const RATING_COLOR: Record<string, string> = {
  satisfied: 'teal.6',
  partially: 'yellow.5',
  'not-satisfied': 'red.6',
  'not-answered': 'red.8',
  score: 'blue.5',
};

/** The window the dashboard counts ratings in. */
const RATINGS_DAYS = 90;

function RatingsPanel({ d, zone }: { d: Dashboard; zone: string }) {
  const navigate = useNavigate();
  const poor = d.ratings.poorByOrganisationTopic;
  const ratedAfter = new Date(Date.parse(d.generatedAt) - RATINGS_DAYS * 86_400_000).toISOString();
  const ratingLink = (rating: string) => inboxLink({ rating, ratedAfter });
  return (
    <Panel
      title="Оценки ответов и повторные низкие оценки"
      right={
        <ExportButtons
          table={() => ({
            name: 'nizkie-ocenki',
            header: ['Организация', 'Тема', 'Низких оценок', 'Последняя'],
            rows: poor.map((p) => [p.organisationName, p.topicName, p.count, formatDateTime(p.lastAt, zone)]),
          })}
        />
      }
    >
      <Grid gutter="md" align="center">
        <Grid.Col span={{ base: 12, md: 4 }}>
          {d.ratings.byKind.length === 0 ? (
            <Text c="dimmed" size="sm" ta="center">
              Оценок за {RATINGS_DAYS} дней нет
            </Text>
          ) : (
            <Group wrap="nowrap" gap="md">
              {/* The links beside it carry the same figures and lead to the same lists: the picture is
                  decoration for assistive technology, a pointer's shortcut for the rest. */}
              <div aria-hidden="true" className="chart-clickable" data-testid="ratings-donut">
                <DonutChart
                  size={130}
                  thickness={22}
                  withTooltip={false}
                  pieProps={{
                    rootTabIndex: -1,
                    onClick: (_: unknown, index: number) => {
                      const kind = d.ratings.byKind[index]?.kind;
                      if (kind) navigate(ratingLink(kind));
                    },
                  }}
                  data={d.ratings.byKind.map((r) => ({
                    name: satisfactionLabel(r.kind),
                    value: r.count,
                    color: RATING_COLOR[r.kind] ?? 'gray.5',
                  }))}
                />
              </div>
              <Stack gap={4}>
                {d.ratings.byKind.map((r) => (
                  <Group key={r.kind} gap={6} wrap="nowrap">
                    <Badge size="xs" circle color={(RATING_COLOR[r.kind] ?? 'gray.5').split('.')[0]} />
                    <Anchor component={Link} to={ratingLink(r.kind)} size="xs" data-testid="rating-kind">
                      {satisfactionLabel(r.kind)}: <b>{r.count}</b>
                    </Anchor>
                  </Group>
                ))}
                <Text size="xs" c="dimmed">
                  за {RATINGS_DAYS} дней
                </Text>
              </Stack>
            </Group>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {poor.length === 0 ? (
            <Text c="dimmed" size="sm" ta="center">
              Низких оценок нет
            </Text>
          ) : (
            // Sideways in its own box on a phone: the panel clips, and the counts and «Обращения» fell past its edge.
            <Table.ScrollContainer minWidth={440}>
              <Table fz="sm" verticalSpacing={4} aria-label="Низкие оценки по организациям и темам">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Организация</Table.Th>
                    <Table.Th>Тема</Table.Th>
                    <Table.Th ta="right">Низких оценок</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {poor.slice(0, 8).map((p) => (
                    <Table.Tr key={`${p.organisationId}-${p.topicId}`}>
                      <Table.Td>{p.organisationName}</Table.Td>
                      <Table.Td>{p.topicName}</Table.Td>
                      <Table.Td ta="right">
                        <Group gap={6} justify="flex-end" wrap="nowrap">
                          {p.count > 1 && (
                            // Whole in a narrow column («пов…» at 1024 px).
                            <Badge
                              size="xs"
                              color="red"
                              variant="light"
                              style={{ textTransform: 'none', minWidth: 'max-content' }}
                            >
                              повторно
                            </Badge>
                          )}
                          <b>{p.count}</b>
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Anchor
                          component={Link}
                          to={inboxLink({ ids: p.appealIds.slice(0, 200).join(',') })}
                          size="sm"
                        >
                          Обращения
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Grid.Col>
      </Grid>
    </Panel>
  );
}
