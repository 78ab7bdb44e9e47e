import { Badge, Button, Group, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { type Template } from '../../api/types';
import { useMe } from '../../auth';
import { FormModal, TopicSelect, useFormDialog } from '../../components/forms';
import { ACTIONS, ListTable, LoadError, type Notice, NoticeAlert } from '../../components/tables';

const PLACEHOLDERS = [
  ['{{applicantName}}', 'имя и отчество заявителя'],
  ['{{registrationNumber}}', 'номер обращения'],
  ['{{registrationDate}}', 'дата регистрации'],
  ['{{organisation}}', 'организация, которая отвечает'],
  ['{{answerDueDate}}', 'срок ответа'],
];

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
  const queryClient = useQueryClient();
  const [organisationId, setOrganisationId] = useState<string>(me.organisationId);
  const templates = useQuery({
    queryKey: ['templates', 'admin', organisationId],
    queryFn: () => call('templates', { query: { organisationId, includeInactive: true } }),
  });
  const [notice, setNotice] = useState<Notice | null>(null);
  const done = async (text: string) => {
    setNotice({ color: 'teal', text });
    await queryClient.invalidateQueries({ queryKey: ['templates'] });
  };
  const dialog = useFormDialog(
    (f: Form) => {
      const fields = { title: f.title.trim(), body: f.body };
      return f.id
        ? call('updateTemplate', { params: { id: f.id }, body: { ...fields, topicId: f.topicId || null } })
        : call('createTemplate', { body: { ...fields, topicId: f.topicId || undefined, organisationId } });
    },
    (_, f) => done(`${f.id ? 'Шаблон изменён' : 'Шаблон добавлен'}: ${f.title.trim()}`),
  );
  const toggle = useMutation({
    mutationFn: (t: Template) =>
      call('updateTemplate', { params: { id: t.id }, body: { active: !t.active } }),
    onSuccess: (t) => done(`${t.active ? 'Шаблон снова предлагается' : 'Шаблон отключён'}: ${t.title}`),
    onError: (e) => setNotice({ color: 'red', text: errorText(e) }),
  });
  const { form, setForm } = dialog;

  return (
    <Stack gap="xs">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Select
          label="Организация"
          searchable
          w={360}
          maw="100%"
          allowDeselect={false}
          data={names.organisations.map((o) => ({ value: o.id, label: o.shortName }))}
          value={organisationId}
          onChange={(v) => v && setOrganisationId(v)}
        />
        <Button size="xs" onClick={() => setForm({ title: '', body: '', topicId: '' })}>
          Новый шаблон
        </Button>
      </Group>
      <LoadError error={templates.error} />
      <NoticeAlert notice={notice} onClose={() => setNotice(null)} />
      <ListTable
        label="Шаблоны ответов"
        columns={['Шаблон', 'Тема', 'Чей', 'Текст', ACTIONS]}
        empty={templates.data?.length === 0 && 'У организации нет шаблонов ответов.'}
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
                {t.body}
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
        title={form?.id ? 'Изменить шаблон ответа' : 'Новый шаблон ответа'}
        size="lg"
        submitLabel="Сохранить шаблон"
      >
        {form && (
          <>
            {!form.id && <Text size="sm">Для организации: {names.organisation(organisationId)}</Text>}
            <TextInput
              label="Название"
              required
              data-autofocus
              value={form.title}
              onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
            />
            <TopicSelect
              label="Тема"
              description="Пусто — для любой темы"
              value={form.topicId}
              onChange={(topicId) => setForm({ ...form, topicId })}
            />
            <Textarea
              label="Текст шаблона"
              required
              autosize
              minRows={6}
              value={form.body}
              onChange={(e) => setForm({ ...form, body: e.currentTarget.value })}
            />
            <Text size="xs" c="dimmed">
              Подстановки: {PLACEHOLDERS.map(([code, what]) => `${code} — ${what}`).join('; ')}.
            </Text>
          </>
        )}
      </FormModal>
    </Stack>
  );
}
