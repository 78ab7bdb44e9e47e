import { Alert, Paper, Table, type TableProps, Text } from '@mantine/core';
import { type ReactNode } from 'react';
import { errorText } from '../api/client';

/** A column heading: its text, or the text with the cell's alignment; `hidden` keeps it for screen readers only. */
export type Column = string | { label: string; right?: boolean; hidden?: boolean };

/** The last column of a list whose rows carry buttons: named for screen readers, blank on screen. */
export const ACTIONS: Column = { label: 'Действия', hidden: true };

/** A bordered box that scrolls a wide table sideways instead of the page. */
export function TableBox({ children, minWidth = 700 }: { children: ReactNode; minWidth?: number }) {
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      <Table.ScrollContainer minWidth={minWidth}>{children}</Table.ScrollContainer>
    </Paper>
  );
}

/**
 * A list as a table in a `TableBox`: named for screen readers by `label`, its column headings, a row saying
 * why it is empty (`empty`, given only when it is), the caller's rows and its footer. Small striped rows
 * unless the caller's table props say otherwise.
 */
export function ListTable({
  label,
  columns,
  empty,
  minWidth,
  headBg,
  foot,
  children,
  ...table
}: {
  label: string;
  columns: Column[];
  empty?: ReactNode;
  minWidth?: number;
  headBg?: string;
  foot?: ReactNode;
  children: ReactNode;
} & Omit<TableProps, 'children'>) {
  return (
    <TableBox minWidth={minWidth}>
      <Table fz="sm" verticalSpacing={5} striped {...table} aria-label={label}>
        <Table.Thead bg={headBg}>
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
        {foot && <Table.Tfoot>{foot}</Table.Tfoot>}
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
