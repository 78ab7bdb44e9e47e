import {
  Alert,
  type AlertProps,
  Badge,
  type BadgeProps,
  Button,
  Group,
  Menu,
  Progress,
  Text,
  Tooltip,
} from '@mantine/core';
import { type ReactNode, type Ref, useEffect, useState } from 'react';
import { errorText } from '../api/client';
import { type AppealStatus } from '../api/types';
import { type Table, downloadTable } from '../lib/download';
import { STATUS_COLOR, channelLabel, statusLabel } from '../lib/labels';
import { countdown, formatDateTime, URGENCY_COLOR, zoneLabel } from '../lib/time';

/**
 * A notice that is not an error (a success, news, a note), read out politely. Mantine's Alert writes
 * role="alert" after our props, so a role="status" given to it was lost and screen readers broke in on every
 * «Сохранено»; its root is drawn here with the role of a status. Errors keep Mantine's Alert (role="alert").
 */
export function StatusAlert({ ref, ...props }: AlertProps & { ref?: Ref<HTMLDivElement> }) {
  const root = { renderRoot: (attrs: object) => <div {...attrs} role="status" aria-live="polite" /> };
  return <Alert ref={ref} {...props} {...root} />;
}

/** A label as it is written (not upper-cased), never squeezed by its neighbours; light unless told. */
export function LabelBadge(
  props: Omit<BadgeProps, 'style'> & { children: ReactNode } & { [data: `data-${string}`]: string },
) {
  // Not cut to «Са…» in a narrow table column either: as wide as its label, unless it is one that wraps.
  const wraps = props.className?.includes('badge-wrap');
  return (
    <Badge
      variant="light"
      radius="sm"
      {...props}
      style={{ textTransform: 'none', flexShrink: 0, minWidth: wraps ? undefined : 'max-content' }}
    />
  );
}

/** A status, never cut: long labels («Передано на 2-ю линию») wrap inside the badge. */
export function StatusBadge({ status }: { status: AppealStatus }) {
  return (
    <LabelBadge color={STATUS_COLOR[status]} className="badge-wrap">
      {keptTogether(statusLabel(status))}
    </LabelBadge>
  );
}

/** `text` with «2-ю», «2-й», «59-ФЗ» each kept on one line: a narrow badge broke «Передано на 2-» / «ю линию». */
export function keptTogether(text: string): ReactNode {
  return text.split(/(\d+-[А-Яа-яЁё]+)/).map((part, i) =>
    i % 2 ? (
      <span key={i} style={{ whiteSpace: 'nowrap' }}>
        {part}
      </span>
    ) : (
      part
    ),
  );
}

export function ChannelBadge({ channel }: { channel: string }) {
  return (
    <LabelBadge color="gray.7" variant="outline">
      {channelLabel(channel)}
    </LabelBadge>
  );
}

export function FastTrackBadge() {
  return (
    <LabelBadge color="red.8" variant="filled">
      Ускоренное
    </LabelBadge>
  );
}

/**
 * The appeal's author took back what they had sent (a deleted message), or the channel did (ПОС moderation declined
 * it after registration): the appeal stays on record, and the clerk decides what to do with it.
 */
export function WithdrawnBadge({ by }: { by: 'author' | 'channel' }) {
  return (
    <LabelBadge color="grape.8" variant="outline" className="badge-wrap" data-testid="withdrawn-badge">
      {by === 'channel' ? 'Отклонено модератором канала' : 'Отозвано заявителем'}
    </LabelBadge>
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
      label={timeZone ? `${formatDateTime(due, timeZone)} (${zoneLabel(timeZone)})` : formatDateTime(due)}
      withArrow
    >
      <Text size={size} c={URGENCY_COLOR[c.urgency]} fw={c.urgency === 'ok' ? 400 : 600} span tabIndex={0}>
        {c.text}
      </Text>
    </Tooltip>
  );
}

export type Progress = (done: number, total: number) => void;

/**
 * «Выгрузить» → CSV or XLSX of the whole result behind the view. The table may be built by fetching every
 * page (reporting its progress): a progress bar shows while it loads, an error stays beside the button.
 */
export function ExportButtons({
  table,
  disabled,
}: {
  table: (progress: Progress) => Table | Promise<Table>;
  disabled?: boolean;
}) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (format: 'csv' | 'xlsx') => {
    setError(null);
    setProgress({ done: 0, total: 0 });
    try {
      const t = await table((done, total) => setProgress({ done, total }));
      downloadTable(t, format);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setProgress(null);
    }
  };
  return (
    <Group gap={6} wrap="nowrap">
      {progress && (
        <Group gap={6} wrap="nowrap" data-testid="export-progress" role="status" aria-live="polite">
          <Progress value={progress.total ? (progress.done / progress.total) * 100 : 5} w={90} size="sm" />
          <Text size="xs">{progress.total ? `${progress.done} из ${progress.total}` : 'Подготовка…'}</Text>
        </Group>
      )}
      {error && (
        <Text size="xs" c="red.9" role="alert" maw={220}>
          {error}
        </Text>
      )}
      <Menu position="bottom-end">
        <Menu.Target>
          <Button variant="default" size="xs" disabled={disabled || progress !== null}>
            Выгрузить
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => void run('xlsx')}>Excel (XLSX)</Menu.Item>
          <Menu.Item onClick={() => void run('csv')}>CSV (UTF-8, «;»)</Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </Group>
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
