import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Menu,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError, call, errorText } from '../../api/client';
import { type PasswordReset, type Role, type SignInLockout, type StaffMember } from '../../api/types';
import { useMe } from '../../auth';
import { ROLE_LABEL, roleLabel } from '../../lib/labels';
import { withChanges } from '../../lib/search-params';
import { formatDateTime } from '../../lib/time';
import { fieldsOf, FormModal, OrganisationSelect } from '../../components/forms';
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
  email: string;
  fullName: string;
  role: Role;
  organisationId: string;
  seesSubordinates: boolean;
}

const EMPTY: Form = {
  login: '',
  password: '',
  email: '',
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
  enrolment: 'Ожидает входа по коду',
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
 * address, so a reload keeps them), add, edit, switch sign-in off and on, reset a password (a one-time code to the
 * work e-mail, or shown to hand over), cancel a reset's code, lift a sign-in lock-out.
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
  const [resetting, setResetting] = useState<StaffMember | null>(null);
  const queryClient = useQueryClient();
  const list = useListNotice(['users']);
  const editor = useRowEditor(users.data, list);
  const toggle = useRowAction(
    list,
    (u: StaffMember) => call(u.active ? 'deactivateUser' : 'activateUser', { params: { id: u.id } }),
    (u) => `${u.fullName}: ${u.active ? 'вход включён' : 'вход отключён'}`,
  );
  const cancelCode = useRowAction(
    list,
    (u: StaffMember) => call('cancelEnrolment', { params: { id: u.id } }),
    (_, u) => `${u.fullName}: код для входа отменён, пароль остаётся сброшенным`,
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
        (filter.status === 'enrolment' && u.enrolmentUntil !== null) ||
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
                  {u.enrolmentUntil && <EnrolmentBadge user={u} />}
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
                  <Menu.Item disabled={u.id === me.id} onClick={() => setResetting(u)}>
                    {u.enrolmentUntil ? 'Выдать новый код для входа' : 'Сбросить пароль'}
                  </Menu.Item>
                  {u.enrolmentUntil && (
                    <Menu.Item onClick={() => cancelCode.mutate(u)}>Отменить код для входа</Menu.Item>
                  )}
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
      <ResetModal
        key={resetting?.id ?? 'none'}
        user={resetting}
        onClose={() => setResetting(null)}
        onReset={() => void queryClient.invalidateQueries({ queryKey: ['users'] })}
        onSent={(text) => {
          setResetting(null);
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
          email: u.email ?? '',
        }
      : EMPTY,
  );
  const subordinatesMatter = SUBORDINATES_MATTER.includes(form.role);
  const fields = {
    fullName: form.fullName.trim(),
    role: form.role,
    organisationId: form.organisationId,
    seesSubordinates: subordinatesMatter && form.seesSubordinates,
    email: form.email.trim() || null,
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
      <TextInput
        label="Рабочая почта"
        type="email"
        autoComplete="off"
        placeholder="name@example.ru"
        description="На неё придёт одноразовый код для входа, если пароль сбросят. Без неё код передаёт администратор лично."
        {...field.text('email')}
        error={said.email}
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

/** «Ожидает входа по коду до …» (or that the code ran out, or that its letter did not go). */
function EnrolmentBadge({ user }: { user: StaffMember }) {
  const until = user.enrolmentUntil!;
  const expired = Date.parse(until) <= Date.now();
  const failed = user.enrolmentDelivery === 'email-failed';
  return (
    <Badge
      color={expired || failed ? 'red' : 'yellow'}
      variant="light"
      style={{ textTransform: 'none', minWidth: 'max-content' }}
      data-testid="enrolment-state"
      title={
        user.enrolmentDelivery === 'shown'
          ? 'Код передан администратором лично'
          : failed
            ? 'Письмо с кодом не отправлено: выдайте новый код'
            : 'Код отправлен на рабочую почту'
      }
    >
      {expired
        ? `Код для входа истёк ${formatDateTime(until)}`
        : failed
          ? 'Пароль сброшен, письмо с кодом не отправлено'
          : `Ожидает входа по коду до ${formatDateTime(until)}`}
    </Badge>
  );
}

/**
 * A password reset: asked first (what it does, where the code goes), then what came of it. A code sent by e-mail
 * closes the dialog with a notice over the list; a code to hand over in person (no work e-mail) stays on the
 * screen until the administrator closes it, and a letter that did not go says why.
 */
function ResetModal(props: {
  user: StaffMember | null;
  onClose: () => void;
  /** The reset happened (the list is read again) and its result stays in the dialog. */
  onReset: () => void;
  onSent: (text: string) => void;
}) {
  const u = props.user;
  const [result, setResult] = useState<PasswordReset | null>(null);
  const reset = useFieldSave(
    () => call('resetPassword', { params: { id: u!.id } }),
    (r) => {
      if (r.delivery === 'email') props.onSent(`${u!.fullName}: пароль сброшен. ${r.message}`);
      else {
        setResult(r);
        props.onReset();
      }
    },
  );
  if (result)
    return (
      <Modal opened={u !== null} onClose={props.onClose} title="Пароль сброшен">
        <Stack>
          {result.delivery === 'shown' ? (
            <>
              <Alert color="yellow" variant="light" role="status">
                {result.message}
              </Alert>
              <Text size="sm">Код для входа сотрудника {u?.fullName}:</Text>
              <Code block fz={24} ta="center" data-testid="enrolment-code" data-literal>
                {result.code}
              </Code>
              <Text size="sm" c="dimmed">
                Сотрудник откроет страницу входа, нажмёт «Вход по коду», введёт логин{' '}
                <code data-literal>{u?.login}</code> и этот код и задаст свой пароль. Код показан один раз.
              </Text>
            </>
          ) : (
            <Alert color="red" variant="light" role="alert">
              {result.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button onClick={props.onClose}>Готово</Button>
          </Group>
        </Stack>
      </Modal>
    );
  const again = !!u?.enrolmentUntil;
  return (
    <FormModal
      opened={u !== null}
      onClose={props.onClose}
      title={again ? 'Новый код для входа' : 'Сброс пароля'}
      {...reset.modal}
      submitLabel={again ? 'Выдать новый код' : 'Сбросить пароль'}
    >
      <Text size="sm">
        {u?.fullName}: пароль перестанет действовать, все сеансы сотрудника завершатся сразу.
        {again && ' Прежний код перестанет действовать.'} Сотрудник войдёт по одноразовому коду (действует 24
        часа) и задаст свой пароль; вы его не узнаете.
      </Text>
      {u?.email ? (
        <Text size="sm">
          Код уйдёт на рабочую почту <code data-literal>{u.email}</code>.
        </Text>
      ) : (
        <Alert color="yellow" variant="light">
          У сотрудника нет рабочей почты: код будет показан вам, передайте его лично. Показ кода записывается
          в журнал.
        </Alert>
      )}
    </FormModal>
  );
}
