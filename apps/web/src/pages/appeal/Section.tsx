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
 * An e-mail address in pieces that are each kept whole, with a break allowed after «@» and before each dot: a long
 * address wraps where a reader expects it, never inside a name or at its hyphens.
 */
function emailPieces(address: string): ReactNode[] {
  return address.split(/(?<=@)|(?=\.)/).flatMap((piece, i) => [
    ...(i > 0 ? [<wbr key={`b${i}`} />] : []),
    <span key={i} style={{ whiteSpace: 'nowrap' }}>
      {piece}
    </span>,
  ]);
}

/**
 * A label and its value in a panel. An `unbroken` value (a phone number) is never split across lines: where it does
 * not fit beside its label it goes below it, whole; wider than the panel, it scrolls. An `email` goes below its label
 * the same way and, longer than the panel (cut at 1280 px), wraps after «@» and before dots.
 */
export function Field({
  label,
  value,
  unbroken = false,
  email = false,
}: {
  label: string;
  value: string;
  unbroken?: boolean;
  email?: boolean;
}) {
  const whole = unbroken || email;
  return (
    <Group gap={whole ? '0 6px' : 6} wrap={whole ? 'wrap' : 'nowrap'} align="baseline">
      <Text size="xs" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text
        size="sm"
        style={
          unbroken
            ? { whiteSpace: 'nowrap', maxWidth: '100%', overflowX: 'auto' }
            : email
              ? { maxWidth: '100%', overflowX: 'auto' }
              : { wordBreak: 'break-word' }
        }
      >
        {email ? emailPieces(value) : value}
      </Text>
    </Group>
  );
}
