import {
  Button,
  Group,
  MultiSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { FormModal, TopicSelect, useFormDialog } from '../../components/forms';
import { ACTIONS, ListTable, NoticeAlert } from '../../components/tables';
import { OffBadge, RuleActions } from './rules';

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
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['routing-rules'] });
  const dialog = useFormDialog((f: typeof empty) => {
    const body = {
      name: f.name,
      priority: f.priority,
      topicId: f.topicId || null,
      territoryCode: f.territoryCode || null,
      organisationIds: f.organisationIds,
    };
    return f.id
      ? call('updateRoutingRule', { params: { id: f.id }, body })
      : call('createRoutingRule', { body });
  }, refresh);
  const { form: edit, setForm: setEdit, error, setError } = dialog;
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
        <NoticeAlert notice={{ color: 'red', text: error }} onClose={() => setError(null)} />
      )}
      <ListTable
        label="Правила маршрутизации"
        columns={['Правило', 'Тема', 'Территория', 'Куда', { label: 'Приоритет', right: true }, ACTIONS]}
      >
        {(rules.data ?? []).map((r) => (
          <Table.Tr key={r.id} data-active={r.active}>
            <Table.Td>
              {r.name}
              {!r.active && <OffBadge />}
            </Table.Td>
            <Table.Td>{r.topic?.name ?? '—'}</Table.Td>
            <Table.Td>{r.territoryCode ?? '—'}</Table.Td>
            <Table.Td>{r.organisations.map((o) => o.shortName).join(', ')}</Table.Td>
            <Table.Td ta="right">{r.priority}</Table.Td>
            <Table.Td>
              <RuleActions
                active={r.active}
                onEdit={() =>
                  setEdit({
                    id: r.id,
                    name: r.name,
                    priority: r.priority,
                    topicId: r.topicId ?? '',
                    territoryCode: r.territoryCode ?? '',
                    organisationIds: r.organisationIds,
                  })
                }
                onToggle={
                  r.active
                    ? () => act.mutate(() => call('deactivateRoutingRule', { params: { id: r.id } }))
                    : undefined
                }
                onRemove={() => act.mutate(() => call('deleteRoutingRule', { params: { id: r.id } }))}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <FormModal
        {...dialog.modal}
        title={edit?.id ? 'Изменить правило' : 'Новое правило'}
        size="lg"
        submitLabel="Сохранить"
      >
        {edit && (
          <>
            <TextInput
              label="Название"
              value={edit.name}
              onChange={(e) => setEdit({ ...edit, name: e.currentTarget.value })}
            />
            <SimpleGrid cols={2}>
              <TopicSelect
                label="Тема"
                value={edit.topicId}
                onChange={(topicId) => setEdit({ ...edit, topicId })}
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
          </>
        )}
      </FormModal>
    </Stack>
  );
}
