import { Badge, Button, Group, Menu, Text, Tooltip } from '@mantine/core';
import { type ReactNode, useEffect, useState } from 'react';
import { type AppealStatus } from '../api/types';
import { type Table, downloadTable } from '../lib/download';
import { CHANNEL_LABEL, STATUS_COLOR, STATUS_LABEL } from '../lib/labels';
import { countdown, formatDateTime, URGENCY_COLOR, zoneLabel } from '../lib/time';

export function StatusBadge({ status }: { status: AppealStatus }) {
  return (
    <Badge
      color={STATUS_COLOR[status]}
      variant="light"
      radius="sm"
      style={{ textTransform: 'none', flexShrink: 0 }}
    >
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}

export function ChannelBadge({ channel }: { channel: string }) {
  return (
    <Badge color="gray" variant="outline" radius="sm" style={{ textTransform: 'none', flexShrink: 0 }}>
      {CHANNEL_LABEL[channel] ?? channel}
    </Badge>
  );
}

export function FastTrackBadge() {
  return (
    <Badge color="red" variant="filled" radius="sm" style={{ textTransform: 'none', flexShrink: 0 }}>
      Ускоренное
    </Badge>
  );
}

/** Re-renders every 30 s so countdowns stay true. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** A deadline: the countdown, and the exact time in the organisation's zone on hover. */
export function Countdown({
  due,
  timeZone,
  size = 'sm',
}: {
  due: string;
  timeZone?: string;
  size?: 'xs' | 'sm';
}) {
  const now = useNow();
  const c = countdown(due, now);
  return (
    <Tooltip
      label={`${formatDateTime(due, timeZone)}${timeZone ? ` (${zoneLabel(timeZone)})` : ''}`}
      withArrow
    >
      <Text size={size} c={URGENCY_COLOR[c.urgency]} fw={c.urgency === 'ok' ? 400 : 600} span>
        {c.text}
      </Text>
    </Tooltip>
  );
}

/** «Выгрузить» → CSV or XLSX of exactly the rows behind the view. */
export function ExportButtons({ table, disabled }: { table: () => Table; disabled?: boolean }) {
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button variant="default" size="xs" disabled={disabled}>
          Выгрузить
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => downloadTable(table(), 'xlsx')}>Excel (XLSX)</Menu.Item>
        <Menu.Item onClick={() => downloadTable(table(), 'csv')}>CSV (UTF-8, «;»)</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function PageTitle({
  title,
  subtitle,
  right,
}: {
  title: string;
  subtitle?: string;
  right?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="flex-end" mb="md" wrap="wrap" gap="xs">
      <div>
        <Text component="h1" fz={22} fw={650} m={0}>
          {title}
        </Text>
        {subtitle && (
          <Text size="sm" c="dimmed">
            {subtitle}
          </Text>
        )}
      </div>
      {right && <Group gap="xs">{right}</Group>}
    </Group>
  );
}
