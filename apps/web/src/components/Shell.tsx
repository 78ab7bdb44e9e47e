import {
  AppShell,
  Avatar,
  Badge,
  Burger,
  Group,
  Indicator,
  Menu,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode } from 'react';
import { call } from '../api/client';
import { type Me } from '../api/types';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { useAuth, useMe } from '../auth';
import { avatarInitials, plural, roleLabel, shortName } from '../lib/labels';
import { seesChannelQuarantine } from '../pages/ChannelQuarantinePage';
import { registersAppeals } from '../pages/register/RegisterPage';
import { actionQueues, defaultQueue, type Queue, QUEUES, queuesFor } from '../lib/queues';
import { NotificationsButton } from './Notifications';
import { ConnectionBanner } from './ConnectionBanner';
import {
  AlertIcon,
  BookIcon,
  DashboardIcon,
  InboxIcon,
  LogoutIcon,
  PhoneIcon,
  ReportIcon,
  SettingsIcon,
} from './icons';

/** The menu below the queues: each section and who sees it (the routes in App.tsx let in the same roles). */
const SECTIONS: { to: string; label: string; icon: ReactNode; shownTo: (me: Me) => boolean }[] = [
  { to: '/knowledge', label: 'База знаний', icon: <BookIcon />, shownTo: () => true },
  {
    to: '/register',
    label: 'Регистрация обращения',
    icon: <PhoneIcon />,
    shownTo: registersAppeals,
  },
  { to: '/deliveries', label: 'Недоставленные', icon: <InboxIcon />, shownTo: (me) => me.role !== 'admin' },
  { to: '/quarantine', label: 'Нераспознанные', icon: <AlertIcon />, shownTo: seesChannelQuarantine },
  { to: '/incidents', label: 'Инциденты', icon: <AlertIcon />, shownTo: (me) => me.role !== 'clerk' },
  {
    to: '/dashboard',
    label: 'Панель руководителя',
    icon: <DashboardIcon />,
    shownTo: (me) => me.role !== 'operator',
  },
  { to: '/reports', label: 'Отчёты', icon: <ReportIcon />, shownTo: (me) => me.role !== 'operator' },
  {
    // Administrators have it as a tab of the administration.
    to: '/corrections',
    label: 'Исправления классификатора',
    icon: <SettingsIcon />,
    shownTo: (me) => me.role === 'supervisor',
  },
  { to: '/admin', label: 'Администрирование', icon: <SettingsIcon />, shownTo: (me) => me.role === 'admin' },
];

export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { signOut } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const [params] = useSearchParams();
  const inInbox = location.pathname.startsWith('/inbox');
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  // Below 1200 px the menu folds away to the left of the window, its links still in the Tab order: a keyboard
  // went through a dozen of them out of sight before the page. Folded, it is inert until «Меню» opens it.
  const folded = useMediaQuery('(max-width: 74.99em)') ?? false;
  const activeQueue = params.get('queue') ?? (params.toString() ? '' : defaultQueue(me));

  return (
    <AppShell
      header={{ height: 56 }}
      // Folded into «Меню» below 1200 px: at 1024 px beside it the inbox's deadline column was cut off.
      navbar={{ width: 248, breakpoint: 'lg', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <MenuButton opened={opened} onClick={toggle} />
            <Group gap={8} wrap="nowrap">
              {/* On a phone the staff member's name needs its room. */}
              <Avatar color="blue" variant="filled" radius="sm" size={32} aria-hidden="true" visibleFrom="sm">
                ЕЦ
              </Avatar>
              <div>
                {/* Below 1200 px the queue counts take its place. */}
                <Text fw={700} size="sm" lh={1.1} visibleFrom="lg">
                  Единый центр обращений
                </Text>
                <Text size="xs" c="dimmed" lh={1.1} visibleFrom="lg">
                  Северная область · рабочее место сотрудника
                </Text>
              </div>
            </Group>
            {/* The menu's counts stay in sight while it is folded: what waits for this role, what is overdue. */}
            <Group
              gap={6}
              wrap="nowrap"
              hiddenFrom="lg"
              visibleFrom="sm"
              component="nav"
              aria-label="Очереди, требующие действий"
            >
              {actionQueues(me).map((q) => (
                <QueueCount key={q.id} queue={q} inHeader />
              ))}
            </Group>
          </Group>
          {/* Room for the unread count («99+») that stands out over the button's corner. A long name gives way
              (cut with «…»): on a phone it pushed the profile button off the screen. There the surname stands whole
              with the initials (cut, it read «Конс…»), the full name in the menu. */}
          <Group gap={phone ? 'sm' : 'lg'} wrap="nowrap" miw={0}>
            <NotificationsButton />
            <Menu position="bottom-end" width={280}>
              <Menu.Target>
                <UnstyledButton title="Профиль и выход" miw={0}>
                  <Group gap={8} wrap="nowrap">
                    <div style={{ textAlign: 'right', minWidth: 0, flexShrink: 1 }}>
                      <Text
                        size={phone ? 'xs' : 'sm'}
                        fw={500}
                        lh={1.2}
                        data-testid="current-user"
                        lineClamp={phone ? 2 : 1}
                        maw={{ base: 200, sm: 360 }}
                        style={{ overflowWrap: 'anywhere' }}
                      >
                        {phone ? shortName(me.fullName) : me.fullName}
                      </Text>
                      <Text size="xs" c="dimmed" lh={1.2} visibleFrom="sm">
                        {me.organisationName}
                      </Text>
                    </div>
                    <Avatar color="indigo" radius="xl" size={34}>
                      {avatarInitials(me.fullName) || '?'}
                    </Avatar>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Text size="sm" fw={500} px="sm" pt={8} data-testid="menu-user-name">
                  {me.fullName}
                </Text>
                <Menu.Label>{roleLabel(me.role)}</Menu.Label>
                <Menu.Item disabled>{me.organisationName}</Menu.Item>
                <Menu.Divider />
                <Menu.Item leftSection={<LogoutIcon />} onClick={signOut}>
                  Выйти
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Разделы" inert={folded && !opened}>
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap={2}>
            <NavLink
              component={Link}
              to="/inbox"
              label="Обращения"
              leftSection={<InboxIcon />}
              active={inInbox && !params.toString()}
              onClick={close}
              defaultOpened
              childrenOffset={28}
              opened
            >
              {queuesFor(me).map((q) => (
                <NavLink
                  key={q.id}
                  component={Link}
                  to={`/inbox?queue=${q.id}`}
                  label={q.label}
                  title={q.description}
                  active={inInbox && activeQueue === q.id}
                  onClick={close}
                  rightSection={<QueueCount queue={q} />}
                />
              ))}
            </NavLink>
            {SECTIONS.filter((section) => section.shownTo(me)).map((section) => (
              <NavLink
                key={section.to}
                component={Link}
                to={section.to}
                label={section.label}
                leftSection={section.icon}
                active={location.pathname.startsWith(section.to)}
                onClick={close}
              />
            ))}
            {/* Last in the list, not a foot fixed below it: at 720 px of height the foot stood over the last items. */}
            <Text size="xs" c="dimmed" px="xs" pt="xs" pb={4}>
              {roleLabel(me.role)}
            </Text>
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main-content">
        <ConnectionBanner />
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

/**
 * How many appeals a queue holds now (the whole result in the viewer's scope): in the menu beside the queue's
 * name, or in the header (`inHeader`, while the menu is folded) as a link to the queue that names it.
 */
function QueueCount({ queue, inHeader = false }: { queue: Queue; inHeader?: boolean }) {
  const total = useQueueCount(queue);
  if (total === undefined) return null;
  const alarm = (queue.id === 'overdue' || queue.id === 'at-risk') && total > 0;
  const shown = total > 999 ? '999+' : total;
  const color = alarm ? (queue.id === 'overdue' ? '#b02525' : '#a63a00') : 'gray';
  if (inHeader)
    return (
      <Badge
        component={Link}
        to={`/inbox?queue=${queue.id}`}
        size="lg"
        radius="sm"
        variant={alarm ? 'filled' : 'light'}
        color={alarm ? color : 'blue'}
        title={queue.description}
        data-testid={`header-count-${queue.id}`}
        style={{ cursor: 'pointer', textTransform: 'none', flexShrink: 0 }}
        styles={{ label: { overflow: 'visible' } }}
      >
        <Text span inherit visibleFrom="sm">
          {queue.label}:{' '}
        </Text>
        <Text span hiddenFrom="sm" className="visually-hidden">
          {queue.label}:{' '}
        </Text>
        {shown}
      </Badge>
    );
  return (
    <Badge
      size="sm"
      variant={alarm ? 'filled' : 'light'}
      color={color}
      aria-label={`${total} ${plural(total, 'обращение', 'обращения', 'обращений')}`}
      data-testid={`queue-count-${queue.id}`}
      styles={{ label: { overflow: 'visible' } }}
    >
      {shown}
    </Badge>
  );
}

/** The whole count of a queue in the viewer's scope, read every minute (one query however many places show it). */
function useQueueCount(queue: Queue | undefined): number | undefined {
  const me = useMe();
  const count = useQuery({
    queryKey: ['appeals', 'count', queue?.id],
    queryFn: () => call('appealCount', { query: queue!.filter(me) }),
    enabled: queue !== undefined,
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
  return count.data?.total;
}

/**
 * «Меню» below 1200 px. On a phone, where the header has no room for the queues' counts, it carries the count of
 * overdue appeals (from 768 px the header shows the counts beside it).
 */
function MenuButton({ opened, onClick }: { opened: boolean; onClick: () => void }) {
  const overdue = useQueueCount(QUEUES.find((q) => q.id === 'overdue'));
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const shown = phone && overdue !== undefined && overdue > 0;
  return (
    <Indicator
      disabled={!shown}
      label={overdue !== undefined && overdue > 99 ? '99+' : overdue}
      size={18}
      color="#b02525"
      offset={2}
      hiddenFrom="lg"
      data-testid="menu-overdue"
    >
      <Burger
        opened={opened}
        onClick={onClick}
        size="sm"
        aria-label={shown ? `Меню; просроченные сроки: ${overdue}` : 'Меню'}
      />
    </Indicator>
  );
}
