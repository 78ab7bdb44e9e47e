import { Group, Paper, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call } from '../../api/client';
import { DAY_KIND_LABEL } from '../../lib/labels';
import { QueryStatus } from '../../components/tables';

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

/** The production calendar of a year, month by month. */
export function CalendarTab() {
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const years = useQuery({
    queryKey: ['calendars'],
    queryFn: () => call('calendars'),
  });
  const data = useQuery({
    queryKey: ['calendar', year],
    queryFn: () => call('calendarYear', { params: { year } }),
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
      <QueryStatus query={data} size="sm" />
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
