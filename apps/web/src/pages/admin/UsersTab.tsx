import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  PasswordInput,
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
import { type Role } from '../../api/types';
import { ROLE_LABEL } from '../../lib/labels';
import { TableBox } from './TableBox';

/** Staff accounts and their roles. */
export function UsersTab() {
  const names = useNames();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call('users') });
  const [opened, setOpened] = useState(false);
  const [form, setForm] = useState({
    login: '',
    password: '',
    fullName: '',
    role: 'clerk' as Role,
    organisationId: '',
    seesSubordinates: false,
  });
  const [error, setError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => call('createUser', { body: form }),
    onSuccess: async () => {
      setOpened(false);
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => setError(errorText(e)),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Роль определяет, что видит сотрудник: 2-я линия — только обращения своей организации.
        </Text>
        <Button size="xs" onClick={() => setOpened(true)}>
          Добавить сотрудника
        </Button>
      </Group>
      {users.isError && <Alert color="red">{errorText(users.error)}</Alert>}
      <TableBox>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Сотрудники">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>ФИО</Table.Th>
              <Table.Th>Логин</Table.Th>
              <Table.Th>Роль</Table.Th>
              <Table.Th>Организация</Table.Th>
              <Table.Th>Статус</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(users.data ?? []).map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.fullName}</Table.Td>
                <Table.Td>
                  <code>{u.login}</code>
                </Table.Td>
                <Table.Td>{ROLE_LABEL[u.role]}</Table.Td>
                <Table.Td>{u.organisationName}</Table.Td>
                <Table.Td>
                  <Badge color={u.active ? 'teal' : 'gray'} variant="light" style={{ textTransform: 'none' }}>
                    {u.active ? 'Активен' : 'Отключён'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableBox>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Новый сотрудник">
        <Stack>
          <TextInput
            label="ФИО"
            value={form.fullName}
            onChange={(e) => setForm({ ...form, fullName: e.currentTarget.value })}
          />
          <TextInput
            label="Логин"
            value={form.login}
            onChange={(e) => setForm({ ...form, login: e.currentTarget.value })}
          />
          <PasswordInput
            label="Пароль (не короче 8 символов)"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
          <Select
            label="Роль"
            data={Object.entries(ROLE_LABEL).map(([value, label]) => ({ value, label }))}
            value={form.role}
            onChange={(v) => v && setForm({ ...form, role: v as Role })}
          />
          <Select
            label="Организация"
            searchable
            data={names.organisations.map((o) => ({ value: o.id, label: o.shortName }))}
            value={form.organisationId || null}
            onChange={(v) => setForm({ ...form, organisationId: v ?? '' })}
          />
          <Checkbox
            label="Видит обращения подведомственных организаций"
            checked={form.seesSubordinates}
            onChange={(e) => setForm({ ...form, seesSubordinates: e.currentTarget.checked })}
          />
          {error && (
            <Text c="red" size="sm" role="alert">
              {error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>
              Отмена
            </Button>
            <Button loading={create.isPending} onClick={() => create.mutate()}>
              Создать
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
