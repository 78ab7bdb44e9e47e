import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { useOwnOrganisations } from '../../api/hooks';
import { useMe } from '../../auth';
import { Countdown } from '../../components/common';
import { formatDateTime } from '../../lib/time';
import { KnowledgeTitle } from './KnowledgeNav';
import { ACTIONS, ListTable, QueryStatus } from '../../components/tables';
import { AssigneeSelect, OrganisationSelect } from '../../components/forms';

const STATE = {
  ok: { label: 'актуален', color: 'teal' },
  'at-risk': { label: 'скоро срок', color: 'orange' },
  overdue: { label: 'просрочено', color: 'red' },
} as const;

/**
 * Sections and their quarterly review (S4 п. 41): who is responsible, when last reviewed, when due; the
 * owner marks a section reviewed. Supervisors name the organisation's responsible person and allow its FAQ
 * on the public pages.
 */
export function ReviewsPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  // A section's notification opens its own row (`?section=`): every section listed, that one marked and in view.
  const [searchParams] = useSearchParams();
  const focused = searchParams.get('section');
  const [review, setReview] = useState<'all' | 'overdue' | 'due-soon'>(
    me.role === 'operator' && !focused ? 'overdue' : 'all',
  );
  const [mine, setMine] = useState(me.role !== 'operator' && me.role !== 'admin' && !focused);
  useEffect(() => {
    if (!focused) return;
    setReview('all');
    setMine(false);
  }, [focused]);
  const sections = useQuery({
    queryKey: ['kb-sections', 'reviews', review, mine],
    queryFn: () => call('kbSections', { query: { review: review === 'all' ? undefined : review, mine } }),
  });
  const [error, setError] = useState<unknown>(null);
  const reviewed = useMutation({
    mutationFn: (id: string) => call('kbSectionReviewed', { params: { id } }),
    onSuccess: async () => {
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['kb-sections'] });
    },
    onError: (e) => setError(e),
  });
  const focusedRow = useRef<HTMLTableRowElement>(null);
  const listed = sections.data?.some((s) => s.id === focused) ?? false;
  useEffect(() => {
    if (!listed) return;
    focusedRow.current?.scrollIntoView({ block: 'center' });
    focusedRow.current?.focus({ preventScroll: true });
  }, [listed, focused]);

  return (
    <Stack gap="sm">
      <KnowledgeTitle subtitle="Актуализация разделов — не реже одного раза в квартал; просроченные видят ответственный и руководитель" />
      <Group justify="space-between">
        <SegmentedControl
          value={review}
          onChange={(v) => setReview(v as typeof review)}
          data={[
            { value: 'all', label: 'Все разделы' },
            { value: 'due-soon', label: 'Срок в ближайшие 2 недели' },
            { value: 'overdue', label: 'Просрочена актуализация' },
          ]}
        />
        <Switch
          label="Только моей организации"
          checked={mine}
          onChange={(e) => setMine(e.currentTarget.checked)}
        />
      </Group>
      {(me.role === 'supervisor' || me.role === 'head' || me.role === 'admin') && <SettingsCard />}
      {error !== null && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {errorText(error)}
        </Alert>
      )}
      <QueryStatus query={sections} label="Загрузка разделов" />
      {sections.data && (
        <ListTable
          label="Актуализация разделов"
          columns={['Организация', 'Раздел', 'Статей', 'Ответственный', 'Актуализирован', 'Срок', ACTIONS]}
          minWidth={900}
          verticalSpacing="xs"
          data-testid="kb-sections"
          empty={sections.data.length === 0 && 'Разделов нет'}
        >
          {sections.data.map((s) => {
            const state = STATE[s.reviewState as keyof typeof STATE] ?? STATE.ok;
            return (
              <Table.Tr
                key={s.id}
                data-testid="kb-section-row"
                data-state={s.reviewState}
                {...(s.id === focused && {
                  ref: focusedRow,
                  tabIndex: -1,
                  'aria-current': 'true' as const,
                  bg: 'var(--mantine-color-yellow-light)',
                })}
              >
                <Table.Td>{s.organisationName}</Table.Td>
                <Table.Td>
                  <Text size="sm">{s.title}</Text>
                  {s.topicName && s.topicName !== s.title && (
                    <Text size="xs" c="dimmed">
                      {s.topicName}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{s.articles}</Table.Td>
                <Table.Td>{s.responsibleName ?? '—'}</Table.Td>
                <Table.Td>
                  {s.lastReviewedAt ? formatDateTime(s.lastReviewedAt) : 'не проводилась'}
                  {s.lastReviewedByName ? ` · ${s.lastReviewedByName}` : ''}
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    {/* Wraps rather than cuts («скоро с…» at 1280 px). */}
                    <Badge
                      color={state.color}
                      variant="light"
                      className="badge-wrap"
                      style={{ textTransform: 'none' }}
                    >
                      {state.label}
                    </Badge>
                    <Countdown due={s.reviewDueAt} size="xs" />
                  </Stack>
                </Table.Td>
                <Table.Td>
                  {(me.organisationIds === null || me.organisationIds.includes(s.organisationId)) &&
                    me.role !== 'operator' && (
                      <Button
                        size="xs"
                        variant="light"
                        loading={reviewed.isPending && reviewed.variables === s.id}
                        onClick={() => reviewed.mutate(s.id)}
                      >
                        Актуализировано
                      </Button>
                    )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </ListTable>
      )}
    </Stack>
  );
}

/** The organisation's responsible person for the KB and whether its FAQ is published to citizens. */
function SettingsCard() {
  const me = useMe();
  const orgs = useOwnOrganisations();
  const queryClient = useQueryClient();
  const [orgId, setOrgId] = useState<string>(me.organisationId);
  const settings = useQuery({
    queryKey: ['kb-settings', orgId],
    queryFn: () => call('kbSettings', { params: { id: orgId } }),
  });
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), [orgId]);
  const save = useMutation({
    mutationFn: (body: { responsibleUserId?: string; publicFaq?: boolean }) =>
      call('kbSaveSettings', { params: { id: orgId }, body }),
    onSuccess: async () => queryClient.invalidateQueries({ queryKey: ['kb-settings', orgId] }),
    onError: (e) => setError(e),
  });
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-label="Настройки организации">
      <Group align="flex-end" gap="md">
        <OrganisationSelect
          label="Организация"
          among={orgs}
          value={orgId}
          onChange={(v) => v && setOrgId(v)}
          searchable
          w={260}
        />
        <AssigneeSelect
          label="Ответственное лицо за базу знаний"
          placeholder="Не назначено"
          organisationId={orgId}
          value={settings.data?.responsibleUserId ?? null}
          onChange={(v) => v && save.mutate({ responsibleUserId: v })}
          w={300}
          searchable
        />
        <Switch
          label="Публиковать частые вопросы для граждан"
          checked={settings.data?.publicFaq ?? false}
          onChange={(e) => save.mutate({ publicFaq: e.currentTarget.checked })}
        />
      </Group>
      {error !== null && (
        <Text size="xs" c="red.9" mt={4}>
          {errorText(error)}
        </Text>
      )}
    </Paper>
  );
}
