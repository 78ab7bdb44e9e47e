import { Group, Paper, Text } from '@mantine/core';
import { type ReactNode } from 'react';

/** One panel of the appeal card: a titled, labelled section. */
export function Section({
  title,
  children,
  right,
}: {
  title: string;
  children: ReactNode;
  right?: ReactNode;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="md">
          {title}
        </Text>
        {right}
      </Group>
      {children}
    </Paper>
  );
}

/**
 * A label and its value in a panel. An `unbroken` value (a phone number, an e-mail address) is never split across
 * lines: where it does not fit beside its label it goes below it, whole; wider than the panel, it scrolls.
 */
export function Field({
  label,
  value,
  unbroken = false,
}: {
  label: string;
  value: string;
  unbroken?: boolean;
}) {
  return (
    <Group gap={unbroken ? '0 6px' : 6} wrap={unbroken ? 'wrap' : 'nowrap'} align="baseline">
      <Text size="xs" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text
        size="sm"
        style={
          unbroken
            ? { whiteSpace: 'nowrap', maxWidth: '100%', overflowX: 'auto' }
            : { wordBreak: 'break-word' }
        }
      >
        {value}
      </Text>
    </Group>
  );
}
