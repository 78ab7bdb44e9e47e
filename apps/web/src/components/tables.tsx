import {
  Alert,
  Button,
  Group,
  Loader,
  Menu,
  Paper,
  Stack,
  Table,
  type TableProps,
  Text,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMediaQuery } from '@mantine/hooks';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';
import { StatusAlert } from './common';

/** A column heading: its text, or the text with the cell's alignment; `hidden` keeps it for screen readers only. */
export type Column = string | { label: string; right?: boolean; hidden?: boolean };

/** The last column of a list whose rows carry buttons: named for screen readers, blank on screen. */
export const ACTIONS: Column = { label: 'Действия', hidden: true };

/** Below this width a table's rows stand as cards, each cell under its column's name (`.table-stacked`). */
export const STACKED_TABLES = '(max-width: 40em)';

/**
 * Each body cell of the tables inside `box` named by its column's heading (`data-label`, which `.table-stacked`
 * shows before the cell on a phone); a cell spanning columns, or under a heading only screen readers read,
 * gets none.
 */
function labelCells(box: HTMLElement): void {
  for (const table of box.querySelectorAll('table')) {
    const headings = [...table.querySelectorAll('thead th')].map((th) =>
      th.querySelector('.visually-hidden') ? '' : (th.textContent ?? '').trim(),
    );
    for (const row of table.querySelectorAll('tbody tr, tfoot tr')) {
      let column = 0;
      for (const cell of row.children) {
        const span = (cell as HTMLTableCellElement).colSpan || 1;
        const label = span === 1 ? (headings[column] ?? '') : '';
        if (cell.getAttribute('data-label') !== label) cell.setAttribute('data-label', label);
        column += span;
      }
    }
  }
}

/**
 * A bordered box for a table: on a wide screen it scrolls a wide table sideways instead of the page; on a phone
 * (`STACKED_TABLES`) the rows stand one under another as cards, each cell with its column's name, and the page
 * scrolls, as the inbox does (a table scrolled inside its box showed a phone two columns of eight).
 */
export function TableBox({
  children,
  minWidth = 700,
  scrollOnPhone = false,
}: {
  children: ReactNode;
  minWidth?: number;
  /** Keep the columns on a phone too, scrolled sideways: figures read across the rows (a report). */
  scrollOnPhone?: boolean;
}) {
  const stacked = (useMediaQuery(STACKED_TABLES) ?? false) && !scrollOnPhone;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!stacked || !element) return;
    labelCells(element);
    // Rows come and go with the list's data and the cells' own state: named again whenever they do.
    const observer = new MutationObserver(() => labelCells(element));
    observer.observe(element, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [stacked]);
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      {stacked ? (
        <div ref={box} className="table-stacked">
          {children}
        </div>
      ) : (
        <Table.ScrollContainer minWidth={minWidth}>{children}</Table.ScrollContainer>
      )}
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
  scrollOnPhone,
  headBg,
  foot,
  children,
  ...table
}: {
  label: string;
  columns: Column[];
  empty?: ReactNode;
  minWidth?: number;
  scrollOnPhone?: boolean;
  headBg?: string;
  foot?: ReactNode;
  children: ReactNode;
} & Omit<TableProps, 'children'>) {
  return (
    <TableBox minWidth={minWidth} scrollOnPhone={scrollOnPhone}>
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

/** A list's query in place: a spinner (named `label`) while it loads, then why it failed, if it did. */
export function QueryStatus({
  query,
  label,
  size,
}: {
  query: { isLoading: boolean; error: unknown };
  label?: string;
  size?: 'sm';
}) {
  return (
    <>
      {query.isLoading && <Loader size={size} role="progressbar" aria-label={label} />}
      <LoadError error={query.error} />
    </>
  );
}

/** What the last action did (teal, or blue/orange for news) or why it failed (red), until closed. */
export interface Notice {
  color: 'teal' | 'blue' | 'orange' | 'red';
  text: string;
}

export function NoticeAlert({ notice, onClose }: { notice: Notice | null; onClose: () => void }) {
  if (!notice) return null;
  const Notice = notice.color === 'red' ? Alert : StatusAlert;
  return (
    <Notice color={notice.color} withCloseButton onClose={onClose}>
      {notice.text}
    </Notice>
  );
}

/**
 * What a list's last change did or why it failed (`alert` shows it), the list (`queryKey`) refreshed after
 * each change: `done(text)` says it and refreshes, `failed(error)` says why.
 */
export function useListNotice(queryKey: readonly unknown[]) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<Notice | null>(null);
  return {
    notice,
    setNotice,
    done: async (text: string) => {
      setNotice({ color: 'teal', text });
      await queryClient.invalidateQueries({ queryKey });
    },
    failed: (e: unknown) => setNotice({ color: 'red', text: errorText(e) }),
    alert: <NoticeAlert notice={notice} onClose={() => setNotice(null)} />,
  };
}

/**
 * Which row of a list a dialog edits: none (closed), one by its id (`edit`), or a new one (`add`). `modal` is
 * what the dialog takes: whether it is open, the row, and `onSaved` closing it and telling the list what was
 * saved.
 */
export function useRowEditor<T extends { id: string }>(
  rows: T[] | undefined,
  list: ReturnType<typeof useListNotice>,
) {
  const [editing, setEditing] = useState<string | null>(null);
  return {
    edit: (id: string) => setEditing(id),
    add: () => setEditing(''),
    /** The dialog's key: a new one for each row, so that it starts afresh. */
    key: editing ?? 'closed',
    modal: {
      opened: editing !== null,
      row: rows?.find((r) => r.id === editing),
      onClose: () => setEditing(null),
      onSaved: async (text: string) => {
        setEditing(null);
        await list.done(text);
      },
    },
  };
}

/** A change to one row of a list: what it did (`said`) or why it failed goes to the list's notice. */
export function useRowAction<V, R>(
  list: ReturnType<typeof useListNotice>,
  action: (v: V) => Promise<R>,
  said: (saved: R, v: V) => string,
) {
  return useMutation({
    mutationFn: action,
    onSuccess: (saved: R, v: V) => list.done(said(saved, v)),
    onError: list.failed,
  });
}

/** Above a list: what it holds (dimmed) and, at the right, the button adding to it (`add`, `onAdd`). */
export function ListHeader(props: {
  hint: ReactNode;
  add: string;
  onAdd: () => void;
  addDisabled?: boolean;
}) {
  return (
    <Group justify="space-between" wrap="wrap">
      <Text size="sm" c="dimmed" maw={760}>
        {props.hint}
      </Text>
      <Button size="xs" onClick={props.onAdd} disabled={props.addDisabled}>
        {props.add}
      </Button>
    </Group>
  );
}

/** A row's «Действия» menu (its items the children), named for screen readers by the row's `name`. */
export function RowMenu({ name, children }: { name: string; children: ReactNode }) {
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button size="compact-xs" variant="subtle" aria-label={`Действия: ${name}`}>
          Действия
        </Button>
      </Menu.Target>
      <Menu.Dropdown>{children}</Menu.Dropdown>
    </Menu>
  );
}

/**
 * A page's one query before it has data: a spinner named `label` while it loads, then why it failed (under
 * `title`, with `back`, a way out, where given).
 */
export function Pending({
  query,
  label,
  title,
  back,
}: {
  query: { isLoading: boolean; error: unknown };
  label: string;
  title?: string;
  back?: ReactNode;
}) {
  if (query.isLoading) {
    return (
      <Group justify="center" p="xl">
        <Loader role="progressbar" aria-label={label} />
      </Group>
    );
  }
  const alert = (
    <Alert color="red" title={title} role="alert">
      {errorText(query.error)}
    </Alert>
  );
  return back ? (
    <Stack>
      {alert}
      {back}
    </Stack>
  ) : (
    alert
  );
}

/** «Показать ещё» under a list read a page at a time (an infinite query): there only while a page is left. */
export function ShowMore({
  list,
  size,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  size?: 'xs' | 'compact-sm';
}) {
  if (!list.hasNextPage) return null;
  return (
    <Button
      variant="default"
      size={size}
      w="fit-content"
      loading={list.isFetchingNextPage}
      onClick={() => void list.fetchNextPage()}
    >
      Показать ещё
    </Button>
  );
}
