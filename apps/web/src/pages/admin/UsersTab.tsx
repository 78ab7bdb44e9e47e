import { Badge, Checkbox, Menu, PasswordInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call } from '../../api/client';
import { type Role, type StaffMember } from '../../api/types';
import { useMe } from '../../auth';
import { ROLE_LABEL, roleLabel } from '../../lib/labels';
import { fieldsOf, FormModal, useModalSave, textOf, OrganisationSelect } from '../../components/forms';
import {
  ACTIONS,
  ListHeader,
  ListTable,
  LoadError,
  RowMenu,
  useListNotice,
  useRowAction,
  useRowEditor,
} from '../../components/tables';

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
  const users = useQuery({ queryKey: ['users'], queryFn: () => call('users') });
  const [password, setPassword] = useState<StaffMember | null>(null);
  const list = useListNotice(['users']);
  const editor = useRowEditor(users.data, list);
  const toggle = useRowAction(
    list,
    (u: StaffMember) => call(u.active ? 'deactivateUser' : 'activateUser', { params: { id: u.id } }),
    (u) => `${u.fullName}: ${u.active ? 'вход включён' : 'вход отключён'}`,
  );

  return (
    <Stack gap="xs">
      <ListHeader
        hint="Роль определяет, что видит сотрудник: 2-я линия — только обращения своей организации."
        add="Добавить сотрудника"
        onAdd={editor.add}
      />
      <LoadError error={users.error} />
      {list.alert}
      <ListTable label="Сотрудники" columns={['ФИО', 'Логин', 'Роль', 'Организация', 'Статус', ACTIONS]}>
        {(users.data ?? []).map((u) => (
          <Table.Tr key={u.id} data-testid="user-row" data-login={u.login}>
            <Table.Td>{u.fullName}</Table.Td>
            <Table.Td>
              <code>{u.login}</code>
            </Table.Td>
            <Table.Td>{roleLabel(u.role)}</Table.Td>
            <Table.Td>{u.organisationName}</Table.Td>
            <Table.Td>
              {/* Read whole in a narrow column («Актив…» at 1366 px). */}
              <Badge
                color={u.active ? 'teal' : 'gray'}
                variant="light"
                style={{ textTransform: 'none', minWidth: 'max-content' }}
              >
                {u.active ? 'Активен' : 'Отключён'}
              </Badge>
            </Table.Td>
            <Table.Td ta="right">
              <RowMenu name={u.fullName}>
                <Menu.Item onClick={() => editor.edit(u.id)}>Изменить</Menu.Item>
                <Menu.Item onClick={() => setPassword(u)}>Задать новый пароль</Menu.Item>
                <Menu.Item
                  color={u.active ? 'red' : undefined}
                  disabled={u.id === me.id}
                  onClick={() => toggle.mutate(u)}
                >
                  {u.active ? 'Отключить вход' : 'Включить вход'}
                </Menu.Item>
              </RowMenu>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <UserModal key={editor.key} {...editor.modal} />
      <PasswordModal
        key={password?.id ?? 'none'}
        user={password}
        onClose={() => setPassword(null)}
        onSaved={(text) => {
          setPassword(null);
          list.setNotice({ color: 'teal', text });
        }}
      />
    </Stack>
  );
}

function UserModal(props: {
  opened: boolean;
  row: StaffMember | undefined;
  onClose: () => void;
  onSaved: (text: string) => Promise<void>;
}) {
  const u = props.row;
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
  const save = useModalSave(
    () =>
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
    (saved) => props.onSaved(u ? `Сотрудник изменён: ${saved.fullName}` : `Добавлен: ${saved.fullName}`),
  );
  const field = fieldsOf(form, setForm);
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={u ? 'Изменить сотрудника' : 'Новый сотрудник'}
      {...save}
      submitLabel={u ? 'Сохранить' : 'Создать'}
    >
      <TextInput label="ФИО" {...field.text('fullName')} />
      <TextInput
        label="Логин"
        {...field.text('login')}
        disabled={!!u}
        description={u ? 'Логин не меняется' : undefined}
      />
      {!u && <PasswordInput label="Пароль (не короче 8 символов)" {...field.text('password')} />}
      <Select
        label="Роль"
        data={Object.entries(ROLE_LABEL).map(([value, label]) => ({ value, label }))}
        value={form.role}
        onChange={(v) => v && setForm({ ...form, role: v as Role })}
        allowDeselect={false}
      />
      <OrganisationSelect
        label="Организация"
        searchable
        value={form.organisationId || null}
        onChange={(v) => setForm({ ...form, organisationId: v ?? '' })}
      />
      <Checkbox label="Видит обращения подведомственных организаций" {...field.checked('seesSubordinates')} />
    </FormModal>
  );
}

function PasswordModal(props: {
  user: StaffMember | null;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const [password, setPassword] = useState('');
  const save = useModalSave(
    () => call('resetPassword', { params: { id: props.user!.id }, body: { password } }),
    () => props.onSaved(`Новый пароль задан: ${props.user!.fullName}. Сообщите его сотруднику.`),
  );
  return (
    <FormModal
      opened={props.user !== null}
      onClose={props.onClose}
      title="Новый пароль"
      {...save}
      submitLabel="Задать пароль"
      submitDisabled={password.length < 8}
    >
      <Text size="sm">{props.user?.fullName}</Text>
      <PasswordInput
        label="Новый пароль (не короче 8 символов)"
        {...textOf(password, setPassword)}
        data-autofocus
      />
    </FormModal>
  );
}
