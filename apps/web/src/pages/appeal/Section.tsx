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

/** A label and its value in a panel. */
export function Field({ label, value }: { label: string; value: string }) {
  return (
    <Group gap={6} wrap="nowrap" align="baseline">
      <Text size="xs" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {value}
      </Text>
    </Group>
  );
}
