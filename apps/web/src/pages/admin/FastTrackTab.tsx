import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { type FastTrackRule } from '../../api/types';
import { CHANNEL_LABEL } from '../../lib/labels';
import { TableBox } from './TableBox';

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
  const names = useNames();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: ['fast-track-rules'], queryFn: () => call('fastTrackRules') });
  const [edit, setEdit] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
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
  const save = useMutation({
    mutationFn: (f: Form) =>
      f.id
        ? call('updateFastTrackRule', { params: { id: f.id }, body: bodyOf(f) })
        : call('createFastTrackRule', { body: bodyOf(f) }),
    onSuccess: async (saved) => {
      setEdit(null);
      setError(null);
      setNotice(`Правило сохранено: ${saved.name}`);
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
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
      {rules.isError && (
        <Alert color="red" role="alert">
          {errorText(rules.error)}
        </Alert>
      )}
      {error && !edit && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {notice && (
        <Alert color="teal" role="status" withCloseButton onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <TableBox>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Правила ускоренного рассмотрения">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Правило</Table.Th>
              <Table.Th>Тема</Table.Th>
              <Table.Th>Ключевые фразы</Table.Th>
              <Table.Th>Каналы</Table.Th>
              <Table.Th>Месяцы</Table.Th>
              <Table.Th>
                <span className="visually-hidden">Действия</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.data?.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={6}>
                  <Text size="sm" c="dimmed">
                    Правил нет: ускоренно рассматриваются только обращения, отмеченные сотрудником.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {(rules.data ?? []).map((r) => (
              <Table.Tr key={r.id} data-testid="fast-track-rule" data-name={r.name}>
                <Table.Td>
                  {r.name}
                  {!r.active && (
                    <Badge
                      ml={6}
                      size="xs"
                      color="gray.7"
                      variant="outline"
                      style={{ textTransform: 'none' }}
                    >
                      отключено
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{r.topic?.name ?? 'любая'}</Table.Td>
                <Table.Td>{r.keywords.length ? r.keywords.join('; ') : 'любые'}</Table.Td>
                <Table.Td>
                  {r.channels.length ? r.channels.map((c) => CHANNEL_LABEL[c] ?? c).join(', ') : 'любые'}
                </Table.Td>
                <Table.Td>{monthsText(r.months)}</Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setEdit(formOf(r))}>
                      Изменить
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="gray.8"
                      loading={toggle.isPending && toggle.variables?.id === r.id}
                      onClick={() => toggle.mutate(r)}
                    >
                      {r.active ? 'Отключить' : 'Включить'}
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red.8"
                      loading={remove.isPending && remove.variables?.id === r.id}
                      onClick={() => remove.mutate(r)}
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
        title={
          edit?.id ? 'Изменить правило ускоренного рассмотрения' : 'Новое правило ускоренного рассмотрения'
        }
        size="lg"
      >
        {edit && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(edit);
            }}
          >
            <Stack>
              <TextInput
                label="Название"
                required
                data-autofocus
                value={edit.name}
                onChange={(e) => setEdit({ ...edit, name: e.currentTarget.value })}
              />
              <Select
                label="Тема или подтема"
                description="Тема включает свои подтемы; пусто — любая"
                searchable
                clearable
                data={names.topics.map((t) => ({ value: t.id, label: t.parentId ? `— ${t.name}` : t.name }))}
                value={edit.topicId || null}
                onChange={(v) => setEdit({ ...edit, topicId: v ?? '' })}
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
              {error && (
                <Text c="red.9" size="sm" role="alert">
                  {error}
                </Text>
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setEdit(null)}>
                  Отмена
                </Button>
                <Button type="submit" loading={save.isPending}>
                  Сохранить правило
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
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
