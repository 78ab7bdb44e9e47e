import { Anchor, Button, Card, Group, Paper, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { call } from '../../api/client';
import { type KbRepeatedQuestion } from '../../api/types';
import { Countdown } from '../../components/common';
import { RequestStatusBadge } from './KnowledgeBadges';
import { ORIGIN_LABEL, pendingStep, requestNumber } from './knowledge-labels';
import { KnowledgeTitle } from './KnowledgeNav';
import { type RequestPreset, RequestModal } from './RequestModal';
import { ListTable, QueryStatus } from '../../components/tables';
import { labelOf } from '../../lib/labels';

const OPEN = 'draft,sent,returned,approved';

/**
 * Requests to change the knowledge base with their terms (S0 annex 2): what each waits for and by when;
 * below, repeated questions from the appeals stream that have no article yet, one click from a request.
 */
export function RequestsPage() {
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const [preset, setPreset] = useState<RequestPreset | null>(null);
  const requests = useQuery({
    queryKey: ['kb-requests', filter],
    queryFn: () => call('kbRequests', { query: { status: filter === 'open' ? OPEN : undefined } }),
  });
  const repeated = useQuery({ queryKey: ['kb-repeated'], queryFn: () => call('kbRepeated', {}) });

  return (
    <Stack gap="sm">
      <KnowledgeTitle
        subtitle="Запросы на изменение: направить в день формирования, согласовать за 3 рабочих дня, внести за 2 рабочих дня"
        request={{ label: 'Новый запрос', onClick: () => setPreset({}) }}
      />
      <Group justify="space-between">
        <SegmentedControl
          value={filter}
          onChange={(v) => setFilter(v as 'open' | 'all')}
          data={[
            { value: 'open', label: 'В работе' },
            { value: 'all', label: 'Все' },
          ]}
        />
      </Group>
      <QueryStatus query={requests} label="Загрузка запросов" />
      {requests.data && (
        <ListTable
          label="Запросы на изменение базы знаний"
          columns={[
            '№',
            'Предмет изменений',
            'Организация',
            'Откуда',
            'Состояние',
            'Следующий шаг',
            'Ответственное лицо',
          ]}
          minWidth={900}
          highlightOnHover
          verticalSpacing="xs"
          data-testid="kb-requests"
          empty={requests.data.length === 0 && 'Запросов нет'}
        >
          {requests.data.map((r) => {
            const step = pendingStep(r);
            return (
              <Table.Tr key={r.id} data-testid="kb-request-row" data-status={r.status}>
                <Table.Td>
                  <Anchor component={Link} to={`/knowledge/requests/${r.id}`}>
                    {requestNumber(r.number)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{r.subject}</Text>
                  {r.articleTitle && (
                    <Text size="xs" c="dimmed">
                      Статья: {r.articleTitle}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{r.organisationName}</Table.Td>
                <Table.Td>
                  <Text size="xs">{labelOf(ORIGIN_LABEL, r.origin, 'Другой источник')}</Text>
                </Table.Td>
                <Table.Td>
                  <RequestStatusBadge status={r.status} label={r.statusName} />
                </Table.Td>
                <Table.Td>
                  {step ? (
                    <Text size="sm">
                      {step.label}: <Countdown due={step.due} />
                    </Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>{r.responsibleName ?? 'не назначено (руководитель)'}</Table.Td>
              </Table.Tr>
            );
          })}
        </ListTable>
      )}
      <Paper withBorder p="md" radius="md" component="section" aria-label="Повторяющиеся вопросы без статьи">
        <Text fw={600}>Повторяющиеся вопросы без статьи</Text>
        <Text size="xs" c="dimmed" mb="xs">
          Обращения за 30 дней, на которые в базе знаний владельца темы нет ответа, сгруппированные по теме и
          сходству текста
        </Text>
        <QueryStatus query={repeated} label="Загрузка" size="sm" />
        {repeated.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            Пробелов не найдено
          </Text>
        )}
        <Stack gap={6}>
          {(repeated.data ?? []).map((g) => (
            <RepeatedRow key={g.key} group={g} onRequest={setPreset} />
          ))}
        </Stack>
      </Paper>
      <RequestModal opened={preset !== null} onClose={() => setPreset(null)} preset={preset ?? {}} />
    </Stack>
  );
}

function RepeatedRow({
  group,
  onRequest,
}: {
  group: KbRepeatedQuestion;
  onRequest: (preset: RequestPreset) => void;
}) {
  return (
    <Card withBorder padding="xs" radius="sm" data-testid="kb-repeated" data-key={group.key}>
      {/* The button under the text on a phone: beside it, it was cut to «Сфор» at the card's edge. */}
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div style={{ flex: '1 1 240px', minWidth: 0 }}>
          <Text size="sm" fw={500}>
            {group.topicName} — {group.organisationName}: {group.count} обращ.
          </Text>
          <Text size="xs" c="dimmed">
            {group.reason === 'no-article-for-topic' ? 'По теме нет ни одной статьи' : 'Похожие вопросы'} ·{' '}
            {group.samples
              .map((s) => `№ ${s.registrationNumber}${s.subject ? ` «${s.subject}»` : ''}`)
              .join(', ')}
          </Text>
        </div>
        <Button
          size="xs"
          variant="light"
          onClick={() =>
            onRequest({
              organisationId: group.organisationId,
              subject: group.suggestedSubject,
              details: `Повторяющиеся вопросы без ответа в базе знаний: ${group.count} обращений за 30 дней.`,
              appealIds: group.appealIds,
              fromAppealsStream: true,
            })
          }
        >
          Сформировать запрос
        </Button>
      </Group>
    </Card>
  );
}
