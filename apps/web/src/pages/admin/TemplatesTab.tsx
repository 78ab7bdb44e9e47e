import { Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call } from '../../api/client';
import { useNames } from '../../api/hooks';
import { type Template } from '../../api/types';
import { useMe } from '../../auth';
import { fieldsOf, FormModal, TopicSelect, useFormDialog, OrganisationSelect } from '../../components/forms';
import { TemplateBodyInput } from '../../components/TemplateBody';
import { shownTemplate } from '../../lib/placeholders';
import { ACTIONS, ListTable, LoadError, useListNotice, useRowAction } from '../../components/tables';

interface Form {
  /** The template edited; none for a new one. */
  id?: string;
  title: string;
  body: string;
  topicId: string;
}

/**
 * Answer templates of an organisation (and the common ones), by topic: the administrator keeps them for any
 * organisation — adds, edits, switches off and on; the clerk picks one on the card and the system fills the
 * placeholders. A switched-off template is offered no more; answers made from it keep their text.
 */
export function TemplatesTab() {
  const me = useMe();
  const names = useNames();
  const [organisationId, setOrganisationId] = useState<string>(me.organisationId);
  const templates = useQuery({
    queryKey: ['templates', 'admin', organisationId],
    queryFn: () => call('templates', { query: { organisationId, includeInactive: true } }),
  });
  const list = useListNotice(['templates']);
  const dialog = useFormDialog(
    (f: Form) => {
      const fields = { title: f.title.trim(), body: f.body };
      return f.id
        ? call('updateTemplate', { params: { id: f.id }, body: { ...fields, topicId: f.topicId || null } })
        : call('createTemplate', { body: { ...fields, topicId: f.topicId || undefined, organisationId } });
    },
    (_, f) => list.done(`${f.id ? 'Типовой ответ изменён' : 'Типовой ответ добавлен'}: ${f.title.trim()}`),
  );
  const toggle = useRowAction(
    list,
    (t: Template) => call('updateTemplate', { params: { id: t.id }, body: { active: !t.active } }),
    (t) => `${t.active ? 'Типовой ответ снова предлагается' : 'Типовой ответ отключён'}: ${t.title}`,
  );
  const { form, setForm } = dialog;
  const field = form && fieldsOf(form, setForm);

  return (
    <Stack gap="xs">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <OrganisationSelect
          label="Организация"
          searchable
          w={360}
          maw="100%"
          allowDeselect={false}
          value={organisationId}
          onChange={(v) => v && setOrganisationId(v)}
        />
        <Button size="xs" onClick={() => setForm({ title: '', body: '', topicId: '' })}>
          Новый типовой ответ
        </Button>
      </Group>
      <LoadError error={templates.error} />
      {list.alert}
      <ListTable
        label="Типовые ответы"
        columns={['Типовой ответ', 'Тема', 'Чей', 'Текст', ACTIONS]}
        empty={templates.data?.length === 0 && 'У организации нет типовых ответов.'}
      >
        {(templates.data ?? []).map((t) => (
          <Table.Tr key={t.id} data-testid="template-row" data-title={t.title} data-active={t.active}>
            <Table.Td fw={500}>
              {t.title}
              {!t.active && (
                <Badge ml={6} size="sm" color="gray" variant="light" style={{ textTransform: 'none' }}>
                  отключён
                </Badge>
              )}
            </Table.Td>
            <Table.Td>{t.topicId ? names.topic(t.topicId) : 'любая'}</Table.Td>
            <Table.Td>{t.organisationId ? names.organisation(t.organisationId) : 'общий'}</Table.Td>
            <Table.Td>
              <Text size="xs" lineClamp={2} maw={520}>
                {shownTemplate(t.body)}
              </Text>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <Group gap={6} wrap="nowrap" justify="flex-end">
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={() =>
                    setForm({ id: t.id, title: t.title, body: t.body, topicId: t.topicId ?? '' })
                  }
                >
                  Изменить
                </Button>
                <Button
                  size="compact-xs"
                  variant="default"
                  loading={toggle.isPending && toggle.variables?.id === t.id}
                  onClick={() => toggle.mutate(t)}
                >
                  {t.active ? 'Отключить' : 'Включить'}
                </Button>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <FormModal
        {...dialog.modal}
        title={form?.id ? 'Изменить типовой ответ' : 'Новый типовой ответ'}
        size="lg"
        submitLabel="Сохранить типовой ответ"
      >
        {form && field && (
          <>
            {!form.id && <Text size="sm">Для организации: {names.organisation(organisationId)}</Text>}
            <TextInput label="Название" required data-autofocus {...field.text('title')} />
            <TopicSelect label="Тема" description="Пусто — для любой темы" {...field.value('topicId')} />
            <TemplateBodyInput
              label="Текст типового ответа"
              value={form.body}
              onChange={(body) => setForm({ ...form, body })}
            />
          </>
        )}
      </FormModal>
    </Stack>
  );
}
