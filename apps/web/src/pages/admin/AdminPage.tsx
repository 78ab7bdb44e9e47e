import { NativeSelect, Stack, Tabs } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
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

/** The sections in their order: the address, the tab's name and what it shows. */
const SECTIONS = [
  { value: 'organisations', label: 'Организации', Panel: OrganisationsTab },
  { value: 'users', label: 'Сотрудники и роли', Panel: UsersTab },
  { value: 'routing', label: 'Маршрутизация', Panel: RoutingRulesTab },
  { value: 'topics', label: 'Рубрикатор', Panel: TopicsTab },
  { value: 'templates', label: 'Типовые ответы', Panel: TemplatesTab },
  { value: 'fast-track', label: 'Ускоренное рассмотрение', Panel: FastTrackTab },
  { value: 'models', label: 'Классификатор', Panel: ModelsTab },
  { value: 'corrections', label: 'Исправления классификатора', Panel: CorrectionsTab },
  { value: 'calendar', label: 'Производственный календарь', Panel: CalendarTab },
  { value: 'channels', label: 'Каналы', Panel: ChannelsTab },
  { value: 'channel-accounts', label: 'Учётные записи каналов', Panel: ChannelAccountsTab },
  { value: 'outbox', label: 'Уведомления и статусы', Panel: EventOutboxTab },
];

/** Administration: one tab per section, each in its own file beside this one. */
export function AdminPage() {
  const { section = 'organisations' } = useParams();
  const navigate = useNavigate();
  // On a phone the twelve tabs stood in ten rows above the section: there a list to choose from.
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  return (
    <Stack gap="sm">
      <PageTitle title="Администрирование" subtitle="Справочники, сотрудники, правила и состояние каналов" />
      <Tabs value={section} onChange={(v) => navigate(`/admin/${v}`)} keepMounted={false}>
        {phone && (
          <NativeSelect
            label="Раздел"
            mb="sm"
            data={SECTIONS.map((s) => ({ value: s.value, label: s.label }))}
            value={section}
            onChange={(e) => navigate(`/admin/${e.currentTarget.value}`)}
          />
        )}
        <Tabs.List mb="sm" display={phone ? 'none' : undefined}>
          {SECTIONS.map((s) => (
            <Tabs.Tab key={s.value} value={s.value}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {SECTIONS.map(({ value, Panel }) => (
          <Tabs.Panel key={value} value={value}>
            <Panel />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
