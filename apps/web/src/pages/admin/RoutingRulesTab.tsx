import { NumberInput, SimpleGrid, Stack, Table, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, errorText } from '../../api/client';
import { fieldsOf, FormModal, TopicSelect, useFormDialog, OrganisationsSelect } from '../../components/forms';
import { ACTIONS, ListHeader, ListTable, NoticeAlert } from '../../components/tables';
import { OffBadge, RuleActions } from './rules';

/** Routing rules: topic and/or territory → organisations. */
export function RoutingRulesTab() {
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
  const field = edit && fieldsOf(edit, setEdit);
  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: () => refresh(),
    onError: (e) => setError(errorText(e)),
  });
  return (
    <Stack gap="xs">
      <ListHeader
        hint="Тема и/или территория (ОКТМО) → одна или несколько организаций. Среди равных по точности побеждает больший приоритет."
        add="Новое правило"
        onAdd={() => setEdit(empty)}
      />
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
        {edit && field && (
          <>
            <TextInput label="Название" {...field.text('name')} />
            <SimpleGrid cols={2}>
              <TopicSelect label="Тема" {...field.value('topicId')} />
              <TextInput label="Территория (ОКТМО)" {...field.text('territoryCode')} />
            </SimpleGrid>
            <OrganisationsSelect label="Организации" searchable {...field.value('organisationIds')} />
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
