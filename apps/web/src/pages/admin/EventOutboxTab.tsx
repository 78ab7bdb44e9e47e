import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { channelLabel, labelOf } from '../../lib/labels';
import { formatDateTime } from '../../lib/time';
import { ACTIONS, ListTable, QueryStatus, type Notice, NoticeAlert } from '../../components/tables';

/** What each consumer of the appeals' history does, in the administrator's words. */
const CONSUMER_LABEL: Record<string, string> = {
  'citizen-notices': 'Уведомления заявителю',
  'messenger-media': 'Вложения из мессенджера',
  'pos-status': 'Статусы в ПОС',
  'pos-files': 'Файлы из ПОС',
  'pos-history': 'Ход рассмотрения из ПОС',
  'medo-receipt': 'Квитанции МЭДО',
  'email-547-notice': 'Уведомления по эл. почте (547-ФЗ)',
  'email-thread-keys': 'Связка ответов с перепиской',
  classification: 'Классификация',
  'classification-feedback': 'Обучение классификатора на правках',
  'knowledge-gaps': 'Запросы в базу знаний',
};

export function consumerLabel(consumer: string): string {
  const [name, channel] = consumer.split(':');
  const label = labelOf(CONSUMER_LABEL, name, 'Другой получатель событий');
  return channel ? `${label} — ${channelLabel(channel)}` : label;
}

/**
 * The history outbox (issue 15): each consumer's backlog (due, backing off, failed for good) and the events
 * that failed for good with the last error, each retried on its own or all at once once the channel is back.
 */
export function EventOutboxTab() {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<Notice | null>(null);
  const outbox = useQuery({
    queryKey: ['event-outbox'],
    queryFn: () => call('eventOutbox'),
    refetchInterval: 15_000,
  });
  const retry = useMutation({
    mutationFn: (body: { consumer?: string; eventId?: string }) => call('retryDeadEvents', { body }),
    onSuccess: async ({ retried }) => {
      setNotice({
        color: 'teal',
        text: retried ? `Поставлено на повтор: ${retried}` : 'Нечего повторять: события уже обработаны',
      });
      await queryClient.invalidateQueries({ queryKey: ['event-outbox'] });
    },
    onError: (e) => setNotice({ color: 'red', text: errorText(e) }),
  });
  const o = outbox.data;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        События истории обращений, которые ждут отправки в каналы: уведомления заявителям, статусы в ПОС,
        квитанции МЭДО и другое. Неудачная попытка повторяется с нарастающей паузой (не реже раза в 5 минут) в
        течение {o ? Math.round(o.retryForMs / 3_600_000) : '…'} ч и не менее {o?.attemptsBeforeDead ?? '…'}{' '}
        раз, так что после сбоя канала события уходят сами; событие, которое канал отверг окончательно или
        которое не ушло за это время, остаётся в списке недоставленных, пока его не повторят.
      </Text>
      <QueryStatus query={outbox} label="Загрузка" size="sm" />
      <NoticeAlert notice={notice} onClose={() => setNotice(null)} />
      {o && (
        <ListTable
          label="Потребители событий"
          columns={[
            'Назначение',
            { label: 'Ждут', right: true },
            { label: 'Повторяются', right: true },
            { label: 'Не доставлены', right: true },
            'Ждёт с',
            'Не удаётся',
          ]}
        >
          {o.consumers.map((c) => (
            <Table.Tr key={c.consumer}>
              {/* The consumer's code, for a support request, in the tip only. */}
              <Table.Td title={c.consumer}>{consumerLabel(c.consumer)}</Table.Td>
              <Table.Td ta="right">{c.pending}</Table.Td>
              <Table.Td ta="right">{c.retrying}</Table.Td>
              <Table.Td ta="right">
                {c.dead > 0 ? (
                  <Badge color="red" variant="light" style={{ textTransform: 'none' }}>
                    {c.dead}
                  </Badge>
                ) : (
                  0
                )}
              </Table.Td>
              <Table.Td>{c.oldestPendingAt ? formatDateTime(c.oldestPendingAt) : '—'}</Table.Td>
              <Table.Td>
                {c.failingSince ? (
                  <Text size="xs" c="orange.9" lineClamp={2}>
                    с {formatDateTime(c.failingSince)}: {c.lastError ?? '—'}
                  </Text>
                ) : (
                  '—'
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      )}
      {o && (
        <Group justify="space-between">
          <Text fw={600}>Недоставленные события: {o.totals.dead}</Text>
          <Button
            size="xs"
            disabled={o.totals.dead === 0}
            loading={retry.isPending && retry.variables?.eventId === undefined}
            onClick={() => retry.mutate({})}
          >
            Повторить все
          </Button>
        </Group>
      )}
      {o && (
        <ListTable
          label="Недоставленные события"
          columns={[
            'Обращение',
            'Назначение',
            'Событие',
            { label: 'Попыток', right: true },
            'Последняя ошибка',
            ACTIONS,
          ]}
          empty={o.dead.length === 0 && 'Недоставленных событий нет'}
        >
          {o.dead.map((d) => (
            <Table.Tr key={`${d.consumer}-${d.eventId}`}>
              <Table.Td>
                <Link to={`/appeals/${d.appealId}`}>{d.registrationNumber}</Link>
                <Text size="xs" c="dimmed">
                  {channelLabel(d.channel)}
                </Text>
              </Table.Td>
              <Table.Td>{consumerLabel(d.consumer)}</Table.Td>
              <Table.Td>
                {d.type} № {d.eventId}
              </Table.Td>
              <Table.Td ta="right">{d.attempts}</Table.Td>
              <Table.Td>
                <Text size="xs" c="red.9" lineClamp={2}>
                  {formatDateTime(d.failedAt)}: {d.lastError ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="light"
                  loading={retry.isPending && retry.variables?.eventId === d.eventId}
                  onClick={() => retry.mutate({ consumer: d.consumer, eventId: d.eventId })}
                  aria-label={`Повторить событие ${d.eventId} для ${consumerLabel(d.consumer)}`}
                >
                  Повторить
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      )}
    </Stack>
  );
}
