import { Stack, Tabs } from '@mantine/core';
import { useNavigate, useParams } from 'react-router-dom';
import { PageTitle } from '../../components/common';
import { CalendarTab } from './CalendarTab';
import { ChannelAccountsTab } from './ChannelAccountsTab';
import { ChannelsTab } from './ChannelsTab';
import { CorrectionsTab } from './CorrectionsTab';
import { EventOutboxTab } from './EventOutboxTab';
import { FastTrackTab } from './FastTrackTab';
import { ModelsTab } from './ModelsTab';
import { OrganisationsTab } from './OrganisationsTab';
import { RoutingRulesTab } from './RoutingRulesTab';
import { TemplatesTab } from './TemplatesTab';
import { TopicsTab } from './TopicsTab';
import { UsersTab } from './UsersTab';

const SECTIONS = [
  { value: 'organisations', label: 'Организации' },
  { value: 'users', label: 'Сотрудники и роли' },
  { value: 'routing', label: 'Маршрутизация' },
  { value: 'topics', label: 'Рубрикатор' },
  { value: 'templates', label: 'Шаблоны ответов' },
  { value: 'fast-track', label: 'Ускоренное рассмотрение' },
  { value: 'models', label: 'Классификатор' },
  { value: 'corrections', label: 'Исправления классификатора' },
  { value: 'calendar', label: 'Производственный календарь' },
  { value: 'channels', label: 'Каналы' },
  { value: 'channel-accounts', label: 'Учётные записи каналов' },
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
        <Tabs.Panel value="templates">
          <TemplatesTab />
        </Tabs.Panel>
        <Tabs.Panel value="fast-track">
          <FastTrackTab />
        </Tabs.Panel>
        <Tabs.Panel value="models">
          <ModelsTab />
        </Tabs.Panel>
        <Tabs.Panel value="corrections">
          <CorrectionsTab />
        </Tabs.Panel>
        <Tabs.Panel value="calendar">
          <CalendarTab />
        </Tabs.Panel>
        <Tabs.Panel value="channels">
          <ChannelsTab />
        </Tabs.Panel>
        <Tabs.Panel value="channel-accounts">
          <ChannelAccountsTab />
        </Tabs.Panel>
        <Tabs.Panel value="outbox">
          <EventOutboxTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
