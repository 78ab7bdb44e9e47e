import { Badge, Group, Loader, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client';
import { channelLabel } from '../../lib/labels';
import { formatDateTime } from '../../lib/time';
import { ListTable } from '../../components/tables';
import { ErrorReason } from '../../components/ErrorReason';

/** Health of Postgres, Redis, the intake backlog and every channel account. */
export function ChannelsTab() {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => call('health'),
    refetchInterval: 30_000,
  });
  const h = health.data;
  return (
    <Stack gap="sm">
      {health.isLoading && <Loader size="sm" role="progressbar" aria-label="Проверка служб" />}
      {h && (
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          {/* In the administrator's words, the product in brackets: what to look for in the server's settings and
              logs («PostgreSQL» and «Redis» stood alone). «Сервер»: the badge reads «Доступен». */}
          <Service
            name="Сервер базы данных (PostgreSQL)"
            ok={h.postgres.ok}
            detail={`${h.postgres.latencyMs} мс`}
          />
          <Service name="Сервер очередей (Redis)" ok={h.redis.ok} detail={`${h.redis.latencyMs} мс`} />
          <Service
            name="Входящие в обработке"
            ok={!h.inboundItems?.failed}
            detail={
              Object.entries(h.inboundItems ?? {})
                .map(([k, v]) => `${k === 'pending' ? 'ожидают' : k === 'failed' ? 'ошибка' : k}: ${v}`)
                .join(', ') || 'очередь пуста'
            }
          />
        </SimpleGrid>
      )}
      <ListTable
        label="Каналы"
        columns={[
          'Канал',
          'Учётная запись',
          'Состояние',
          'Последний успешный обмен',
          { label: 'Получено', right: true },
          'Последняя ошибка',
        ]}
        empty={h && (h.channels ?? []).length === 0 && 'Учётные записи каналов не настроены'}
      >
        {(h?.channels ?? []).map((c) => (
          <Table.Tr key={`${c.channel}-${c.name}`}>
            <Table.Td>{channelLabel(c.channel)}</Table.Td>
            <Table.Td>{c.name}</Table.Td>
            <Table.Td>
              <Badge
                variant="light"
                color={!c.enabled ? 'gray' : c.consecutiveFailures > 0 ? 'red' : 'teal'}
                style={{ textTransform: 'none' }}
              >
                {!c.enabled
                  ? 'Отключён'
                  : c.consecutiveFailures > 0
                    ? `Сбои: ${c.consecutiveFailures}`
                    : 'Работает'}
              </Badge>
            </Table.Td>
            <Table.Td>{formatDateTime(c.lastSuccessAt)}</Table.Td>
            <Table.Td ta="right">{c.itemsReceived}</Table.Td>
            <Table.Td>
              <ErrorReason
                error={c.lastError}
                prefix={formatDateTime(c.lastErrorAt)}
                color="red.9"
                lineClamp={2}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    </Stack>
  );
}

function Service({ name, ok, detail }: { name: string; ok: boolean; detail: string }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {name}
        </Text>
        <Badge color={ok ? 'teal' : 'red'} variant="light" style={{ textTransform: 'none' }}>
          {ok ? 'Доступен' : 'Недоступен'}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {detail}
      </Text>
    </Paper>
  );
}
