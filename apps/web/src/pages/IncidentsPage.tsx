import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { call, errorText } from '../api/client';
import { useOrganisationZone } from '../api/hooks';
import { useMe } from '../auth';
import { ChannelBadge, FastTrackBadge, PageTitle, StatusAlert, StatusBadge } from '../components/common';
import { type AppealStatus } from '../api/types';
import { plural } from '../lib/labels';
import { formatInZone, formatLocalDate } from '../lib/time';
import { ListTable, Pending, QueryStatus, ShowMore } from '../components/tables';
import { textOf } from '../components/forms';

const STATUS: Record<string, { label: string; color: string }> = {
  open: { label: 'Открыт', color: 'orange' },
  answered: { label: 'Дан ответ', color: 'teal' },
  closed: { label: 'Закрыт', color: 'gray' },
};

function IncidentStatus({ status }: { status: string }) {
  return (
    <Badge color={STATUS[status]?.color ?? 'gray'} variant="light" style={{ textTransform: 'none' }}>
      {STATUS[status]?.label ?? 'Состояние уточняется'}
    </Badge>
  );
}

/** Incidents: many messages about one problem from different channels, answered once for all of them. */
export function IncidentsPage() {
  const { id } = useParams();
  return id ? <IncidentDetail id={id} /> : <IncidentList />;
}

function IncidentList() {
  const navigate = useNavigate();
  const zone = useOrganisationZone();
  const [status, setStatus] = useState<string>('open');
  const list = useInfiniteQuery({
    queryKey: ['incidents', status],
    queryFn: ({ pageParam }) =>
      call('incidents', { query: { status: status === 'all' ? undefined : status, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="sm">
      <PageTitle
        title="Инциденты"
        subtitle="Много сообщений об одной проблеме из разных каналов: один ответ — каждому заявителю"
      />
      <SegmentedControl
        value={status}
        onChange={setStatus}
        aria-label="Состояние инцидентов"
        data={[
          { value: 'open', label: 'Открытые' },
          { value: 'answered', label: 'С ответом' },
          { value: 'all', label: 'Все' },
        ]}
        w="fit-content"
      />
      <QueryStatus query={list} label="Загрузка" />
      {list.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          Инцидентов нет.
        </Text>
      )}
      {items.length > 0 && (
        <ListTable
          label="Инциденты"
          columns={[
            'Инцидент',
            'Тема',
            { label: 'Обращений', right: true },
            'Каналы',
            'Последнее',
            'Состояние',
          ]}
          minWidth={640}
          verticalSpacing={6}
          highlightOnHover
          striped={false}
        >
          {items.map((i) => (
            <Table.Tr
              key={i.id}
              data-testid="incident-row"
              style={{ cursor: 'pointer' }}
              onClick={() => navigate(`/incidents/${i.id}`)}
            >
              <Table.Td>
                <Anchor component={Link} to={`/incidents/${i.id}`} size="sm" fw={500}>
                  № {i.number}. {i.title}
                </Anchor>
              </Table.Td>
              <Table.Td>{i.topicName ?? '—'}</Table.Td>
              <Table.Td ta="right">{i.appealsCount}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {i.channels.map((c) => (
                    <ChannelBadge key={c} channel={c} />
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{formatInZone(i.lastAt, zone)}</Table.Td>
              <Table.Td>
                <IncidentStatus status={i.status} />
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      )}
      <ShowMore list={list} />
    </Stack>
  );
}

function IncidentDetail({ id }: { id: string }) {
  const me = useMe();
  const zone = useOrganisationZone();
  const queryClient = useQueryClient();
  const incident = useQuery({
    queryKey: ['incident', id],
    queryFn: () => call('incident', { params: { id } }),
  });
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ color: string; text: string } | null>(null);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['incident', id] });
    await queryClient.invalidateQueries({ queryKey: ['incidents'] });
    await queryClient.invalidateQueries({ queryKey: ['appeals'] });
  };
  const failures = (failed: { message: string }[]) =>
    failed.length ? `; не удалось по ${failed.length}: ${failed.map((f) => f.message).join('; ')}` : '';
  const draft = useMutation({
    mutationFn: () => call('draftIncident', { params: { id }, body: { text } }),
    onSuccess: async (r) => {
      setError(null);
      setText('');
      setOutcome({
        color: r.failed.length ? 'orange' : 'teal',
        text: `Проект ответа подготовлен по ${r.drafted} ${plural(r.drafted, 'обращению', 'обращениям', 'обращениям')}${
          r.skipped ? `, пропущено уже отвеченных: ${r.skipped}` : ''
        }${failures(r.failed)}. Согласует другой сотрудник.`,
      });
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const approve = useMutation({
    mutationFn: () => call('approveIncident', { params: { id } }),
    onSuccess: async (r) => {
      setError(null);
      setOutcome({
        color: r.failed.length ? 'orange' : 'teal',
        text: `Ответ согласован и отправлен по ${r.answered} ${plural(
          r.answered,
          'обращению',
          'обращениям',
          'обращениям',
        )}${r.skipped ? `, пропущено: ${r.skipped}` : ''}${failures(r.failed)}`,
      });
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const back = (
    <Anchor component={Link} to="/incidents" size="sm">
      ← К списку инцидентов
    </Anchor>
  );
  if (!incident.data) {
    return <Pending query={incident} label="Загрузка инцидента" title="Инцидент недоступен" back={back} />;
  }
  const i = incident.data;
  // As the api: a head or a supervisor, never an administrator (who works no appeal).
  const approver = me.role === 'head' || me.role === 'supervisor';
  const ownDraft = i.draftedBy === me.id;
  return (
    <Stack gap="sm">
      {back}
      <PageTitle
        title={`Инцидент № ${i.number}: ${i.title}`}
        subtitle={`${i.topicName ?? 'Тема не определена'} · ${i.appealsCount} ${plural(
          i.appealsCount,
          'обращение',
          'обращения',
          'обращений',
        )} с ${formatInZone(i.firstAt, zone)} по ${formatInZone(i.lastAt, zone)}`}
        right={<IncidentStatus status={i.status} />}
      />
      {outcome && (
        <StatusAlert
          color={outcome.color}
          data-testid="incident-outcome"
          withCloseButton
          onClose={() => setOutcome(null)}
        >
          {outcome.text}
        </StatusAlert>
      )}
      <ListTable
        label="Обращения инцидента"
        columns={['№', 'Поступило', 'Канал', 'Суть', 'Срок ответа', 'Статус']}
        minWidth={640}
        verticalSpacing={6}
        striped={false}
      >
        {i.appeals.map((a) => (
          <Table.Tr key={a.id} data-testid="incident-appeal" data-number={a.registrationNumber}>
            <Table.Td>
              <Anchor component={Link} to={`/appeals/${a.id}`} size="sm">
                {a.registrationNumber}
              </Anchor>
            </Table.Td>
            <Table.Td>{formatInZone(a.registeredAt, zone)}</Table.Td>
            <Table.Td>
              <ChannelBadge channel={a.channel} />
            </Table.Td>
            <Table.Td>
              <Group gap={4} wrap="nowrap">
                {a.fastTrack && <FastTrackBadge />}
                <Text size="sm" lineClamp={2}>
                  {a.subject ?? a.excerpt}
                </Text>
              </Group>
            </Table.Td>
            <Table.Td>{formatLocalDate(a.answerDueDate)}</Table.Td>
            <Table.Td>
              <StatusBadge status={a.status as AppealStatus} />
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>

      {i.membershipChanges.length > 0 && (
        <Paper withBorder p="md" radius="md" component="section" aria-label="Изменения состава">
          <Stack gap={4}>
            <Text fw={600}>Изменения состава</Text>
            {i.membershipChanges.map((c) => (
              <Text
                key={`${c.kind}-${c.appealId}-${c.at}`}
                size="sm"
                data-testid="incident-membership-change"
              >
                {formatInZone(c.at, zone)} · {c.actorName ?? 'сотрудник'}:{' '}
                {c.kind === 'excluded' ? 'исключено' : 'добавлено'}{' '}
                <Anchor component={Link} to={`/appeals/${c.appealId}`} size="sm">
                  № {c.registrationNumber}
                </Anchor>
                {c.reason ? ` — ${c.reason}` : ''}
              </Text>
            ))}
          </Stack>
        </Paper>
      )}

      <Paper withBorder p="md" radius="md" component="section" aria-label="Ответ на инцидент">
        <Stack gap="xs">
          <Text fw={600}>Один ответ на весь инцидент</Text>
          {i.draftText ? (
            <>
              <Text size="sm" c="dimmed">
                {i.draftAwaitsApproval
                  ? `Проект подготовлен ${formatInZone(i.draftedAt, zone)}${ownDraft ? ' вами' : ''}`
                  : `Ответ согласован и отправлен ${formatInZone(i.answeredAt, zone)}`}
              </Text>
              <Text size="sm" className="appeal-text" data-testid="incident-draft">
                {i.draftText}
              </Text>
            </>
          ) : (
            i.status === 'answered' && (
              <Text size="sm" data-testid="incident-answered">
                Ответ дан {formatInZone(i.answeredAt, zone)}.
              </Text>
            )
          )}
          {i.status === 'open' && i.draftAwaitsApproval && approver && !ownDraft && (
            <Group justify="flex-end">
              <Button loading={approve.isPending} onClick={() => approve.mutate()}>
                Согласовать и отправить всем заявителям
              </Button>
            </Group>
          )}
          {i.status === 'open' && i.draftAwaitsApproval && (!approver || ownDraft) && (
            <Text size="sm" data-testid="incident-awaits-approval">
              Проект ждёт согласования: его согласует руководитель
              {ownDraft ? ', не автор проекта' : ''}.
            </Text>
          )}
          {i.status === 'open' && i.awaitingDraft > 0 && me.role !== 'admin' && (
            <form
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                draft.mutate();
              }}
            >
              <Stack gap="xs">
                <Text size="sm" c="dimmed">
                  Проект станет ответом по {i.awaitingDraft}{' '}
                  {plural(
                    i.awaitingDraft,
                    'открытому обращению',
                    'открытым обращениям',
                    'открытым обращениям',
                  )}{' '}
                  инцидента в вашей области, по которым проекта ещё нет; согласует и отправит его заявителям
                  (каждому — по его каналу) руководитель — не автор проекта.
                </Text>
                <Textarea label="Текст ответа" required autosize minRows={5} {...textOf(text, setText)} />
                <Group justify="flex-end">
                  <Button type="submit" loading={draft.isPending} disabled={!text.trim()}>
                    Подготовить проект ответа
                  </Button>
                </Group>
              </Stack>
            </form>
          )}
          {error && (
            <Text size="sm" c="red.9" role="alert">
              {error}
            </Text>
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
