import { Alert, Anchor, Button, Group, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { call, errorText } from '../api/client';
import { ChannelBadge, PageTitle } from '../components/common';
import { attemptsText, partsSentText } from '../lib/delivery-errors';
import { formatDateTime } from '../lib/time';
import { ACTIONS, ListTable, QueryStatus } from '../components/tables';
import { labelOf } from '../lib/labels';
import { ErrorReason } from '../components/ErrorReason';

/** What each kind of message is, for the clerk reading the queue. */
const KIND_LABEL: Record<string, string> = {
  answer: 'Ответ',
  'registration-notice': 'Уведомление о регистрации',
  'status-notice': 'Уведомление о ходе рассмотрения',
  'rating-request': 'Просьба оценить ответ',
};

/**
 * Failed deliveries to citizens within the viewer's scope (issue 12): which appeal, which channel, what went
 * wrong and how often it was tried; "Повторить" puts the message back to the delivery worker. A send interrupted
 * mid-way (the citizen may have it) also offers "Отметить доставленным" once the clerk has checked.
 */
export function FailedDeliveriesPage() {
  const queryClient = useQueryClient();
  const failed = useQuery({ queryKey: ['failed-deliveries'], queryFn: () => call('failedDeliveries') });
  const [error, setError] = useState<unknown>(null);
  // Both actions on a row take the message back out of the list once done.
  const rowAction = (endpoint: 'retryDelivery' | 'markDeliveryDelivered') => ({
    mutationFn: (m: { appealId: string; id: string }) =>
      call(endpoint, { params: { id: m.appealId, messageId: m.id } }),
    onSuccess: async () => {
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['failed-deliveries'] });
    },
    onError: (e: unknown) => setError(e),
  });
  const retry = useMutation(rowAction('retryDelivery'));
  const markDelivered = useMutation(rowAction('markDeliveryDelivered'));

  return (
    <>
      <PageTitle
        title="Недоставленные сообщения"
        subtitle="Ответы и уведомления, которые не удалось доставить заявителю; после устранения причины доставку можно повторить"
      />
      {error !== null && (
        <Alert color="red" mb="sm" role="alert">
          {errorText(error)}
        </Alert>
      )}
      <QueryStatus query={failed} label="Загрузка" />
      {failed.data && failed.data.length === 0 && <Text c="dimmed">Недоставленных сообщений нет.</Text>}
      {failed.data && failed.data.length > 0 && (
        <ListTable
          label="Недоставленные сообщения"
          columns={['Обращение', 'Канал', 'Сообщение', 'Причина', 'Попыток', 'Не доставлено', ACTIONS]}
          minWidth={720}
        >
          {failed.data.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Anchor component={Link} to={`/appeals/${m.appealId}`} style={{ whiteSpace: 'nowrap' }}>
                  № {m.registrationNumber}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <ChannelBadge channel={m.channel} />
              </Table.Td>
              <Table.Td>{labelOf(KIND_LABEL, m.kind, 'Сообщение')}</Table.Td>
              <Table.Td>
                <ErrorReason error={m.lastError} size="sm" testId="delivery-reason" />
                {/* A send in several: what the citizen has already, and that «Повторить» sends only the rest. */}
                {!m.interrupted && partsSentText({ sent: m.partsSent, total: m.partsTotal }) && (
                  <Text size="sm" data-testid="delivery-parts">
                    {partsSentText({ sent: m.partsSent, total: m.partsTotal })}
                  </Text>
                )}
              </Table.Td>
              <Table.Td data-testid="delivery-attempts">{attemptsText(m.attempts, m.lastError)}</Table.Td>
              <Table.Td>{formatDateTime(m.failedAt ?? m.createdAt)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button
                    size="xs"
                    variant="light"
                    loading={retry.isPending && retry.variables?.id === m.id}
                    onClick={() => retry.mutate({ appealId: m.appealId, id: m.id })}
                  >
                    Повторить
                  </Button>
                  {/* Only an interrupted send may have reached the citizen: the clerk checks and says so. */}
                  {m.interrupted && (
                    <Button
                      size="xs"
                      variant="default"
                      loading={markDelivered.isPending && markDelivered.variables?.id === m.id}
                      onClick={() => markDelivered.mutate({ appealId: m.appealId, id: m.id })}
                    >
                      Отметить доставленным
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      )}
    </>
  );
}
