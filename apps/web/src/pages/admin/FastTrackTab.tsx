import {
  Button,
  Checkbox,
  Group,
  MultiSelect,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { type FastTrackRule } from '../../api/types';
import { CHANNEL_LABEL } from '../../lib/labels';
import { FormModal, TopicSelect, useFormDialog } from '../../components/forms';
import { ACTIONS, ListTable, LoadError, NoticeAlert } from '../../components/tables';
import { OffBadge, RuleActions } from './rules';

const MONTHS = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
];

interface Form {
  id: string;
  name: string;
  topicId: string;
  keywords: string[];
  channels: string[];
  months: string[];
  active: boolean;
}

const EMPTY: Form = { id: '', name: '', topicId: '', keywords: [], channels: [], months: [], active: true };

function monthsText(months: number[]): string {
  return months.length ? months.map((m) => MONTHS[m - 1]?.slice(0, 3) ?? m).join(', ') : 'весь год';
}

/**
 * Fast-track rules of the region: a topic, key phrases, channels and months; an appeal a rule matches gets
 * the short answer term (10 days from registration).
 */
export function FastTrackTab() {
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: ['fast-track-rules'], queryFn: () => call('fastTrackRules') });
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['fast-track-rules'] });
  const bodyOf = (f: Form) => ({
    name: f.name.trim(),
    topicId: f.topicId || null,
    keywords: f.keywords,
    channels: f.channels,
    months: f.months.map(Number),
    active: f.active,
  });
  const dialog = useFormDialog(
    (f: Form) =>
      f.id
        ? call('updateFastTrackRule', { params: { id: f.id }, body: bodyOf(f) })
        : call('createFastTrackRule', { body: bodyOf(f) }),
    async (saved) => {
      setNotice(`Правило сохранено: ${saved.name}`);
      await refresh();
    },
  );
  const { form: edit, setForm: setEdit, error, setError } = dialog;
  const toggle = useMutation({
    mutationFn: (r: FastTrackRule) =>
      call('updateFastTrackRule', {
        params: { id: r.id },
        body: { ...bodyOf(formOf(r)), active: !r.active },
      }),
    onSuccess: async (saved) => {
      setNotice(`${saved.name}: ${saved.active ? 'включено' : 'отключено'}`);
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const remove = useMutation({
    mutationFn: (r: FastTrackRule) => call('deleteFastTrackRule', { params: { id: r.id } }),
    onSuccess: async (_, r) => {
      setNotice(`Правило удалено: ${r.name}`);
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm" c="dimmed" maw={760}>
          Обращение, подошедшее под правило (тема, любая из ключевых фраз, канал, месяц), рассматривается
          ускоренно: срок ответа — 10 дней с регистрации.
        </Text>
        <Button size="xs" onClick={() => setEdit(EMPTY)}>
          Новое правило
        </Button>
      </Group>
      <LoadError error={rules.error} />
      {error && !edit && (
        <NoticeAlert notice={{ color: 'red', text: error }} onClose={() => setError(null)} />
      )}
      <NoticeAlert notice={notice ? { color: 'teal', text: notice } : null} onClose={() => setNotice(null)} />
      <ListTable
        label="Правила ускоренного рассмотрения"
        columns={['Правило', 'Тема', 'Ключевые фразы', 'Каналы', 'Месяцы', ACTIONS]}
        empty={
          rules.data?.length === 0 &&
          'Правил нет: ускоренно рассматриваются только обращения, отмеченные сотрудником.'
        }
      >
        {(rules.data ?? []).map((r) => (
          <Table.Tr key={r.id} data-testid="fast-track-rule" data-name={r.name}>
            <Table.Td>
              {r.name}
              {!r.active && <OffBadge />}
            </Table.Td>
            <Table.Td>{r.topic?.name ?? 'любая'}</Table.Td>
            <Table.Td>{r.keywords.length ? r.keywords.join('; ') : 'любые'}</Table.Td>
            <Table.Td>
              {r.channels.length ? r.channels.map((c) => CHANNEL_LABEL[c] ?? c).join(', ') : 'любые'}
            </Table.Td>
            <Table.Td>{monthsText(r.months)}</Table.Td>
            <Table.Td>
              <RuleActions
                active={r.active}
                onEdit={() => setEdit(formOf(r))}
                onToggle={() => toggle.mutate(r)}
                toggling={toggle.isPending && toggle.variables?.id === r.id}
                onRemove={() => remove.mutate(r)}
                removing={remove.isPending && remove.variables?.id === r.id}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <FormModal
        {...dialog.modal}
        title={
          edit?.id ? 'Изменить правило ускоренного рассмотрения' : 'Новое правило ускоренного рассмотрения'
        }
        size="lg"
        submitLabel="Сохранить правило"
      >
        {edit && (
          <>
            <TextInput
              label="Название"
              required
              data-autofocus
              value={edit.name}
              onChange={(e) => setEdit({ ...edit, name: e.currentTarget.value })}
            />
            <TopicSelect
              label="Тема или подтема"
              description="Тема включает свои подтемы; пусто — любая"
              value={edit.topicId}
              onChange={(topicId) => setEdit({ ...edit, topicId })}
            />
            <TagsInput
              label="Ключевые фразы"
              description="Любая из фраз в тексте, по основам слов; слово* — по началу слова. Enter добавляет фразу"
              value={edit.keywords}
              onChange={(v) => setEdit({ ...edit, keywords: v })}
            />
            <MultiSelect
              label="Каналы"
              description="Пусто — любой канал"
              data={Object.entries(CHANNEL_LABEL).map(([value, label]) => ({ value, label }))}
              value={edit.channels}
              onChange={(v) => setEdit({ ...edit, channels: v })}
            />
            <MultiSelect
              label="Месяцы"
              description="Пусто — весь год"
              data={MONTHS.map((label, i) => ({ value: String(i + 1), label }))}
              value={edit.months}
              onChange={(v) => setEdit({ ...edit, months: v })}
            />
            <Checkbox
              label="Правило действует"
              checked={edit.active}
              onChange={(e) => setEdit({ ...edit, active: e.currentTarget.checked })}
            />
          </>
        )}
      </FormModal>
    </Stack>
  );
}

function formOf(r: FastTrackRule): Form {
  return {
    id: r.id,
    name: r.name,
    topicId: r.topicId ?? '',
    keywords: r.keywords,
    channels: r.channels,
    months: r.months.map(String),
    active: r.active,
  };
}
