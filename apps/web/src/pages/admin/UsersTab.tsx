import {
  Badge,
  Button,
  Checkbox,
  Group,
  Menu,
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
import { type Role, type StaffMember } from '../../api/types';
import { useMe } from '../../auth';
import { ROLE_LABEL } from '../../lib/labels';
import { FormModal } from '../../components/forms';
import { ACTIONS, ListTable, LoadError, type Notice, NoticeAlert } from '../../components/tables';

interface Form {
  login: string;
  password: string;
  fullName: string;
  role: Role;
  organisationId: string;
  seesSubordinates: boolean;
}

const EMPTY: Form = {
  login: '',
  password: '',
  fullName: '',
  role: 'clerk',
  organisationId: '',
  seesSubordinates: false,
};

/** Staff accounts and their roles: add, edit, deactivate and re-activate, set a new password. */
export function UsersTab() {
  const me = useMe();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call('users') });
  /** null: closed; an id: editing that account; '': a new one. */
  const [editing, setEditing] = useState<string | null>(null);
  const [password, setPassword] = useState<StaffMember | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const toggle = useMutation({
    mutationFn: (u: StaffMember) =>
      call(u.active ? 'deactivateUser' : 'activateUser', { params: { id: u.id } }),
    onSuccess: async (u) => {
      setNotice({ color: 'teal', text: `${u.fullName}: ${u.active ? 'вход включён' : 'вход отключён'}` });
      await refresh();
    },
    onError: (e) => setNotice({ color: 'red', text: errorText(e) }),
  });
  const current = users.data?.find((u) => u.id === editing);

  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Роль определяет, что видит сотрудник: 2-я линия — только обращения своей организации.
        </Text>
        <Button size="xs" onClick={() => setEditing('')}>
          Добавить сотрудника
        </Button>
      </Group>
      <LoadError error={users.error} />
      <NoticeAlert notice={notice} onClose={() => setNotice(null)} />
      <ListTable label="Сотрудники" columns={['ФИО', 'Логин', 'Роль', 'Организация', 'Статус', ACTIONS]}>
        {(users.data ?? []).map((u) => (
          <Table.Tr key={u.id} data-testid="user-row" data-login={u.login}>
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
            <Table.Td ta="right">
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button size="compact-xs" variant="subtle" aria-label={`Действия: ${u.fullName}`}>
                    Действия
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setEditing(u.id)}>Изменить</Menu.Item>
                  <Menu.Item onClick={() => setPassword(u)}>Задать новый пароль</Menu.Item>
                  <Menu.Item
                    color={u.active ? 'red' : undefined}
                    disabled={u.id === me.id}
                    onClick={() => toggle.mutate(u)}
                  >
                    {u.active ? 'Отключить вход' : 'Включить вход'}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <UserModal
        key={editing ?? 'closed'}
        opened={editing !== null}
        user={current}
        onClose={() => setEditing(null)}
        onSaved={async (text) => {
          setEditing(null);
          setNotice({ color: 'teal', text });
          await refresh();
        }}
      />
      <PasswordModal
        key={password?.id ?? 'none'}
        user={password}
        onClose={() => setPassword(null)}
        onSaved={(text) => {
          setPassword(null);
          setNotice({ color: 'teal', text });
        }}
      />
    </Stack>
  );
}

function UserModal(props: {
  opened: boolean;
  user: StaffMember | undefined;
  onClose: () => void;
  onSaved: (text: string) => Promise<void>;
}) {
  const names = useNames();
  const u = props.user;
  const [form, setForm] = useState<Form>(
    u
      ? {
          ...EMPTY,
          login: u.login,
          fullName: u.fullName,
          role: u.role,
          organisationId: u.organisationId,
          seesSubordinates: u.seesSubordinates,
        }
      : EMPTY,
  );
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      u
        ? call('updateUser', {
            params: { id: u.id },
            body: {
              fullName: form.fullName,
              role: form.role,
              organisationId: form.organisationId,
              seesSubordinates: form.seesSubordinates,
            },
          })
        : call('createUser', { body: form }),
    onSuccess: (saved) =>
      props.onSaved(u ? `Сотрудник изменён: ${saved.fullName}` : `Добавлен: ${saved.fullName}`),
    onError: (e) => setError(errorText(e)),
  });
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={u ? 'Изменить сотрудника' : 'Новый сотрудник'}
      onSubmit={() => save.mutate()}
      error={error}
      saving={save.isPending}
      submitLabel={u ? 'Сохранить' : 'Создать'}
    >
      <TextInput
        label="ФИО"
        value={form.fullName}
        onChange={(e) => setForm({ ...form, fullName: e.currentTarget.value })}
      />
      <TextInput
        label="Логин"
        value={form.login}
        disabled={!!u}
        description={u ? 'Логин не меняется' : undefined}
        onChange={(e) => setForm({ ...form, login: e.currentTarget.value })}
      />
      {!u && (
        <PasswordInput
          label="Пароль (не короче 8 символов)"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
        />
      )}
      <Select
        label="Роль"
        data={Object.entries(ROLE_LABEL).map(([value, label]) => ({ value, label }))}
        value={form.role}
        onChange={(v) => v && setForm({ ...form, role: v as Role })}
        allowDeselect={false}
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
    </FormModal>
  );
}

function PasswordModal(props: {
  user: StaffMember | null;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => call('resetPassword', { params: { id: props.user!.id }, body: { password } }),
    onSuccess: () => props.onSaved(`Новый пароль задан: ${props.user!.fullName}. Сообщите его сотруднику.`),
    onError: (e) => setError(errorText(e)),
  });
  return (
    <FormModal
      opened={props.user !== null}
      onClose={props.onClose}
      title="Новый пароль"
      onSubmit={() => save.mutate()}
      error={error}
      saving={save.isPending}
      submitLabel="Задать пароль"
      submitDisabled={password.length < 8}
    >
      <Text size="sm">{props.user?.fullName}</Text>
      <PasswordInput
        label="Новый пароль (не короче 8 символов)"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        data-autofocus
      />
    </FormModal>
  );
}
