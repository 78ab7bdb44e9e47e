import { Stack, Tabs } from '@mantine/core';
import { useNavigate, useParams } from 'react-router-dom';
import { PageTitle } from '../../components/common';
import { CalendarTab } from './CalendarTab';
import { ChannelsTab } from './ChannelsTab';
import { EventOutboxTab } from './EventOutboxTab';
import { OrganisationsTab } from './OrganisationsTab';
import { RoutingRulesTab } from './RoutingRulesTab';
import { TopicsTab } from './TopicsTab';
import { UsersTab } from './UsersTab';

const SECTIONS = [
  { value: 'organisations', label: 'Организации' },
  { value: 'users', label: 'Сотрудники и роли' },
  { value: 'routing', label: 'Маршрутизация' },
  { value: 'topics', label: 'Рубрикатор' },
  { value: 'calendar', label: 'Производственный календарь' },
  { value: 'channels', label: 'Каналы' },
  { value: 'outbox', label: 'Уведомления и статусы' },
];

/** Administration: one tab per section, each in its own file beside this one. */
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
          <OrganisationsTab />
        </Tabs.Panel>
        <Tabs.Panel value="users">
          <UsersTab />
        </Tabs.Panel>
        <Tabs.Panel value="routing">
          <RoutingRulesTab />
        </Tabs.Panel>
        <Tabs.Panel value="topics">
          <TopicsTab />
        </Tabs.Panel>
        <Tabs.Panel value="calendar">
          <CalendarTab />
        </Tabs.Panel>
        <Tabs.Panel value="channels">
          <ChannelsTab />
        </Tabs.Panel>
        <Tabs.Panel value="outbox">
          <EventOutboxTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
