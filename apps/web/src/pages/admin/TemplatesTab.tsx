import { Button, Group, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call } from '../../api/client';
import { useNames } from '../../api/hooks';
import { useMe } from '../../auth';
import { FormModal, TopicSelect, useFormDialog } from '../../components/forms';
import { ListTable, LoadError, NoticeAlert } from '../../components/tables';

const PLACEHOLDERS = [
  ['{{applicantName}}', 'имя и отчество заявителя'],
  ['{{registrationNumber}}', 'номер обращения'],
  ['{{registrationDate}}', 'дата регистрации'],
  ['{{organisation}}', 'организация, которая отвечает'],
  ['{{answerDueDate}}', 'срок ответа'],
];

interface Form {
  title: string;
  body: string;
  topicId: string;
}

/**
 * Answer templates of an organisation (and the common ones), by topic: the administrator keeps them for any
 * organisation; the clerk picks one on the card and the system fills the placeholders.
 */
export function TemplatesTab() {
  const me = useMe();
  const names = useNames();
  const queryClient = useQueryClient();
  const [organisationId, setOrganisationId] = useState<string>(me.organisationId);
  const templates = useQuery({
    queryKey: ['templates', 'admin', organisationId],
    queryFn: () => call('templates', { query: { organisationId } }),
  });
  const [notice, setNotice] = useState<string | null>(null);
  const dialog = useFormDialog(
    (f: Form) =>
      call('createTemplate', {
        body: { title: f.title.trim(), body: f.body, topicId: f.topicId || undefined, organisationId },
      }),
    async (_, f) => {
      setNotice(`Шаблон добавлен: ${f.title.trim()}`);
      await queryClient.invalidateQueries({ queryKey: ['templates'] });
    },
  );
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
      <NoticeAlert notice={notice ? { color: 'teal', text: notice } : null} onClose={() => setNotice(null)} />
      <ListTable
        label="Шаблоны ответов"
        columns={['Шаблон', 'Тема', 'Чей', 'Текст']}
        empty={templates.data?.length === 0 && 'У организации нет шаблонов ответов.'}
      >
        {(templates.data ?? []).map((t) => (
          <Table.Tr key={t.id} data-testid="template-row" data-title={t.title}>
            <Table.Td fw={500}>{t.title}</Table.Td>
            <Table.Td>{t.topicId ? names.topic(t.topicId) : 'любая'}</Table.Td>
            <Table.Td>{t.organisationId ? names.organisation(t.organisationId) : 'общий'}</Table.Td>
            <Table.Td>
              <Text size="xs" lineClamp={2} maw={520}>
                {t.body}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <FormModal {...dialog.modal} title="Новый шаблон ответа" size="lg" submitLabel="Сохранить шаблон">
        {form && (
          <>
            <Text size="sm">Для организации: {names.organisation(organisationId)}</Text>
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
