import {
  Badge,
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
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError, call, errorText } from '../../api/client';
import { type Role, type SignInLockout, type StaffMember } from '../../api/types';
import { useMe } from '../../auth';
import { ROLE_LABEL, roleLabel } from '../../lib/labels';
import { withChanges } from '../../lib/search-params';
import { formatDateTime } from '../../lib/time';
import { fieldsOf, FormModal, textOf, OrganisationSelect } from '../../components/forms';
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

/** What each role sees and does, under the role's select: the scope the organisation chosen gives it. */
const ROLE_SCOPE: Record<Role, string> = {
  operator: 'Видит все обращения области: регистрирует их и передаёт на 2-ю линию.',
  clerk: 'Видит обращения своей организации: готовит ответы.',
  head: 'Видит обращения своей организации: согласует ответы и продлевает сроки.',
  supervisor:
    'В Правительстве и ЦУР видит все обращения области, в другой организации — её и подведомственные: контроль сроков и отчёты.',
  admin: 'Ведёт справочники и сотрудников; персональных данных заявителей не видит.',
};

/** Roles whose scope the «подведомственные» box widens (the others' scope does not depend on it). */
const SUBORDINATES_MATTER: Role[] = ['clerk', 'head'];

const STATUS_FILTER = {
  active: 'Вход включён',
  inactive: 'Вход отключён',
  temporary: 'Временный пароль',
  locked: 'Вход заблокирован',
} as const;

/** The search's parameters in the address. */
const SEARCH_KEYS = ['q', 'role', 'org', 'status'] as const;
type Search = Record<(typeof SEARCH_KEYS)[number], string>;

const optionsOf = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));
const ROLE_OPTIONS = optionsOf(ROLE_LABEL);

/**
 * Staff accounts and their roles: find them (by name or login, role, organisation, status: kept in the
 * address, so a reload keeps them), add, edit, switch sign-in off and on, set a temporary password, lift a
 * sign-in lock-out.
 */
export function UsersTab() {
  const me = useMe();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call('users') });
  const lockouts = useQuery({
    queryKey: ['users', 'lockouts'],
    queryFn: () => call('signInLockouts'),
    refetchInterval: 60_000,
  });
  const [params, setParams] = useSearchParams();
  const [password, setPassword] = useState<StaffMember | null>(null);
  const list = useListNotice(['users']);
  const editor = useRowEditor(users.data, list);
  const toggle = useRowAction(
    list,
    (u: StaffMember) => call(u.active ? 'deactivateUser' : 'activateUser', { params: { id: u.id } }),
    (u) => `${u.fullName}: ${u.active ? 'вход включён' : 'вход отключён'}`,
  );
  const unlock = useRowAction(
    list,
    (u: StaffMember) => call('unlockUser', { params: { id: u.id } }),
    (_, u) => `${u.fullName}: блокировка входа снята`,
  );

  // An account's lock-out by its id (an address's, or a login no account has, is no row's).
  const lockedUntil = new Map<string, string>(
    (lockouts.data ?? []).flatMap((l: SignInLockout) =>
      l.kind === 'login' && l.accountId ? [[l.accountId, l.lockedUntil] as const] : [],
    ),
  );
  // The search is the page's own state, read from the address once and written back to it after each change (a
  // reload keeps it). Read from the address, it lagged: the router draws a new address later, in a transition, so
  // a filter set before that was added to the address drawn last (a role picked just after the name was cleared
  // brought the name back), and the name's input fell back to the drawn value between keystrokes.
  const [filter, setSearch] = useState<Search>(
    () => Object.fromEntries(SEARCH_KEYS.map((k) => [k, params.get(k) ?? ''])) as Search,
  );
  const search = withChanges(new URLSearchParams(), filter).toString();
  const written = useRef(search);
  useEffect(() => {
    if (search === written.current) return;
    written.current = search;
    setParams(search, { replace: true });
  }, [search, setParams]);
  const setFilter = (key: keyof Search, value: string) => setSearch((f) => ({ ...f, [key]: value }));
  /** A select of the search bound to its parameter in the address. */
  const filterBy = (key: keyof typeof filter) => ({
    w: 240,
    clearable: true,
    value: filter[key] || null,
    onChange: (v: string | null) => setFilter(key, v ?? ''),
  });
  const words = filter.q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const all = users.data ?? [];
  const shown = all.filter(
    (u) =>
      words.every((w) => `${u.fullName} ${u.login}`.toLowerCase().includes(w)) &&
      (!filter.role || u.role === filter.role) &&
      (!filter.org || u.organisationId === filter.org) &&
      (!filter.status ||
        (filter.status === 'active' && u.active) ||
        (filter.status === 'inactive' && !u.active) ||
        (filter.status === 'temporary' && u.mustChangePassword) ||
        (filter.status === 'locked' && lockedUntil.has(u.id))),
  );
  const filtered = shown.length !== all.length;

  return (
    <Stack gap="xs">
      <ListHeader
        hint="Роль и организация определяют, что видит сотрудник: 2-я линия — только обращения своей организации."
        add="Добавить сотрудника"
        onAdd={editor.add}
      />
      <Group gap="xs" align="flex-end" wrap="wrap" role="search" aria-label="Поиск сотрудников">
        <TextInput
          label="ФИО или логин"
          placeholder="Например, Иванова"
          w={240}
          value={filter.q}
          onChange={(e) => setFilter('q', e.currentTarget.value)}
        />
        <Select label="Роль" placeholder="Все роли" data={ROLE_OPTIONS} {...filterBy('role')} />
        <OrganisationSelect
          label="Организация сотрудника"
          placeholder="Все организации"
          searchable
          {...filterBy('org')}
        />
        <Select
          label="Статус"
          placeholder="Любой"
          data={optionsOf(STATUS_FILTER)}
          {...filterBy('status')}
          w={200}
        />
      </Group>
      <LoadError error={users.error} />
      {list.alert}
      {users.data && (
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="users-count">
          {filtered ? `Найдено: ${shown.length} из ${all.length}` : `Сотрудников: ${all.length}`}
        </Text>
      )}
      <ListTable
        label="Сотрудники"
        columns={['ФИО', 'Логин', 'Роль', 'Организация', 'Статус', ACTIONS]}
        empty={users.data && shown.length === 0 && 'Никто не подходит под условия поиска.'}
      >
        {shown.map((u) => {
          const locked = lockedUntil.get(u.id);
          return (
            <Table.Tr key={u.id} data-testid="user-row" data-login={u.login}>
              <Table.Td>{u.fullName}</Table.Td>
              <Table.Td>
                <code data-literal>{u.login}</code>
              </Table.Td>
              <Table.Td>{roleLabel(u.role)}</Table.Td>
              <Table.Td>{u.organisationName}</Table.Td>
              <Table.Td>
                <Stack gap={2} align="flex-start">
                  {/* Read whole in a narrow column («Актив…» at 1366 px). */}
                  <Badge
                    color={u.active ? 'teal' : 'gray'}
                    variant="light"
                    style={{ textTransform: 'none', minWidth: 'max-content' }}
                  >
                    {u.active ? 'Активен' : 'Отключён'}
                  </Badge>
                  {u.mustChangePassword && (
                    <Badge
                      color="yellow"
                      variant="light"
                      style={{ textTransform: 'none', minWidth: 'max-content' }}
                      title="Пароль задал администратор: сотрудник сменит его при входе"
                    >
                      Временный пароль
                    </Badge>
                  )}
                  {locked && (
                    <Badge
                      color="red"
                      variant="light"
                      style={{ textTransform: 'none', minWidth: 'max-content' }}
                    >
                      Вход заблокирован до {formatDateTime(locked)}
                    </Badge>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td ta="right">
                <RowMenu name={u.fullName}>
                  <Menu.Item onClick={() => editor.edit(u.id)}>Изменить</Menu.Item>
                  {/* One's own password is changed in the profile, proving the current one (the api refuses). */}
                  <Menu.Item disabled={u.id === me.id} onClick={() => setPassword(u)}>
                    Задать временный пароль
                  </Menu.Item>
                  {locked && <Menu.Item onClick={() => unlock.mutate(u)}>Снять блокировку входа</Menu.Item>}
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
          );
        })}
      </ListTable>
      <UserModal key={editor.key} {...editor.modal} />
      <PasswordModal
        key={password?.id ?? 'none'}
        user={password}
        onClose={() => setPassword(null)}
        onSaved={(text) => {
          setPassword(null);
          void list.done(text);
        }}
      />
    </Stack>
  );
}

/** A save whose refusal is kept whole: the message for the form, and what the server said of each field. */
function useFieldSave<R>(save: () => Promise<R>, onSaved: (saved: R) => unknown) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: save,
    onSuccess: onSaved,
    onError: (e) => {
      const byField = e instanceof ApiError ? e.fields : {};
      setFields(byField);
      // The fields say it under each input; the form says what is wrong overall, and what no field shows.
      setError(Object.keys(byField).length ? 'Исправьте отмеченные поля' : errorText(e));
    },
  });
  return {
    fields,
    modal: { onSubmit: () => mutation.mutate(), error, saving: mutation.isPending },
  };
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
  const subordinatesMatter = SUBORDINATES_MATTER.includes(form.role);
  const fields = {
    fullName: form.fullName.trim(),
    role: form.role,
    organisationId: form.organisationId,
    seesSubordinates: subordinatesMatter && form.seesSubordinates,
  };
  const save = useFieldSave(
    () =>
      u
        ? call('updateUser', { params: { id: u.id }, body: fields })
        : call('createUser', { body: { ...fields, login: form.login.trim(), password: form.password } }),
    (saved) => props.onSaved(u ? `Сотрудник изменён: ${saved.fullName}` : `Добавлен: ${saved.fullName}`),
  );
  const field = fieldsOf(form, setForm);
  const said = save.fields;
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={u ? 'Изменить сотрудника' : 'Новый сотрудник'}
      {...save.modal}
      submitLabel={u ? 'Сохранить' : 'Создать'}
    >
      <TextInput label="ФИО" required {...field.text('fullName')} error={said.fullName} data-autofocus />
      <TextInput
        label="Логин"
        required
        {...field.text('login')}
        disabled={!!u}
        description={u ? 'Логин не меняется' : 'Латинские буквы, цифры, точка, дефис'}
        error={said.login}
      />
      {!u && (
        <PasswordInput
          label="Временный пароль (не короче 8 символов)"
          description="Сообщите его сотруднику: при первом входе он задаст свой"
          required
          {...field.text('password')}
          error={said.password}
        />
      )}
      <Select
        label="Роль"
        required
        data={ROLE_OPTIONS}
        value={form.role}
        onChange={(v) => v && setForm({ ...form, role: v as Role })}
        allowDeselect={false}
        description={ROLE_SCOPE[form.role]}
        error={said.role}
      />
      <OrganisationSelect
        label="Организация"
        required
        searchable
        value={form.organisationId || null}
        onChange={(v) => setForm({ ...form, organisationId: v ?? '' })}
        error={said.organisationId}
      />
      {subordinatesMatter && (
        <Checkbox
          label="Видит обращения подведомственных организаций"
          {...field.checked('seesSubordinates')}
        />
      )}
    </FormModal>
  );
}

function PasswordModal(props: {
  user: StaffMember | null;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const [password, setPassword] = useState('');
  const save = useFieldSave(
    () => call('resetPassword', { params: { id: props.user!.id }, body: { password } }),
    () =>
      props.onSaved(
        `Временный пароль задан: ${props.user!.fullName}. Сообщите его сотруднику: при входе он задаст свой.`,
      ),
  );
  const short = password.length > 0 && password.length < 8;
  return (
    <FormModal
      opened={props.user !== null}
      onClose={props.onClose}
      title="Временный пароль"
      {...save.modal}
      submitLabel="Задать пароль"
      submitDisabled={password.length < 8}
    >
      <Text size="sm">
        {props.user?.fullName} войдёт с ним и сразу задаст свой; прежний пароль перестаёт действовать.
      </Text>
      <PasswordInput
        label="Временный пароль (не короче 8 символов)"
        {...textOf(password, setPassword)}
        error={save.fields.password ?? (short ? 'Пароль — не короче 8 символов' : undefined)}
        data-autofocus
      />
    </FormModal>
  );
}
