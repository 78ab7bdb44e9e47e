import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  CloseButton,
  Collapse,
  Group,
  Indicator,
  Kbd,
  Loader,
  Modal,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { type MouseEvent, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { allAppeals } from '../api/all-appeals';
import { buildUrl, call, errorText, getToken } from '../api/client';
import { useNames, useOrganisationZone, useOwnOrganisations } from '../api/hooks';
import { type AppealSummary, type Me } from '../api/types';
import { useMe } from '../auth';
import {
  ChannelBadge,
  Countdown,
  ExportButtons,
  FastTrackBadge,
  type Progress,
  PageTitle,
  StatusAlert,
  StatusBadge,
  WithdrawnBadge,
} from '../components/common';
import { EscalateModal } from '../components/EscalateModal';
import { SearchIcon } from '../components/icons';
import {
  CHANNEL_LABEL,
  OPEN_STATUSES,
  STATUS_LABEL,
  plural,
  channelLabel,
  satisfactionLabel,
  statusLabel,
} from '../lib/labels';
import { defaultQueue, QUEUES } from '../lib/queues';
import { formatDateTime, formatInZone, formatLocalDate, zoneLabel, zoneNote } from '../lib/time';
import { AssigneeSelect, textOf, OrganisationSelect, DialogButtons } from '../components/forms';
import { type ParamChanges, paramSelect, withChanges } from '../lib/search-params';
import { ShowMore } from '../components/tables';
import { partStateLabel } from './appeal/appeal-state';

/** A pause in typing that runs the search, and the fewest characters worth searching for without Enter. */
const SEARCH_PAUSE_MS = 600;
const SEARCH_MIN_LENGTH = 3;

/** URL parameters passed to the list endpoint as they are. */
const FILTER_KEYS = [
  'status',
  'channel',
  'line',
  'organisationId',
  'fastTrack',
  'withdrawn',
  'approval',
  'q',
  'sort',
  'topicId',
  'clock',
  'ids',
  'assigneeId',
  'dueBefore',
  'dueAfter',
  'registeredAfter',
  'registeredBefore',
  'rating',
  'ratedAfter',
] as const;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable;
}

/**
 * Live updates over server-sent events; returns whether the stream is up. `onChange` hears each update: how many
 * appeals are new and which appeals changed.
 */
export function useLiveUpdates(onChange: (newAppeals: number, appealIds: string[]) => void): boolean {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onChange);
  handler.current = onChange;
  useEffect(() => {
    if (!getToken() || typeof EventSource === 'undefined') return;
    // The session token never goes into the URL: each connection takes a single-use 30-second ticket, and a
    // dropped connection asks for a new one (EventSource's own retry would repeat a used ticket).
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = async () => {
      try {
        const { ticket } = await call('appealStreamTicket');
        if (stopped) return;
        source = new EventSource(buildUrl('appealStream', undefined, { ticket }));
      } catch {
        if (!stopped) retry = setTimeout(() => void connect(), 5000);
        return;
      }
      source.addEventListener('ready', () => setConnected(true));
      source.addEventListener('appeals', (e) => {
        try {
          const data = JSON.parse((e as MessageEvent<string>).data) as {
            newAppeals?: number;
            appealIds?: string[];
          };
          handler.current(data.newAppeals ?? 0, Array.isArray(data.appealIds) ? data.appealIds : []);
        } catch {
          handler.current(0, []);
        }
      });
      source.onerror = () => {
        setConnected(false);
        source?.close();
        if (!stopped) retry = setTimeout(() => void connect(), 5000);
      };
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);
  return connected;
}

export function InboxPage() {
  const me = useMe();
  const names = useNames();
  const ownZone = useOrganisationZone();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const explicit = FILTER_KEYS.some((k) => params.has(k));
  const queueId = params.get('queue') ?? (explicit ? null : defaultQueue(me));
  const queue = QUEUES.find((q) => q.id === queueId);

  const filter = useMemo(() => {
    const f: Record<string, string> = { ...(queue?.filter(me) ?? {}) };
    for (const key of FILTER_KEYS) {
      const v = params.get(key);
      if (v) f[key] = v;
    }
    return f;
  }, [params, queue, me]);

  const list = useInfiniteQuery({
    queryKey: ['appeals', filter],
    queryFn: ({ pageParam }) =>
      call('appeals', { query: { ...filter, limit: 50, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const total = useQuery({
    queryKey: ['appeals', 'count', filter],
    queryFn: () => call('appealCount', { query: filter }),
  });
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [filtersOpen, filters] = useDisclosure(false);

  const [fresh, setFresh] = useState(0);
  const live = useLiveUpdates(
    useCallback(
      (n: number) => {
        if (n > 0) setFresh((x) => x + n);
        void queryClient.invalidateQueries({ queryKey: ['appeals'] });
      },
      [queryClient],
    ),
  );

  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const rowRefs = useRef<(HTMLTableRowElement | null)[]>([]);
  const searchRef = useRef<HTMLInputElement>(null);
  const [search, setSearch] = useState(params.get('q') ?? '');
  // The search this field itself put in the address: the field then keeps what was typed since (a space before
  // the next word, the next letters), and is set from the address only when something else changed it.
  const searchedRef = useRef<string | null>(null);
  useEffect(() => {
    const q = params.get('q') ?? '';
    if (q === searchedRef.current) return;
    searchedRef.current = null;
    setSearch(q);
  }, [params]);
  useEffect(() => {
    setActive(0);
    setSelected(new Set());
  }, [filter]);

  const update = (changes: ParamChanges) => {
    const keepQueue = !params.has('queue') && queueId && !explicit ? { queue: queueId } : {};
    setParams(withChanges(params, { ...keepQueue, ...changes }));
  };
  const byParam = (key: string) => paramSelect(params, update, key);
  const searchFor = (q: string) => {
    searchedRef.current = q;
    update({ q: q || null });
  };
  // The pause's timer searches with the address as it is then (a filter chosen meanwhile stays chosen).
  const searchForNow = useRef(searchFor);
  searchForNow.current = searchFor;
  // The search runs once typing pauses (operators did not guess that Enter was needed); Enter runs it at once. Only
  // typing starts it: a change of queue resets the field, which clears a pending search.
  useEffect(() => {
    const q = search.trim();
    if (q === (params.get('q') ?? '') || (q.length > 0 && q.length < SEARCH_MIN_LENGTH)) return;
    // Any change of the address meanwhile (Enter's own search, a reset, another queue) cancels it.
    const address = window.location.search;
    const timer = setTimeout(() => {
      if (window.location.search === address) searchForNow.current(q);
    }, SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // Keyboard: j/k or arrows move, Enter opens, x selects, / searches.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !isTyping(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey || items.length === 0) return;
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((i) => Math.min(i + 1, items.length - 1));
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((i) => Math.max(i - 1, 0));
      } else if (e.key === 'Enter') {
        const item = items[active];
        if (item && (e.target === document.body || (e.target as HTMLElement).tagName === 'TR')) {
          e.preventDefault();
          navigate(`/appeals/${item.id}`);
        }
      } else if (e.key === 'x') {
        const item = items[active];
        if (item) toggle(item.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  useEffect(() => {
    const row = rowRefs.current[active];
    if (row && document.activeElement?.tagName === 'TR') row.focus();
    row?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const [bulk, setBulk] = useState<'assign' | 'escalate' | null>(null);
  const [bulkResult, setBulkResult] = useState<{ ok: number; failed: string[] } | null>(null);

  async function runBulk(action: (id: string) => Promise<unknown>) {
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map(action));
    const failed = results.flatMap((r, i) => {
      if (r.status === 'fulfilled') return [];
      const number = items.find((x) => x.id === ids[i])?.registrationNumber ?? ids[i];
      return [`№ ${number}: ${errorText(r.reason)}`];
    });
    setBulkResult({ ok: ids.length - failed.length, failed });
    setSelected(new Set());
    setBulk(null);
    await queryClient.invalidateQueries({ queryKey: ['appeals'] });
  }

  const title = queue ? queue.label : params.has('ids') ? 'Обращения из отчёта' : 'Выборка обращений';
  // One zone for all rows (the usual case): named once here instead of on every row.
  const zones = new Set(items.map((i) => i.timeZone));
  const commonZone = zones.size === 1 ? [...zones][0] : null;
  const zoneText = commonZone ? zoneNote(commonZone) : '';
  const subtitle = `${queue ? queue.description : describe(filter, names, ownZone)}${zoneText ? ` · время: ${zoneText}` : ''}`;
  const allSelected = items.length > 0 && items.every((i) => selected.has(i.id));

  /** The whole result of the filter, page by page (200 a request), not only the rows loaded on screen. */
  const exportTable = async (progress: Progress) => {
    const all = await allAppeals(filter, progress);
    return {
      name: `obrashcheniya-${queueId ?? 'vyborka'}`,
      header: [
        'Рег. номер',
        'Зарегистрировано (время организации)',
        'Часовой пояс',
        'Канал',
        'Суть вопроса',
        'Ответственная организация',
        'Организации 2-й линии',
        'Исполнитель',
        'Статус',
        'Ближайший срок',
        'Срок ответа по 59-ФЗ',
        'Ускоренное',
      ],
      rows: all.map((i) => [
        i.registrationNumber,
        formatDateTime(i.registeredAt, i.timeZone),
        zoneLabel(i.timeZone),
        channelLabel(i.channel),
        i.subject ?? i.excerpt,
        i.organisationName,
        i.parts.map((p) => p.organisationName).join(', '),
        i.assigneeName ?? '',
        statusLabel(i.status),
        `${dueKindLabel(i)}: ${formatDateTime(i.nextDueAt, i.timeZone)}`,
        formatLocalDate(i.answerDueDate),
        i.fastTrack ? 'да' : '',
      ]),
    };
  };

  // A queue defined by one status («Новые», «Возвращённые», «На 2-й линии») shows it, fixed (it read «Любой»,
  // though the list held that status alone); one of the open statuses says so (in words that fit the field at
  // 1366 px: «Любой нерассмотрен…» was cut), and a status picked narrows it.
  const queueStatus = params.get('status') ? undefined : queue?.filter(me).status;
  const statusOfQueue = !!queueStatus && !queueStatus.includes(',');
  const filterFields = (
    <>
      <MultiSelect
        label="Статус"
        placeholder={
          params.get('status') || statusOfQueue ? undefined : queueStatus ? 'Любой открытый' : 'Любой'
        }
        description={statusOfQueue ? 'Задан очередью' : undefined}
        disabled={statusOfQueue}
        data={Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label }))}
        value={(params.get('status') ?? (statusOfQueue ? queueStatus : ''))?.split(',').filter(Boolean) ?? []}
        onChange={(v) => update({ status: v.join(',') || null })}
        clearable={!statusOfQueue}
        w={phone ? '100%' : 210}
        maxDropdownHeight={300}
      />
      <Select
        label="Канал"
        placeholder="Любой"
        data={Object.entries(CHANNEL_LABEL).map(([value, label]) => ({ value, label }))}
        {...byParam('channel')}
        clearable
        w={phone ? '100%' : 140}
      />
      <OrganisationSelect
        label="Организация"
        placeholder="Любая"
        searchable
        {...byParam('organisationId')}
        clearable
        w={phone ? '100%' : 210}
      />
      <Switch
        label="Ускоренные"
        checked={params.get('fastTrack') === 'true'}
        onChange={(e) => update({ fastTrack: e.currentTarget.checked ? 'true' : null })}
        mb={8}
      />
      <Switch
        label="Отозванные"
        description={phone ? 'Заявитель удалил сообщение или его снял модератор канала' : undefined}
        checked={params.get('withdrawn') === 'true'}
        onChange={(e) => update({ withdrawn: e.currentTarget.checked ? 'true' : null })}
        mb={8}
      />
    </>
  );

  return (
    <Stack gap="sm">
      <PageTitle
        title={title}
        subtitle={subtitle}
        right={
          <>
            <Tooltip label={live ? 'Новые обращения появляются сами' : 'Нет связи с потоком обновлений'}>
              <Group gap={6} data-testid="live-status" data-live={live}>
                <Indicator color={live ? 'teal' : 'gray'} processing={live} size={9} position="middle-center">
                  <span style={{ display: 'inline-block', width: 9 }} />
                </Indicator>
                <Text size="xs" c="dimmed">
                  {live ? 'В реальном времени' : 'Обновление вручную'}
                </Text>
              </Group>
            </Tooltip>
            <SegmentedControl
              aria-label="Сортировка"
              size="xs"
              value={filter.sort ?? 'registered'}
              onChange={(v) => update({ sort: v })}
              data={[
                { value: 'registered', label: 'Новые сверху' },
                { value: 'due', label: 'По сроку' },
              ]}
            />
            <ExportButtons table={exportTable} disabled={items.length === 0} />
          </>
        }
      />

      <Paper withBorder p="sm" radius="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <form
            noValidate
            role="search"
            style={{ flex: '1 1 240px' }}
            onSubmit={(e) => {
              e.preventDefault();
              searchFor(search.trim());
            }}
          >
            <TextInput
              ref={searchRef}
              label="Поиск по тексту"
              placeholder="Номер, телефон или слова"
              leftSection={<SearchIcon />}
              rightSection={
                search ? (
                  <CloseButton
                    aria-label="Очистить поиск"
                    onClick={() => {
                      setSearch('');
                      update({ q: null });
                    }}
                  />
                ) : (
                  <Kbd size="xs">/</Kbd>
                )
              }
              {...textOf(search, setSearch)}
            />
          </form>
          {phone && (
            <Button variant="default" size="sm" onClick={filters.toggle} aria-expanded={filtersOpen}>
              Фильтры
            </Button>
          )}
          {!phone && filterFields}
          {explicit && (
            <Button variant="subtle" size="sm" onClick={() => setParams(queueId ? { queue: queueId } : {})}>
              Сбросить фильтры
            </Button>
          )}
        </Group>
      </Paper>
      {phone && (
        <Collapse in={filtersOpen}>
          <Paper withBorder p="sm" radius="md">
            <Stack gap="xs">{filterFields}</Stack>
          </Paper>
        </Collapse>
      )}

      {fresh > 0 && (
        <StatusAlert color="teal" variant="light" withCloseButton onClose={() => setFresh(0)} py={6}>
          Поступило новых обращений: {fresh}. Список обновлён.
        </StatusAlert>
      )}
      {bulkResult && (
        <StatusAlert
          color={bulkResult.failed.length ? 'orange' : 'teal'}
          variant="light"
          withCloseButton
          onClose={() => setBulkResult(null)}
        >
          Выполнено: {bulkResult.ok}
          {bulkResult.failed.length > 0 && (
            <>
              , не выполнено: {bulkResult.failed.length}
              <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                {bulkResult.failed.slice(0, 5).map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            </>
          )}
        </StatusAlert>
      )}
      {selected.size > 0 && (
        <Paper withBorder p="xs" radius="md" bg="blue.0" role="toolbar" aria-label="Действия с выбранными">
          <Group gap="xs">
            <Text size="sm" fw={500}>
              Выбрано: {selected.size}
            </Text>
            {/* An administrator does not work appeals: the api refuses their «Взять в работу», the assignment and
                the hand-over to line 2 alike. */}
            {me.role !== 'admin' && (
              <>
                <Button
                  size="xs"
                  variant="white"
                  onClick={() => runBulk((id) => call('take', { params: { id } }))}
                >
                  Взять в работу
                </Button>
                <Button size="xs" variant="white" onClick={() => setBulk('assign')}>
                  Назначить исполнителя…
                </Button>
              </>
            )}
            {(me.role === 'operator' || me.role === 'supervisor') && (
              <Button size="xs" variant="white" onClick={() => setBulk('escalate')}>
                Передать на 2-ю линию…
              </Button>
            )}
            <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
              Снять выделение
            </Button>
          </Group>
        </Paper>
      )}

      <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
        {phone ? (
          <Stack gap={0}>
            {items.map((item) => (
              <PhoneRow
                key={item.id}
                item={item}
                zoneShown={commonZone !== null}
                onOpen={() => navigate(`/appeals/${item.id}`)}
              />
            ))}
          </Stack>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table highlightOnHover verticalSpacing={7} fz="sm" aria-label="Список обращений" stickyHeader>
              <Table.Thead bg="gray.0">
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label="Выбрать все на странице"
                      checked={allSelected}
                      indeterminate={selected.size > 0 && !allSelected}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((i) => i.id)))}
                    />
                  </Table.Th>
                  <Table.Th w={150}>Номер, дата</Table.Th>
                  <Table.Th>Суть обращения</Table.Th>
                  <Table.Th w={170}>Организации</Table.Th>
                  <Table.Th w={130}>Исполнитель</Table.Th>
                  <Table.Th w={150}>Статус</Table.Th>
                  <Table.Th w={170}>Ближайший срок</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item, index) => (
                  <Row
                    key={item.id}
                    item={item}
                    zoneShown={commonZone !== null}
                    active={index === active}
                    selected={selected.has(item.id)}
                    rowRef={(el) => {
                      rowRefs.current[index] = el;
                    }}
                    onToggle={() => toggle(item.id)}
                    onOpen={() => navigate(`/appeals/${item.id}`)}
                    onFocus={() => setActive(index)}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.isLoading && (
          <Group justify="center" p="lg">
            <Loader size="sm" role="progressbar" aria-label="Загрузка списка" />
          </Group>
        )}
        {list.isError && (
          <Alert color="red" m="sm" role="alert">
            {errorText(list.error)}
          </Alert>
        )}
        {!list.isLoading && !list.isError && items.length === 0 && (
          <Stack align="center" gap={4} p="xl">
            {explicit ? (
              // A search or a filter found nothing: said so, with the way back (a bare «Обращений нет» read as an
              // empty queue).
              <>
                <Text c="dimmed" data-testid="nothing-found">
                  По заданным условиям обращений не найдено
                </Text>
                <Button
                  variant="subtle"
                  size="sm"
                  onClick={() => setParams(queueId ? { queue: queueId } : {})}
                >
                  Сбросить поиск и фильтры
                </Button>
              </>
            ) : (
              <>
                <Text c="dimmed" ta="center" data-testid="queue-empty">
                  {queueId === 'mine' ? 'На вас сейчас ничего не назначено' : 'Обращений нет'}
                </Text>
                <EmptyQueueHint queueId={queueId} me={me} />
              </>
            )}
          </Stack>
        )}
      </Paper>
      <Group justify="space-between">
        <Text size="xs" c="dimmed" visibleFrom="sm">
          <Kbd size="xs">J</Kbd>/<Kbd size="xs">K</Kbd> или стрелки — выбор строки, <Kbd size="xs">Enter</Kbd>{' '}
          — открыть, <Kbd size="xs">X</Kbd> — отметить, <Kbd size="xs">/</Kbd> — поиск
        </Text>
        <ShowMore list={list} size="xs" />
        {items.length > 0 && (
          <Text size="xs" c="dimmed" data-testid="shown-count">
            Показано {items.length}
            {total.data ? ` из ${total.data.capped ? 'более чем ' : ''}${total.data.total}` : ''}{' '}
            {plural(total.data?.total ?? items.length, 'обращения', 'обращений', 'обращений')}
          </Text>
        )}
      </Group>

      <AssignModal
        opened={bulk === 'assign'}
        onClose={() => setBulk(null)}
        count={selected.size}
        onSubmit={(userId) => runBulk((id) => call('assign', { params: { id }, body: { userId } }))}
      />
      <EscalateModal
        opened={bulk === 'escalate'}
        onClose={() => setBulk(null)}
        count={selected.size}
        onSubmit={(organisationIds) =>
          runBulk((id) => call('escalate', { params: { id }, body: { organisationIds } }))
        }
      />
    </Stack>
  );
}

function Row(props: {
  item: AppealSummary;
  zoneShown: boolean;
  active: boolean;
  selected: boolean;
  rowRef: (el: HTMLTableRowElement | null) => void;
  onToggle: () => void;
  onOpen: () => void;
  onFocus: () => void;
}) {
  const { item } = props;
  return (
    <Table.Tr
      ref={props.rowRef}
      className="inbox-row"
      data-active={props.active}
      aria-selected={props.active}
      tabIndex={props.active ? 0 : -1}
      onClick={props.onOpen}
      onFocus={props.onFocus}
      data-testid="inbox-row"
      data-number={item.registrationNumber}
    >
      <Table.Td onClick={(e) => e.stopPropagation()}>
        <Checkbox
          aria-label={`Выбрать № ${item.registrationNumber}`}
          checked={props.selected}
          onChange={props.onToggle}
        />
      </Table.Td>
      <Table.Td>
        <Anchor
          href={`/app/appeals/${item.id}`}
          onClick={(e) => {
            // The row opens it too: without this the card was pushed twice, and «Назад» took two presses.
            e.preventDefault();
            e.stopPropagation();
            props.onOpen();
          }}
          fw={600}
          size="sm"
          style={{ whiteSpace: 'nowrap' }}
        >
          № {item.registrationNumber}
        </Anchor>
        <Text size="xs" c="dimmed">
          {when(item.registeredAt, item.timeZone, props.zoneShown)}
        </Text>
      </Table.Td>
      <Table.Td>
        {/* Two lines: at 1280 px one held two or three words of the subject. */}
        <AppealTitle item={item} lines={2} mb={2} />
        {/* Badges wrap rather than run into the next column when the column is narrow (1366 px). */}
        <Group gap={6} wrap="wrap" style={{ rowGap: 2 }}>
          <span style={{ flexShrink: 0 }}>
            <ChannelBadge channel={item.channel} />
          </span>
          {item.regime === 'message' && (
            <Badge
              size="sm"
              variant="light"
              color="gray"
              radius="sm"
              style={{ textTransform: 'none', flexShrink: 0 }}
            >
              Сообщение
            </Badge>
          )}
          <Text size="xs" c="dimmed" lineClamp={1} style={{ flex: '1 1 6rem', minWidth: 0 }}>
            {item.excerpt}
          </Text>
        </Group>
      </Table.Td>
      <Table.Td>
        <Holders item={item} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={item.assigneeName ? undefined : 'dimmed'} lineClamp={2}>
          {item.assigneeName ?? 'не назначен'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <StatusBadge status={item.status} />
          {item.withdrawnBy && <WithdrawnBadge by={item.withdrawnBy} />}
        </Stack>
      </Table.Td>
      <Table.Td>
        <NextDue item={item} zoneShown={props.zoneShown} />
      </Table.Td>
    </Table.Tr>
  );
}

/** An instant in the appeal's zone; the zone named on the row unless the page names it once for all rows. */
function when(value: string, timeZone: string, zoneShown: boolean): string {
  return zoneShown ? formatDateTime(value, timeZone) : formatInZone(value, timeZone);
}

const DUE_KIND_LABEL: Record<AppealSummary['nextDueKind'], string> = {
  escalation: 'передать на 2-ю линию',
  line2: 'ответ 2-й линии',
  answer: 'ответ по 59-ФЗ',
};

/** What the row's nearest term is. A message (not 59-ФЗ) has an answer term of its own: the card says so, the
 * row and the export too. */
function dueKindLabel(item: AppealSummary): string {
  return item.nextDueKind === 'answer' && item.regime === 'message'
    ? 'ответ на сообщение'
    : DUE_KIND_LABEL[item.nextDueKind];
}

const CLOSED = ['answered', 'closed', 'redirected'];

/**
 * The viewer's own nearest clock: what it is, when (in the appeal's zone), how long is left; `inline` (the
 * phone's card) on one line under the holders, the time left at its end.
 */
function NextDue({ item, zoneShown, inline }: { item: AppealSummary; zoneShown: boolean; inline?: boolean }) {
  if (CLOSED.includes(item.status)) {
    return (
      <Text size="xs" c="dimmed">
        рассмотрено
      </Text>
    );
  }
  if (inline) {
    return (
      <Group data-testid="next-due" data-kind={item.nextDueKind} gap={6} justify="space-between" mt={4}>
        <Text size="xs">
          <Text span size="xs" c="dimmed">
            {dueKindLabel(item)}:{' '}
          </Text>
          {when(item.nextDueAt, item.timeZone, zoneShown)}
        </Text>
        <Countdown due={item.nextDueAt} timeZone={item.timeZone} size="xs" />
      </Group>
    );
  }
  return (
    <div data-testid="next-due" data-kind={item.nextDueKind}>
      <Text size="xs" c="dimmed">
        {dueKindLabel(item)}
      </Text>
      <Text size="sm">{when(item.nextDueAt, item.timeZone, zoneShown)}</Text>
      <Countdown due={item.nextDueAt} timeZone={item.timeZone} size="xs" />
    </div>
  );
}

/**
 * Who holds the appeal: the organisations with an open line-2 part, else the responsible one. In the table's
 * narrow column cut to a line or two; `whole` (the phone's card, full width) in full.
 */
function Holders({ item, whole }: { item: AppealSummary; whole?: boolean }) {
  const active = item.parts.filter((p) => p.state === 'active');
  const other = item.parts.filter((p) => p.state !== 'active');
  return (
    <div data-testid="holders">
      <Text size="sm" lineClamp={whole ? undefined : 2}>
        {active.length > 0 ? active.map((p) => p.organisationName).join(', ') : item.organisationName}
      </Text>
      {active.length > 0 && (
        <Text size="xs" c="dimmed" lineClamp={whole ? undefined : 1}>
          через {item.organisationName}
        </Text>
      )}
      {other.length > 0 && (
        <Text size="xs" c="dimmed" lineClamp={whole ? undefined : 1}>
          {other.map((p) => `${p.organisationName} (${partStateLabel(p.state)})`).join(', ')}
        </Text>
      )}
    </div>
  );
}

/** A phone-width row: a card with the essentials; the whole card opens the appeal. */
function PhoneRow({
  item,
  zoneShown,
  onOpen,
}: {
  item: AppealSummary;
  zoneShown: boolean;
  onOpen: () => void;
}) {
  return (
    <Card
      component="a"
      href={`/app/appeals/${item.id}`}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        e.preventDefault();
        onOpen();
      }}
      radius={0}
      padding="sm"
      withBorder
      data-testid="inbox-row"
      data-number={item.registrationNumber}
    >
      <Group justify="space-between" gap={6} wrap="nowrap" align="flex-start">
        <Text fw={600} size="sm" c="blue.9">
          № {item.registrationNumber}
        </Text>
        <StatusBadge status={item.status} />
      </Group>
      {item.withdrawnBy && (
        <Group mt={4}>
          <WithdrawnBadge by={item.withdrawnBy} />
        </Group>
      )}
      <AppealTitle item={item} lines={2} mt={2} />
      {/* One under the other, each the card's width: side by side at 375 px the holder read «через ЦУР
          Северной…». */}
      <Stack gap={0} mt={4}>
        <Holders item={item} whole />
        <NextDue item={item} zoneShown={zoneShown} inline />
      </Stack>
    </Card>
  );
}

/** What an appeal is about in a list (the table's row, the phone's card): fast track marked, at most `lines`. */
function AppealTitle({
  item,
  lines,
  ...space
}: {
  item: AppealSummary;
  lines: number;
  mt?: number;
  mb?: number;
}) {
  return (
    <Group gap={6} wrap="nowrap" {...space}>
      {item.fastTrack && <FastTrackBadge />}
      <Text
        size="sm"
        fw={500}
        lineClamp={lines}
        style={{ minWidth: 0 }}
        title={item.subject ?? item.excerpt}
        data-citizen-data
      >
        {item.subject ?? firstWords(item.excerpt)}
      </Text>
    </Group>
  );
}

/** A title for an appeal without a subject: its first words, cut at a word boundary. */
function firstWords(text: string, max = 70): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : max)}…`;
}

/**
 * A period's bound as the report and the dashboard drew it, in the viewer's organisation's zone: a day's start
 * as the date (the last day of a period for the exclusive end), any other instant with its time. In the
 * browser's zone, a report's period from 08.11 in Novosibirsk read «с 07.11.2026» in Moscow or on UTC.
 */
function periodBound(iso: string, zone: string, end: boolean): { text: string; day: boolean } {
  const at = new Date(iso);
  const day = formatDateTime(at, zone).endsWith(' 00:00');
  const text = day
    ? formatDateTime(new Date(at.getTime() - (end ? 1 : 0)), zone).slice(0, 10)
    : formatDateTime(at, zone);
  return { text, day };
}

/** «за 07.12.2026», «с 08.11.2026 по 07.12.2026», «с 06.12.2026 14:20»: the registration period asked for. */
function periodText(after: string | undefined, before: string | undefined, zone: string): string[] {
  const from = after ? periodBound(after, zone, false) : null;
  const to = before ? periodBound(before, zone, true) : null;
  if (from?.day && to?.day && from.text === to.text) return [`за ${from.text}`];
  return [...(from ? [`с ${from.text}`] : []), ...(to ? [to.day ? `по ${to.text}` : `до ${to.text}`] : [])];
}

/** The lines as the handled report names its rows. */
const LINE_NAME: Record<string, string> = { '1': '1-я линия (ЦУР)', '2': '2-я линия (органы власти)' };

function describe(filter: Record<string, string>, names: ReturnType<typeof useNames>, zone: string): string {
  const parts: string[] = [];
  // The statuses asked for (the dashboard's «В работе» is every open one): the title said «Все обращения в
  // моей области видимости» over 360 of the region's 400.
  const statuses = filter.status?.split(',').filter(Boolean) ?? [];
  if (
    statuses.length &&
    OPEN_STATUSES.every((s) => statuses.includes(s)) &&
    statuses.length === OPEN_STATUSES.length
  )
    parts.push('в работе (не рассмотрены)');
  else if (statuses.length) parts.push(`статус: ${statuses.map(statusLabel).join(', ')}`);
  if (filter.clock === 'overdue') parts.push('просроченные');
  if (filter.clock === 'at-risk') parts.push('срок под угрозой');
  if (filter.organisationId) parts.push(names.organisation(filter.organisationId));
  if (filter.topicId)
    parts.push(filter.topicId === 'none' ? 'без темы' : `тема: ${names.topic(filter.topicId)}`);
  if (filter.channel) parts.push(`канал: ${channelLabel(filter.channel)}`);
  if (filter.line) parts.push(LINE_NAME[filter.line] ?? `линия ${filter.line}`);
  if (filter.withdrawn === 'true') parts.push('отозванные');
  if (filter.approval === 'mine') parts.push('ждут моего согласования');
  if (filter.q) parts.push(`поиск: «${filter.q}»`);
  parts.push(...periodText(filter.registeredAfter, filter.registeredBefore, zone));
  if (filter.rating) parts.push(`оценка: ${satisfactionLabel(filter.rating)}`);
  if (filter.ratedAfter) parts.push(`оценены ${periodText(filter.ratedAfter, undefined, zone)[0]}`);
  if (filter.ids) parts.push(`${filter.ids.split(',').length} обращ. из отчёта`);
  return parts.join(' · ') || 'Все обращения в моей области видимости';
}

/** The assignee for the selected appeals (or the one on its card): a staff member of an organisation holding it. */
export function AssignModal(props: {
  opened: boolean;
  onClose: () => void;
  count: number;
  onSubmit: (userId: string) => Promise<void> | void;
  /** The refusal of the last attempt, shown where the user is looking. */
  error?: string | null;
  /**
   * On a card: the organisations holding the appeal (its open parts, line 2 first), the only ones whose staff
   * may be assigned; the first of them chosen unless the viewer's own is among them. A supervisor was offered
   * every organisation of the region, their own (which held nothing) chosen, and «Назначить» refused.
   */
  holders?: string[];
}) {
  const me = useMe();
  const own = useOwnOrganisations();
  const orgs = props.holders ? props.holders.flatMap((id) => own.filter((o) => o.id === id)) : own;
  const preferred =
    !props.holders || props.holders.includes(me.organisationId) ? me.organisationId : (orgs[0]?.id ?? null);
  const [orgId, setOrgId] = useState<string | null>(preferred);
  const [userId, setUserId] = useState<string | null>(null);
  useEffect(() => {
    if (props.opened) {
      setOrgId(preferred);
      setUserId(null);
    }
  }, [props.opened, preferred]);
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.count > 1 ? `Назначить исполнителя (${props.count})` : 'Назначить исполнителя'}
    >
      <Stack>
        <OrganisationSelect
          label="Организация"
          searchable
          // The holder comes chosen: choosing it again must not empty the field (Mantine's default deselects).
          allowDeselect={false}
          among={orgs}
          value={orgId}
          onChange={(v) => {
            setOrgId(v);
            setUserId(null);
          }}
        />
        <AssigneeSelect
          label="Исполнитель"
          organisationId={orgId}
          placeholder="Выберите сотрудника"
          loadingPlaceholder="Загрузка…"
          searchable
          value={userId}
          onChange={setUserId}
          nothingFoundMessage="Нет сотрудников"
        />
        <Text size="xs" c="dimmed">
          Назначить можно сотрудника организации, у которой есть обращение.
        </Text>
        {props.error && (
          <Alert color="red" variant="light" role="alert" data-testid="dialog-error">
            {props.error}
          </Alert>
        )}
        <DialogButtons
          label="Назначить"
          onCancel={props.onClose}
          onConfirm={() => props.onSubmit(userId!)}
          disabled={!userId}
        />
      </Stack>
    </Modal>
  );
}

/** A queue that leads on to another: its name and address. */
function QueueLink({ id }: { id: string }) {
  const queue = QUEUES.find((q) => q.id === id);
  return queue ? (
    <Anchor component={Link} to={`/inbox?queue=${id}`}>
      {queue.label}
    </Anchor>
  ) : null;
}

/**
 * What an empty queue (nothing searched or filtered) is for and where the work is instead, by the viewer's
 * role: a bare «Обращений нет» left a clerk at «Мои» in the morning not knowing where to take work from.
 */
function EmptyQueueHint({ queueId, me }: { queueId: string | null; me: Me }) {
  const has = (id: string) => QUEUES.find((q) => q.id === id)?.roles.includes(me.role) ?? false;
  let hint: ReactNode = null;
  if (queueId === 'mine') {
    const from = me.role === 'operator' ? 'new' : has('organisation') ? 'organisation' : 'all';
    hint = (
      <>
        Здесь обращения, взятые вами в работу или назначенные на вас.{' '}
        {me.role === 'operator'
          ? 'Новые обращения со всех каналов — в очереди '
          : 'Обращения вашей организации — в очереди '}
        <QueueLink id={from} />: откройте обращение и нажмите «Взять в работу»
        {me.role === 'clerk' ? ' (или его назначит на вас руководитель)' : ''}.
        {me.role === 'head' && (
          <>
            {' '}
            Проекты ответов ждут вашего согласования в очереди <QueueLink id="approval" />.
          </>
        )}
      </>
    );
  } else if (queueId === 'approval') {
    // A head starts the day here: an empty queue says what comes here and leads on to the rest.
    hint = (
      <>
        Проекты ответов, которые ждут вашего согласования, появятся здесь.
        {has('organisation') && (
          <>
            {' '}
            <Anchor component={Link} to="/inbox?queue=organisation">
              Обращения моей организации
            </Anchor>
          </>
        )}
      </>
    );
  } else if (queueId === 'organisation') {
    hint = (
      <>
        Сюда приходят обращения, которые 1-я линия передала вашей организации. Взятые в работу — в очереди{' '}
        <QueueLink id="mine" />.
      </>
    );
  } else if (queueId === 'new') {
    hint = (
      <>
        Новые обращения со всех каналов появятся здесь сами. Взятые в работу — в очереди{' '}
        <QueueLink id="mine" />
        {has('unclassified') && (
          <>
            , обращения без темы — в очереди <QueueLink id="unclassified" />
          </>
        )}
        .
      </>
    );
  }
  return hint ? (
    <Text size="sm" c="dimmed" ta="center" maw={560} data-testid="queue-empty-hint">
      {hint}
    </Text>
  ) : null;
}
