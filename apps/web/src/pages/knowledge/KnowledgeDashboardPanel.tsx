import { Anchor, Grid, Group, Paper, SimpleGrid, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { call } from '../../api/client';
import { KIND_LABEL } from './knowledge-labels';
import { labelOf } from '../../lib/labels';

function Figure({ label, value, color, to }: { label: string; value: number; color: string; to: string }) {
  return (
    <Paper withBorder p="xs" radius="md">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Anchor component={Link} to={to} fz={22} fw={700} c={value > 0 ? color : 'dimmed'} underline="never">
        {value}
      </Anchor>
    </Paper>
  );
}

/**
 * The knowledge base on the supervisor dashboard: requests at risk and overdue on their S0 terms, sections
 * overdue for their quarterly review, by organisation, and the articles that served most in 30 days.
 */
export function KnowledgeDashboardPanel() {
  const kb = useQuery({
    queryKey: ['kb-dashboard'],
    queryFn: () => call('kbDashboard'),
    refetchInterval: 60_000,
  });
  if (!kb.data) return null;
  const d = kb.data;
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component="section"
      aria-label="База знаний"
      data-testid="kb-dashboard"
    >
      <Group justify="space-between" mb="xs">
        <Text fw={600}>База знаний: сроки согласования и актуализации</Text>
        <Anchor component={Link} to="/knowledge/requests" size="sm">
          Все запросы
        </Anchor>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs" mb="sm">
        {(
          [
            ['Запросов в работе', d.totals.openRequests, 'blue', 'requests'],
            ['Запросы: срок под угрозой', d.totals.requestsAtRisk, 'orange', 'requests'],
            ['Запросы: просрочено', d.totals.requestsOverdue, 'red', 'requests'],
            ['Разделы: скоро актуализация', d.totals.reviewsAtRisk, 'orange', 'reviews'],
            ['Разделы: просрочена актуализация', d.totals.reviewsOverdue, 'red', 'reviews'],
          ] as const
        ).map(([label, value, color, list]) => (
          <Figure key={label} label={label} value={value} color={color} to={`/knowledge/${list}`} />
        ))}
      </SimpleGrid>
      <Grid gutter="sm">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          {/* Within its own box: at 375 px its headings' long words made the whole dashboard scroll sideways. */}
          <Table.ScrollContainer minWidth={300}>
            <Table verticalSpacing={4} horizontalSpacing={6} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Организация</Table.Th>
                  <Table.Th>Запросы: просрочено / под угрозой</Table.Th>
                  <Table.Th>Разделы: просрочено / скоро</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.byOrganisation.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={3}>
                      <Text size="sm" c="dimmed">
                        Нарушений и рисков нет
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {d.byOrganisation.map((o) => (
                  <Table.Tr key={o.organisationId} data-testid="kb-dashboard-org">
                    <Table.Td>{o.organisationName}</Table.Td>
                    <Table.Td>
                      <Text
                        span
                        c={o.requestsOverdue ? 'red.9' : undefined}
                        fw={o.requestsOverdue ? 600 : 400}
                      >
                        {o.requestsOverdue}
                      </Text>{' '}
                      / {o.requestsAtRisk}
                    </Table.Td>
                    <Table.Td>
                      <Text span c={o.reviewsOverdue ? 'red.9' : undefined} fw={o.reviewsOverdue ? 600 : 400}>
                        {o.reviewsOverdue}
                      </Text>{' '}
                      / {o.reviewsAtRisk}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Text size="sm" fw={500} mb={4}>
            Пригодились за 30 дней
          </Text>
          {d.topArticles.length === 0 && (
            <Text size="sm" c="dimmed">
              Пока не использовались
            </Text>
          )}
          {d.topArticles.map((a) => (
            <Text key={a.id} size="sm">
              <Anchor component={Link} to={`/knowledge/articles/${a.id}`}>
                {a.title}
              </Anchor>{' '}
              <Text span size="xs" c="dimmed">
                ({labelOf(KIND_LABEL, a.kind, 'материал')}, {a.organisationName}): {a.uses}, на месте{' '}
                {a.answeredOnTheSpot}
              </Text>
            </Text>
          ))}
        </Grid.Col>
      </Grid>
    </Paper>
  );
}
