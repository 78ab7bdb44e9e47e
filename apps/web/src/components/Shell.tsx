import {
  AppShell,
  Avatar,
  Badge,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode } from 'react';
import { call } from '../api/client';
import { type Me } from '../api/types';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { useAuth, useMe } from '../auth';
import { plural, roleLabel } from '../lib/labels';
import { seesChannelQuarantine } from '../pages/ChannelQuarantinePage';
import { defaultQueue, type Queue, queuesFor } from '../lib/queues';
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
    shownTo: (me) => me.role !== 'clerk',
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

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^[А-ЯЁA-Z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0])
    .join('');
}

export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { signOut } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const [params] = useSearchParams();
  const inInbox = location.pathname.startsWith('/inbox');
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
            <Burger opened={opened} onClick={toggle} hiddenFrom="lg" size="sm" aria-label="Меню" />
            <Group gap={8} wrap="nowrap">
              <Avatar color="blue" variant="filled" radius="sm" size={32} aria-hidden="true">
                ЕЦ
              </Avatar>
              <div>
                <Text fw={700} size="sm" lh={1.1} visibleFrom="xs">
                  Единый центр обращений
                </Text>
                <Text size="xs" c="dimmed" lh={1.1} visibleFrom="sm">
                  Северная область · рабочее место сотрудника
                </Text>
              </div>
            </Group>
          </Group>
          {/* Room for the unread count («99+») that stands out over the button's corner. */}
          <Group gap="lg" wrap="nowrap">
            <NotificationsButton />
            <Menu position="bottom-end" width={280}>
              <Menu.Target>
                <UnstyledButton title="Профиль и выход">
                  <Group gap={8} wrap="nowrap">
                    <div style={{ textAlign: 'right' }}>
                      <Text
                        size="sm"
                        fw={500}
                        lh={1.2}
                        data-testid="current-user"
                        lineClamp={1}
                        maw={{ base: 190, sm: 360 }}
                      >
                        {me.fullName}
                      </Text>
                      <Text size="xs" c="dimmed" lh={1.2} visibleFrom="sm">
                        {me.organisationName}
                      </Text>
                    </div>
                    <Avatar color="indigo" radius="xl" size={34}>
                      {initials(me.fullName) || '?'}
                    </Avatar>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
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

      <AppShell.Navbar p="xs" aria-label="Разделы">
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
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="xs" pb={4}>
            {roleLabel(me.role)}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main-content">
        <ConnectionBanner />
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

/** How many appeals a queue holds now (the whole result in the viewer's scope). */
function QueueCount({ queue }: { queue: Queue }) {
  const me = useMe();
  const filter = queue.filter(me);
  const count = useQuery({
    queryKey: ['appeals', 'count', queue.id],
    queryFn: () => call('appealCount', { query: filter }),
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
  const total = count.data?.total;
  if (total === undefined) return null;
  const alarm = (queue.id === 'overdue' || queue.id === 'at-risk') && total > 0;
  return (
    <Badge
      size="sm"
      variant={alarm ? 'filled' : 'light'}
      color={alarm ? (queue.id === 'overdue' ? '#b02525' : '#a63a00') : 'gray'}
      aria-label={`${total} ${plural(total, 'обращение', 'обращения', 'обращений')}`}
      data-testid={`queue-count-${queue.id}`}
      styles={{ label: { overflow: 'visible' } }}
    >
      {total > 999 ? '999+' : total}
    </Badge>
  );
}
