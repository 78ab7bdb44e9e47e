import { Anchor, Badge, Button, Group, Indicator, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { call } from '../api/client';
import { useOrganisationZone } from '../api/hooks';
import { type NotificationGroup, type StaffNotification } from '../api/types';
import { plural } from '../lib/labels';
import { formatInZone } from '../lib/time';
import { BellIcon } from './icons';
import { QueryStatus, ShowMore } from './tables';

/** What a notification is about, in a word over its text. */
const KIND_LABEL: Record<string, string> = {
  'clock-at-risk': 'Срок под угрозой',
  'clock-overdue': 'Срок нарушен',
  'part-returned': 'Возврат',
  'answer-sent-back': 'На доработку',
  reopened: 'Повторное рассмотрение',
  assigned: 'Назначено вам',
  'kb-clock-at-risk': 'База знаний: срок под угрозой',
  'kb-clock-overdue': 'База знаний: срок нарушен',
  'password-reset': 'Безопасность',
};

/**
 * What waits for the role in its scope, one line a group with the queue it opens: counted, not told appeal by
 * appeal (97 overdue are one line, not 97 notices; line 1 is told of no unassigned appeal's term otherwise).
 */
const GROUP: Record<NotificationGroup['kind'], { label: string; to: string; color: string }> = {
  overdue: { label: 'Просрочено', to: '/inbox?queue=overdue', color: '#b02525' },
  'at-risk': { label: 'Срок под угрозой', to: '/inbox?queue=at-risk', color: '#a63a00' },
  'fast-track-new': { label: 'Новые ускоренные', to: '/inbox?queue=new&fastTrack=true', color: '#a63a00' },
  returned: { label: 'Возвращены 2-й линией', to: '/inbox?queue=returned', color: 'inherit' },
};

/** Notifications read a page at a time; «Показать ещё» loads the next (older) one. */
export const NOTIFICATIONS_PAGE = 50;

/** A supervisor's counted notice of an organisation's terms opens that queue at that organisation. */
const DIGEST_QUEUE: Record<string, { queue: string; label: string; badge: string }> = {
  'clock-overdue': { queue: 'overdue', label: 'Открыть просроченные', badge: 'Сводка: сроки нарушены' },
  'clock-at-risk': {
    queue: 'at-risk',
    label: 'Открыть сроки под угрозой',
    badge: 'Сводка: сроки под угрозой',
  },
};

/**
 * The signed-in person's notifications (terms at risk or broken, returned parts, drafts sent back, appeals
 * assigned to them or reopened at their organisation after a poor rating; a supervisor's terms of other
 * organisations counted, one notice per organisation, kind and day): a button in the header with the unread count
 * (all of them, not only the loaded page's), and the list under it: the unread ones, as many as the count says
 * (it listed the read ones too, under a count of the unread), or all of them when asked; newest first, a page at a
 * time with «Показать ещё» for the older ones; opening one (its appeal, the queue of the organisation a counted
 * notice is about, or the knowledge base's request or the sections' review its term is about) marks it read.
 */
export function NotificationsButton() {
  const queryClient = useQueryClient();
  // When a notification came, in the viewer's organisation's zone like every instant of the workspace (named
  // when it is not the browser's): its text names terms in that zone.
  const zone = useOrganisationZone();
  const [opened, { toggle, close }] = useDisclosure(false);
  // On a phone a bell (its name in the label): the word took the room of the staff member's name.
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  // What the list shows: the unread ones (the count's), or all.
  const [view, setView] = useState<'unread' | 'all'>('unread');
  const list = useInfiniteQuery({
    queryKey: ['notifications', 'list', view],
    queryFn: ({ pageParam }) =>
      call('notifications', {
        query: {
          limit: NOTIFICATIONS_PAGE,
          ...(view === 'unread' ? { unread: 'true' } : {}),
          ...(pageParam ? { before: pageParam } : {}),
        },
      }),
    initialPageParam: '',
    getNextPageParam: (last) => (last.length < NOTIFICATIONS_PAGE ? undefined : last[last.length - 1].id),
    refetchInterval: 60_000,
  });
  const count = useQuery({
    queryKey: ['notifications', 'unread'],
    queryFn: () => call('unreadNotifications', {}),
    refetchInterval: 60_000,
  });
  // Read as the list opens (and each minute while it is open): the queues' counts, by their indexes.
  const summary = useQuery({
    queryKey: ['notifications', 'summary'],
    queryFn: () => call('notificationSummary', {}),
    enabled: opened,
    refetchInterval: opened ? 60_000 : false,
  });
  const groups = summary.data?.groups ?? [];
  const read = useMutation({
    mutationFn: (id: string) => call('readNotification', { params: { id } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const readAll = useMutation({
    mutationFn: (upToId: string) => call('readAllNotifications', { body: { upToId } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const items = list.data?.pages.flat() ?? [];
  const unread = count.data?.unread ?? items.filter((n) => !n.readAt).length;
  const unreadWords = `${unread} ${plural(unread, 'непрочитанное', 'непрочитанных', 'непрочитанных')}`;
  const label = unread > 0 ? `Уведомления: ${unreadWords}` : 'Уведомления';
  return (
    // The count beside the button, not around it: the popover's target is the button itself (its aria-expanded
    // and aria-controls belong on a button, not on a wrapper).
    <Indicator
      label={unread > 99 ? '99+' : unread}
      size={18}
      color="red.8"
      disabled={unread === 0}
      offset={4}
    >
      {/* The list takes the keyboard's focus as it opens (it is drawn at the end of the page, out of the Tab order
          after the button), keeps it while open and gives it back to the button on Escape. */}
      <Popover
        opened={opened}
        onChange={(o) => !o && close()}
        position="bottom-end"
        // Never wider than the screen less a margin each side: at 390 px the 400 px list ran to the right edge.
        width="min(400px, calc(100vw - 24px))"
        middlewares={{ shift: { padding: 12 }, flip: true }}
        shadow="md"
        trapFocus
        returnFocus
      >
        <Popover.Target>
          <Button
            variant="subtle"
            size="sm"
            onClick={toggle}
            aria-label={label}
            data-testid="notifications-button"
            px={phone ? 8 : undefined}
          >
            {phone ? <BellIcon /> : 'Уведомления'}
          </Button>
        </Popover.Target>
        <Popover.Dropdown p="xs">
          <section aria-label="Уведомления">
            <Group justify="space-between" mb={6} wrap="nowrap">
              <Text fw={600} size="sm" tabIndex={-1} data-autofocus>
                Уведомления
              </Text>
              {/* Up to the newest one shown: one that arrives meanwhile stays unread. */}
              {unread > 0 && items.length > 0 && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  loading={readAll.isPending}
                  onClick={() => readAll.mutate(items[0].id)}
                >
                  Отметить все прочитанными
                </Button>
              )}
            </Group>
            {groups.length > 0 && (
              <Stack gap={4} mb={8} data-testid="notification-groups">
                {/* Appeals, not notifications: the queues' whole counts, read or not. */}
                <Text size="xs" c="dimmed">
                  Ждут действий — обращений в очередях:
                </Text>
                {groups.map((g) => (
                  <Text key={g.kind} size="sm" data-testid={`notification-group-${g.kind}`}>
                    <Text span inherit fw={600} c={GROUP[g.kind].color}>
                      {GROUP[g.kind].label}: {g.count}
                    </Text>
                    {' — '}
                    <Anchor
                      component={Link}
                      to={GROUP[g.kind].to}
                      size="sm"
                      onClick={close}
                      aria-label={`Открыть очередь: ${GROUP[g.kind].label.toLowerCase()}, ${g.count} ${plural(g.count, 'обращение', 'обращения', 'обращений')}`}
                    >
                      открыть очередь
                    </Anchor>
                  </Text>
                ))}
              </Stack>
            )}
            {/* The badge's count is the unread list's length: the two agree, and the list says which it shows. */}
            <Text size="xs" c="dimmed" mb={4} data-testid="notification-view">
              {view === 'unread' ? `Непрочитанные: ${unread}` : `Все уведомления, непрочитанных: ${unread}`}
            </Text>
            <QueryStatus query={list} label="Загрузка уведомлений" size="sm" />
            {list.data && items.length === 0 && groups.length === 0 && summary.isSuccess && (
              <Text size="sm" c="dimmed">
                {view === 'unread' ? 'Непрочитанных уведомлений нет.' : 'Уведомлений нет.'}
              </Text>
            )}
            <ScrollArea.Autosize mah={420}>
              <Stack gap={6}>
                {items.map((n) => (
                  <NotificationItem
                    key={n.id}
                    n={n}
                    zone={zone}
                    onRead={() => read.mutate(n.id)}
                    onOpen={() => {
                      if (!n.readAt) read.mutate(n.id);
                      close();
                    }}
                  />
                ))}
                <ShowMore list={list} size="compact-sm" />
              </Stack>
            </ScrollArea.Autosize>
            {/* After the list, so the keyboard reaches the notifications first. */}
            <Anchor
              component="button"
              type="button"
              size="xs"
              mt={6}
              onClick={() => setView(view === 'unread' ? 'all' : 'unread')}
            >
              {view === 'unread' ? 'Показать и прочитанные' : 'Только непрочитанные'}
            </Anchor>
          </section>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}

function NotificationItem(props: {
  n: StaffNotification;
  zone: string;
  onRead: () => void;
  onOpen: () => void;
}) {
  const { n } = props;
  const digest = n.organisationId && !n.appealId ? DIGEST_QUEUE[n.kind] : undefined;
  // A supervisor's counted notice of an organisation's knowledge base terms: its requests and sections both.
  const kbDigest = !!n.organisationId && n.kind.startsWith('kb-');
  const badge = digest?.badge ?? (kbDigest ? 'Сводка: база знаний' : KIND_LABEL[n.kind]);
  return (
    <div
      data-testid="notification"
      data-read={n.readAt ? 'true' : 'false'}
      style={{
        borderLeft: `3px solid var(--mantine-color-${n.readAt ? 'gray-3' : 'blue-6'})`,
        paddingLeft: 8,
      }}
    >
      <Group gap={6} wrap="nowrap">
        {badge && (
          <Badge size="xs" variant="light" color="gray" style={{ textTransform: 'none' }}>
            {badge}
          </Badge>
        )}
        <Text size="xs" c="dimmed">
          {formatInZone(n.createdAt, props.zone)}
        </Text>
      </Group>
      <Text size="sm" fw={n.readAt ? 400 : 600} style={{ wordBreak: 'break-word' }}>
        {n.text}
      </Text>
      <Group gap="sm">
        {n.appealId && (
          <Anchor component={Link} to={`/appeals/${n.appealId}`} size="xs" onClick={props.onOpen}>
            Открыть обращение{n.registrationNumber ? ` № ${n.registrationNumber}` : ''}
          </Anchor>
        )}
        {digest && (
          <Anchor
            component={Link}
            to={`/inbox?queue=${digest.queue}&organisationId=${n.organisationId}`}
            size="xs"
            onClick={props.onOpen}
          >
            {digest.label}
          </Anchor>
        )}
        {n.kbRequestId && !kbDigest && (
          <Anchor
            component={Link}
            to={`/knowledge/requests/${n.kbRequestId}`}
            size="xs"
            onClick={props.onOpen}
          >
            Открыть запрос
          </Anchor>
        )}
        {n.kbSectionId && (
          <Anchor
            component={Link}
            to={`/knowledge/reviews?section=${n.kbSectionId}`}
            size="xs"
            onClick={props.onOpen}
          >
            Открыть актуализацию разделов
          </Anchor>
        )}
        {/* A counted notice names its latest request and section: the list of requests, the section's row. */}
        {kbDigest && n.kbRequestId && (
          <Anchor component={Link} to="/knowledge/requests" size="xs" onClick={props.onOpen}>
            Открыть запросы базы знаний
          </Anchor>
        )}
        {/* One whose request or section is gone (or never named): the list it came from. */}
        {n.kind.startsWith('kb-') && !n.kbRequestId && !n.kbSectionId && (
          <Anchor
            component={Link}
            to={/«/.test(n.text) ? '/knowledge/reviews' : '/knowledge/requests'}
            size="xs"
            onClick={props.onOpen}
          >
            {/«/.test(n.text) ? 'Открыть актуализацию разделов' : 'Открыть запросы базы знаний'}
          </Anchor>
        )}
        {!n.readAt && (
          <Anchor component="button" type="button" size="xs" c="dimmed" onClick={props.onRead}>
            Отметить прочитанным
          </Anchor>
        )}
      </Group>
    </div>
  );
}
