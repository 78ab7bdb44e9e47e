import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import {
  type CalendarYear,
  type Health,
  type Role,
  type RoutingRule,
  type StaffMember,
} from '../../api/types';
import { ExportButtons, PageTitle } from '../../components/common';
import { CHANNEL_LABEL, DAY_KIND_LABEL, ORG_KIND_LABEL, ROLE_LABEL } from '../../lib/labels';
import { formatDateTime } from '../../lib/time';

const SECTIONS = [
  { value: 'organisations', label: 'Организации' },
  { value: 'users', label: 'Сотрудники и роли' },
  { value: 'routing', label: 'Маршрутизация' },
  { value: 'topics', label: 'Рубрикатор' },
  { value: 'calendar', label: 'Производственный календарь' },
  { value: 'channels', label: 'Каналы' },
];

export function AdminPage() {
  const { section = 'organisations' } = useParams();
  const navigate = useNavigate();
  return (
    <Stack gap="sm">
      <PageTitle title="Администрирование" subtitle="Справочники, сотрудники, правила и состояние каналов" />
      <Tabs value={section} onChange={(v) => navigate(`/admin/${v}`)} keepMounted={false}>
        <Tabs.List mb="sm">
          {SECTIONS.map((s) => (
            <Tabs.Tab key={s.value} value={s.value}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="organisations">
          <Organisations />
        </Tabs.Panel>
        <Tabs.Panel value="users">
          <Users />
        </Tabs.Panel>
        <Tabs.Panel value="routing">
          <RoutingRules />
        </Tabs.Panel>
        <Tabs.Panel value="topics">
          <Topics />
        </Tabs.Panel>
        <Tabs.Panel value="calendar">
          <Calendar />
        </Tabs.Panel>
        <Tabs.Panel value="channels">
          <Channels />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Box({ children }: { children: ReactNode }) {
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      <Table.ScrollContainer minWidth={700}>{children}</Table.ScrollContainer>
    </Paper>
  );
}

function Organisations() {
  const names = useNames();
  const depth = (id: string | null, n = 0): number =>
    id ? depth(names.organisations.find((o) => o.id === id)?.parentId ?? null, n + 1) : n;
  return (
    <Stack gap="xs">
      <Group justify="flex-end">
        <ExportButtons
          table={() => ({
            name: 'organizacii',
            header: ['Код', 'Краткое наименование', 'Полное наименование', 'Вид', 'Часовой пояс'],
            rows: names.organisations.map((o) => [
              o.code,
              o.shortName,
              o.name,
              ORG_KIND_LABEL[o.kind] ?? o.kind,
              o.timeZone,
            ]),
          })}
        />
      </Group>
      <Box>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Организации">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Наименование</Table.Th>
              <Table.Th>Вид</Table.Th>
              <Table.Th>Код</Table.Th>
              <Table.Th>Часовой пояс</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {names.organisations.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td style={{ paddingLeft: 12 + (depth(o.parentId) - 0) * 18 }}>
                  <Text size="sm" fw={o.parentId ? 400 : 600}>
                    {o.shortName}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {o.name}
                  </Text>
                </Table.Td>
                <Table.Td>{ORG_KIND_LABEL[o.kind] ?? o.kind}</Table.Td>
                <Table.Td>
                  <code>{o.code}</code>
                </Table.Td>
                <Table.Td>{o.timeZone}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Box>
    </Stack>
  );
}

function Users() {
  const names = useNames();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call<StaffMember[]>('users') });
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
      <Box>
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
      </Box>
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

function RoutingRules() {
  const names = useNames();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: ['routing-rules'], queryFn: () => call<RoutingRule[]>('routingRules') });
  const empty = {
    id: '',
    name: '',
    priority: 100,
    topicId: '',
    territoryCode: '',
    organisationIds: [] as string[],
  };
  const [edit, setEdit] = useState<typeof empty | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['routing-rules'] });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: edit!.name,
        priority: edit!.priority,
        topicId: edit!.topicId || null,
        territoryCode: edit!.territoryCode || null,
        organisationIds: edit!.organisationIds,
      };
      return edit!.id
        ? call('updateRoutingRule', { params: { id: edit!.id }, body })
        : call('createRoutingRule', { body });
    },
    onSuccess: async () => {
      setEdit(null);
      setError(null);
      await refresh();
    },
    onError: (e) => setError(errorText(e)),
  });
  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: () => refresh(),
    onError: (e) => setError(errorText(e)),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Тема и/или территория (ОКТМО) → одна или несколько организаций. Среди равных по точности побеждает
          больший приоритет.
        </Text>
        <Button size="xs" onClick={() => setEdit(empty)}>
          Новое правило
        </Button>
      </Group>
      {error && !edit && (
        <Alert color="red" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <Box>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Правила маршрутизации">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Правило</Table.Th>
              <Table.Th>Тема</Table.Th>
              <Table.Th>Территория</Table.Th>
              <Table.Th>Куда</Table.Th>
              <Table.Th ta="right">Приоритет</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(rules.data ?? []).map((r) => (
              <Table.Tr key={r.id} opacity={r.active ? 1 : 0.55}>
                <Table.Td>
                  {r.name}
                  {!r.active && (
                    <Badge ml={6} size="xs" color="gray" style={{ textTransform: 'none' }}>
                      отключено
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{r.topic?.name ?? '—'}</Table.Td>
                <Table.Td>{r.territoryCode ?? '—'}</Table.Td>
                <Table.Td>{r.organisations.map((o) => o.shortName).join(', ')}</Table.Td>
                <Table.Td ta="right">{r.priority}</Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() =>
                        setEdit({
                          id: r.id,
                          name: r.name,
                          priority: r.priority,
                          topicId: r.topicId ?? '',
                          territoryCode: r.territoryCode ?? '',
                          organisationIds: r.organisationIds,
                        })
                      }
                    >
                      Изменить
                    </Button>
                    {r.active && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="gray"
                        onClick={() =>
                          act.mutate(() => call('deactivateRoutingRule', { params: { id: r.id } }))
                        }
                      >
                        Отключить
                      </Button>
                    )}
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => act.mutate(() => call('deleteRoutingRule', { params: { id: r.id } }))}
                    >
                      Удалить
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Box>
      <Modal
        opened={edit !== null}
        onClose={() => setEdit(null)}
        title={edit?.id ? 'Изменить правило' : 'Новое правило'}
        size="lg"
      >
        {edit && (
          <Stack>
            <TextInput
              label="Название"
              value={edit.name}
              onChange={(e) => setEdit({ ...edit, name: e.currentTarget.value })}
            />
            <SimpleGrid cols={2}>
              <Select
                label="Тема"
                searchable
                clearable
                data={names.topics.map((t) => ({ value: t.id, label: t.parentId ? `— ${t.name}` : t.name }))}
                value={edit.topicId || null}
                onChange={(v) => setEdit({ ...edit, topicId: v ?? '' })}
              />
              <TextInput
                label="Территория (ОКТМО)"
                value={edit.territoryCode}
                onChange={(e) => setEdit({ ...edit, territoryCode: e.currentTarget.value })}
              />
            </SimpleGrid>
            <MultiSelect
              label="Организации"
              searchable
              data={names.organisations.map((o) => ({ value: o.id, label: o.shortName }))}
              value={edit.organisationIds}
              onChange={(v) => setEdit({ ...edit, organisationIds: v })}
            />
            <NumberInput
              label="Приоритет"
              value={edit.priority}
              min={0}
              onChange={(v) => setEdit({ ...edit, priority: Number(v) || 0 })}
              w={160}
            />
            {error && (
              <Text c="red" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setEdit(null)}>
                Отмена
              </Button>
              <Button loading={save.isPending} onClick={() => save.mutate()}>
                Сохранить
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function Topics() {
  const names = useNames();
  const roots = names.topics.filter((t) => !t.parentId);
  return (
    <Box>
      <Table fz="sm" verticalSpacing={4} aria-label="Рубрикатор">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Тема / подтема</Table.Th>
            <Table.Th>Код</Table.Th>
            <Table.Th>Орган по умолчанию</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {roots.flatMap((t) => [
            <Table.Tr key={t.id} bg="gray.0">
              <Table.Td fw={600}>{t.name}</Table.Td>
              <Table.Td>
                <code>{t.code}</code>
              </Table.Td>
              <Table.Td>{t.defaultOrganisationName ?? '—'}</Table.Td>
            </Table.Tr>,
            ...names.topics
              .filter((s) => s.parentId === t.id)
              .map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td pl={32}>{s.name}</Table.Td>
                  <Table.Td>
                    <code>{s.code}</code>
                  </Table.Td>
                  <Table.Td>{s.defaultOrganisationName ?? '—'}</Table.Td>
                </Table.Tr>
              )),
          ])}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

const MONTHS = [
  'Январь',
  'Февраль',
  'Март',
  'Апрель',
  'Май',
  'Июнь',
  'Июль',
  'Август',
  'Сентябрь',
  'Октябрь',
  'Ноябрь',
  'Декабрь',
];

function Calendar() {
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const years = useQuery({
    queryKey: ['calendars'],
    queryFn: () => call<{ year: number; status: string }[]>('calendars'),
  });
  const data = useQuery({
    queryKey: ['calendar', year],
    queryFn: () => call<CalendarYear>('calendarYear', { params: { year } }),
  });
  const c = data.data;
  return (
    <Stack gap="sm">
      <Group align="flex-end">
        <Select
          label="Год"
          w={140}
          data={(years.data ?? []).map((y) => ({
            value: String(y.year),
            label: `${y.year}${y.status === 'derived' ? ' (предв.)' : ''}`,
          }))}
          value={year}
          onChange={(v) => v && setYear(v)}
        />
        {c && (
          <Text size="sm" c="dimmed">
            Рабочих дней: <b>{c.summary.workingDays}</b> · выходных и праздничных:{' '}
            <b>{c.summary.nonWorkingDays}</b> · норма часов (40-часовая неделя):{' '}
            <b>{c.summary.workingHours40}</b>
          </Text>
        )}
      </Group>
      {data.isLoading && <Loader size="sm" />}
      {data.isError && <Alert color="red">{errorText(data.error)}</Alert>}
      {c && (
        <>
          <Text size="xs" c="dimmed">
            {c.status === 'official'
              ? 'Официальный календарь'
              : 'Предварительный календарь (постановление ещё не издано)'}
            : {c.source}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} spacing="sm">
            {MONTHS.map((name, m) => {
              const days = c.days.filter((d) => Number(d.date.slice(5, 7)) === m + 1);
              const offset = (new Date(`${days[0].date}T00:00:00Z`).getUTCDay() + 6) % 7;
              return (
                <Paper key={name} withBorder p="xs" radius="md">
                  <Text size="sm" fw={600} mb={4}>
                    {name}
                  </Text>
                  <div className="calendar-grid" aria-label={`${name} ${c.year}`}>
                    {['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'].map((w) => (
                      <span key={w} style={{ color: 'var(--mantine-color-dimmed)' }}>
                        {w}
                      </span>
                    ))}
                    {Array.from({ length: offset }, (_, i) => (
                      <span key={`e${i}`} />
                    ))}
                    {days.map((d) => (
                      <span
                        key={d.date}
                        className="calendar-day"
                        data-kind={d.kind}
                        title={DAY_KIND_LABEL[d.kind]}
                      >
                        {Number(d.date.slice(8))}
                      </span>
                    ))}
                  </div>
                </Paper>
              );
            })}
          </SimpleGrid>
          <Group gap="md">
            {Object.entries(DAY_KIND_LABEL).map(([kind, label]) => (
              <Group key={kind} gap={6}>
                <span
                  className="calendar-day"
                  data-kind={kind}
                  style={{
                    width: 18,
                    height: 14,
                    display: 'inline-block',
                    border: '1px solid var(--mantine-color-gray-3)',
                  }}
                />
                <Text size="xs">{label}</Text>
              </Group>
            ))}
          </Group>
        </>
      )}
    </Stack>
  );
}

function Channels() {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => call<Health>('health'),
    refetchInterval: 30_000,
  });
  const h = health.data;
  return (
    <Stack gap="sm">
      {health.isLoading && <Loader size="sm" />}
      {h && (
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Service name="PostgreSQL" ok={h.postgres.ok} detail={`${h.postgres.latencyMs} мс`} />
          <Service name="Redis (очереди)" ok={h.redis.ok} detail={`${h.redis.latencyMs} мс`} />
          <Service
            name="Входящие в обработке"
            ok={!h.inboundItems.failed}
            detail={
              Object.entries(h.inboundItems)
                .map(([k, v]) => `${k === 'pending' ? 'ожидают' : k === 'failed' ? 'ошибка' : k}: ${v}`)
                .join(', ') || 'очередь пуста'
            }
          />
        </SimpleGrid>
      )}
      <Box>
        <Table fz="sm" verticalSpacing={5} striped aria-label="Каналы">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Канал</Table.Th>
              <Table.Th>Учётная запись</Table.Th>
              <Table.Th>Состояние</Table.Th>
              <Table.Th>Последний успешный обмен</Table.Th>
              <Table.Th ta="right">Получено</Table.Th>
              <Table.Th>Последняя ошибка</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(h?.channels ?? []).map((c) => (
              <Table.Tr key={`${c.channel}-${c.name}`}>
                <Table.Td>{CHANNEL_LABEL[c.channel] ?? c.channel}</Table.Td>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={!c.enabled ? 'gray' : c.consecutiveFailures > 0 ? 'red' : 'teal'}
                    style={{ textTransform: 'none' }}
                  >
                    {!c.enabled
                      ? 'Отключён'
                      : c.consecutiveFailures > 0
                        ? `Сбои: ${c.consecutiveFailures}`
                        : 'Работает'}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(c.lastSuccessAt)}</Table.Td>
                <Table.Td ta="right">{c.itemsReceived}</Table.Td>
                <Table.Td>
                  <Text size="xs" c={c.lastError ? 'red' : 'dimmed'} lineClamp={2}>
                    {c.lastError ? `${formatDateTime(c.lastErrorAt)}: ${c.lastError}` : '—'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {h && h.channels.length === 0 && (
          <Text c="dimmed" ta="center" p="md" size="sm">
            Учётные записи каналов не настроены
          </Text>
        )}
      </Box>
    </Stack>
  );
}

function Service({ name, ok, detail }: { name: string; ok: boolean; detail: string }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {name}
        </Text>
        <Badge color={ok ? 'teal' : 'red'} variant="light" style={{ textTransform: 'none' }}>
          {ok ? 'Доступен' : 'Недоступен'}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {detail}
      </Text>
    </Paper>
  );
}
