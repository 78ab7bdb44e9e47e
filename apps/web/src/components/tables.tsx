import { Alert, Paper, Table, Text } from '@mantine/core';
import { type ReactNode } from 'react';
import { errorText } from '../api/client';

/** A column heading: its text, or the text with the cell's alignment; `hidden` keeps it for screen readers only. */
export type Column = string | { label: string; right?: boolean; hidden?: boolean };

/** The last column of a list whose rows carry buttons: named for screen readers, blank on screen. */
export const ACTIONS: Column = { label: 'Действия', hidden: true };

/** A bordered box that scrolls a wide table sideways instead of the page. */
export function TableBox({ children }: { children: ReactNode }) {
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      <Table.ScrollContainer minWidth={700}>{children}</Table.ScrollContainer>
    </Paper>
  );
}

/**
 * A list as a table: named for screen readers by `label`, its column headings, a row saying why it is empty
 * (`empty`, given only when it is), then the caller's rows.
 */
export function ListTable({
  label,
  columns,
  empty,
  children,
}: {
  label: string;
  columns: Column[];
  empty?: ReactNode;
  children: ReactNode;
}) {
  return (
    <TableBox>
      <Table fz="sm" verticalSpacing={5} striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => {
              const column = typeof c === 'string' ? { label: c } : c;
              return (
                <Table.Th key={column.label} ta={column.right ? 'right' : undefined}>
                  {column.hidden ? <span className="visually-hidden">{column.label}</span> : column.label}
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {empty && (
            <Table.Tr>
              <Table.Td colSpan={columns.length}>
                <Text size="sm" c="dimmed">
                  {empty}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {children}
        </Table.Tbody>
      </Table>
    </TableBox>
  );
}

/** Why a list could not be loaded. */
export function LoadError({ error }: { error: unknown }) {
  return error ? (
    <Alert color="red" role="alert">
      {errorText(error)}
    </Alert>
  ) : null;
}

/** What the last action did (teal, or blue/orange for news) or why it failed (red), until closed. */
export interface Notice {
  color: 'teal' | 'blue' | 'orange' | 'red';
  text: string;
}

export function NoticeAlert({ notice, onClose }: { notice: Notice | null; onClose: () => void }) {
  return notice ? (
    <Alert
      color={notice.color}
      role={notice.color === 'red' ? 'alert' : 'status'}
      withCloseButton
      onClose={onClose}
    >
      {notice.text}
    </Alert>
  ) : null;
}
