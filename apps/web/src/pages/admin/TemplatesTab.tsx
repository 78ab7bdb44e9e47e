import { Alert, Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { useMe } from '../../auth';
import { TableBox } from './TableBox';

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
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (f: Form) =>
      call('createTemplate', {
        body: { title: f.title.trim(), body: f.body, topicId: f.topicId || undefined, organisationId },
      }),
    onSuccess: async (_, f) => {
      setForm(null);
      setError(null);
      setNotice(`Шаблон добавлен: ${f.title.trim()}`);
      await queryClient.invalidateQueries({ queryKey: ['templates'] });
    },
    onError: (e) => setError(errorText(e)),
  });

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
      {templates.isError && (
        <Alert color="red" role="alert">
          {errorText(templates.error)}
        </Alert>
      )}
      {notice && (
        <Alert color="teal" role="status" withCloseButton onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <TableBox>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Шаблоны ответов">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Шаблон</Table.Th>
              <Table.Th>Тема</Table.Th>
              <Table.Th>Чей</Table.Th>
              <Table.Th>Текст</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {templates.data?.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text size="sm" c="dimmed">
                    У организации нет шаблонов ответов.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
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
          </Table.Tbody>
        </Table>
      </TableBox>
      <Modal opened={form !== null} onClose={() => setForm(null)} title="Новый шаблон ответа" size="lg">
        {form && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(form);
            }}
          >
            <Stack>
              <Text size="sm">Для организации: {names.organisation(organisationId)}</Text>
              <TextInput
                label="Название"
                required
                data-autofocus
                value={form.title}
                onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
              />
              <Select
                label="Тема"
                description="Пусто — для любой темы"
                searchable
                clearable
                data={names.topics.map((t) => ({ value: t.id, label: t.parentId ? `— ${t.name}` : t.name }))}
                value={form.topicId || null}
                onChange={(v) => setForm({ ...form, topicId: v ?? '' })}
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
              {error && (
                <Text c="red.9" size="sm" role="alert">
                  {error}
                </Text>
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setForm(null)}>
                  Отмена
                </Button>
                <Button type="submit" loading={save.isPending}>
                  Сохранить шаблон
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Stack>
  );
}
