import { Checkbox, MultiSelect, Stack, Table, TagsInput, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client';
import { type FastTrackRule } from '../../api/types';
import { CHANNEL_LABEL, channelLabel } from '../../lib/labels';
import { fieldsOf, FormModal, TopicSelect, useFormDialog } from '../../components/forms';
import {
  ACTIONS,
  ListHeader,
  ListTable,
  LoadError,
  useListNotice,
  useRowAction,
} from '../../components/tables';
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
  const rules = useQuery({ queryKey: ['fast-track-rules'], queryFn: () => call('fastTrackRules') });
  const list = useListNotice(['fast-track-rules']);
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
    (saved) => list.done(`Правило сохранено: ${saved.name}`),
  );
  const { form: edit, setForm: setEdit } = dialog;
  const field = edit && fieldsOf(edit, setEdit);
  const toggle = useRowAction(
    list,
    (r: FastTrackRule) =>
      call('updateFastTrackRule', {
        params: { id: r.id },
        body: { ...bodyOf(formOf(r)), active: !r.active },
      }),
    (saved) => `${saved.name}: ${saved.active ? 'включено' : 'отключено'}`,
  );
  const remove = useRowAction(
    list,
    (r: FastTrackRule) => call('deleteFastTrackRule', { params: { id: r.id } }),
    (_, r) => `Правило удалено: ${r.name}`,
  );
  return (
    <Stack gap="xs">
      <ListHeader
        hint="Обращение, подошедшее под правило (тема, любая из ключевых фраз, канал, месяц), рассматривается ускоренно: срок ответа — 10 дней с регистрации."
        add="Новое правило"
        onAdd={() => setEdit(EMPTY)}
      />
      <LoadError error={rules.error} />
      {list.alert}
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
            <Table.Td>{r.channels.length ? r.channels.map(channelLabel).join(', ') : 'любые'}</Table.Td>
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
        {edit && field && (
          <>
            <TextInput label="Название" required data-autofocus {...field.text('name')} />
            <TopicSelect
              label="Тема или подтема"
              description="Тема включает свои подтемы; пусто — любая"
              {...field.value('topicId')}
            />
            <TagsInput
              label="Ключевые фразы"
              description="Любая из фраз в тексте, по основам слов; слово* — по началу слова. Enter добавляет фразу"
              {...field.value('keywords')}
            />
            <MultiSelect
              label="Каналы"
              description="Пусто — любой канал"
              data={Object.entries(CHANNEL_LABEL).map(([value, label]) => ({ value, label }))}
              {...field.value('channels')}
            />
            <MultiSelect
              label="Месяцы"
              description="Пусто — весь год"
              data={MONTHS.map((label, i) => ({ value: String(i + 1), label }))}
              {...field.value('months')}
            />
            <Checkbox label="Правило действует" {...field.checked('active')} />
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
