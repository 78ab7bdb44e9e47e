import { Paper, Table } from '@mantine/core';
import { type ReactNode } from 'react';

/** A bordered box that scrolls a wide table sideways instead of the page. */
export function TableBox({ children }: { children: ReactNode }) {
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      <Table.ScrollContainer minWidth={700}>{children}</Table.ScrollContainer>
    </Paper>
  );
}
