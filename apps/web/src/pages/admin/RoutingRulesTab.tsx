import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SimpleGrid,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { TableBox } from './TableBox';

/** Routing rules: topic and/or territory → organisations. */
export function RoutingRulesTab() {
  const names = useNames();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: ['routing-rules'], queryFn: () => call('routingRules') });
  const empty = {
    id: '',
    name: '',
    priority: 100,
    topicId: '',
    territoryCode: '',
    organisationIds: [] as string[],
  };
  const [edit, setEdit] = useState<typeof empty | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['routing-rules'] });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: edit!.name,
        priority: edit!.priority,
        topicId: edit!.topicId || null,
        territoryCode: edit!.territoryCode || null,
        organisationIds: edit!.organisationIds,
      };
      return edit!.id
        ? call('updateRoutingRule', { params: { id: edit!.id }, body })
        : call('createRoutingRule', { body });
    },
    onSuccess: async () => {
      setEdit(null);
      setError(null);
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: () => refresh(),
    onError: (e) => setError(errorText(e)),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Тема и/или территория (ОКТМО) → одна или несколько организаций. Среди равных по точности побеждает
          больший приоритет.
        </Text>
        <Button size="xs" onClick={() => setEdit(empty)}>
          Новое правило
        </Button>
      </Group>
      {error && !edit && (
        <Alert color="red" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <TableBox>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Правила маршрутизации">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Правило</Table.Th>
              <Table.Th>Тема</Table.Th>
              <Table.Th>Территория</Table.Th>
              <Table.Th>Куда</Table.Th>
              <Table.Th ta="right">Приоритет</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(rules.data ?? []).map((r) => (
              <Table.Tr key={r.id} opacity={r.active ? 1 : 0.55}>
                <Table.Td>
                  {r.name}
                  {!r.active && (
                    <Badge ml={6} size="xs" color="gray" style={{ textTransform: 'none' }}>
                      отключено
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{r.topic?.name ?? '—'}</Table.Td>
                <Table.Td>{r.territoryCode ?? '—'}</Table.Td>
                <Table.Td>{r.organisations.map((o) => o.shortName).join(', ')}</Table.Td>
                <Table.Td ta="right">{r.priority}</Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() =>
                        setEdit({
                          id: r.id,
                          name: r.name,
                          priority: r.priority,
                          topicId: r.topicId ?? '',
                          territoryCode: r.territoryCode ?? '',
                          organisationIds: r.organisationIds,
                        })
                      }
                    >
                      Изменить
                    </Button>
                    {r.active && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="gray"
                        onClick={() =>
                          act.mutate(() => call('deactivateRoutingRule', { params: { id: r.id } }))
                        }
                      >
                        Отключить
                      </Button>
                    )}
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => act.mutate(() => call('deleteRoutingRule', { params: { id: r.id } }))}
                    >
                      Удалить
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableBox>
      <Modal
        opened={edit !== null}
        onClose={() => setEdit(null)}
        title={edit?.id ? 'Изменить правило' : 'Новое правило'}
        size="lg"
      >
        {edit && (
          <Stack>
            <TextInput
              label="Название"
              value={edit.name}
              onChange={(e) => setEdit({ ...edit, name: e.currentTarget.value })}
            />
            <SimpleGrid cols={2}>
              <Select
                label="Тема"
                searchable
                clearable
                data={names.topics.map((t) => ({ value: t.id, label: t.parentId ? `— ${t.name}` : t.name }))}
                value={edit.topicId || null}
                onChange={(v) => setEdit({ ...edit, topicId: v ?? '' })}
              />
              <TextInput
                label="Территория (ОКТМО)"
                value={edit.territoryCode}
                onChange={(e) => setEdit({ ...edit, territoryCode: e.currentTarget.value })}
              />
            </SimpleGrid>
            <MultiSelect
              label="Организации"
              searchable
              data={names.organisations.map((o) => ({ value: o.id, label: o.shortName }))}
              value={edit.organisationIds}
              onChange={(v) => setEdit({ ...edit, organisationIds: v })}
            />
            <NumberInput
              label="Приоритет"
              value={edit.priority}
              min={0}
              onChange={(v) => setEdit({ ...edit, priority: Number(v) || 0 })}
              w={160}
            />
            {error && (
              <Text c="red.9" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setEdit(null)}>
                Отмена
              </Button>
              <Button loading={save.isPending} onClick={() => save.mutate()}>
                Сохранить
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
