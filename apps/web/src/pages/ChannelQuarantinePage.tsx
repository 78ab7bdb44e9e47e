import { Alert, Button, Code, Loader, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { call, errorText } from '../api/client';
import { type Me } from '../api/types';
import { ChannelBadge, PageTitle } from '../components/common';
import { formatDateTime } from '../lib/time';
import { ListTable, QueryStatus } from '../components/tables';

/** Who the API lets read the quarantine: line 1 and supervisors who see the whole region. */
export function seesChannelQuarantine(me: Me): boolean {
  return me.role === 'operator' || (me.role === 'supervisor' && me.organisationIds === null);
}

/** The input as the channel sent it: JSON indented, a body that was not JSON as it came. */
function rawText(raw: unknown): string {
  if (raw === null || raw === undefined) return '—';
  return typeof raw === 'string' ? raw : JSON.stringify(raw, null, 2);
}

/** What the channel sent, fetched when a member of staff opens the entry (the read is audited by the API). */
function QuarantineInput({ source, id, elementId }: { source: string; id: string; elementId: string }) {
  const entry = useQuery({
    queryKey: ['channel-quarantine', source, id],
    queryFn: () => call('channelQuarantineEntry', { params: { source, id } }),
  });
  if (entry.isLoading) return <Loader size="sm" role="progressbar" aria-label="Загрузка" />;
  if (entry.isError)
    return (
      <Alert color="red" role="alert">
        {errorText(entry.error)}
      </Alert>
    );
  return (
    <Code
      block
      id={elementId}
      data-testid="quarantine-raw"
      aria-label="Присланное каналом целиком"
      style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: 360 }}
    >
      {rawText(entry.data?.raw)}
    </Code>
  );
}

/**
 * What the channels sent that could not be read or registered (issue 13): channel, when, what happened in
 * Russian and the channel's technical reason. The input itself may carry a citizen's personal data, so the list
 * has none: it is fetched (and the read recorded in the audit log) only when a member of staff opens an entry.
 */
export function ChannelQuarantinePage() {
  const list = useQuery({ queryKey: ['channel-quarantine'], queryFn: () => call('channelQuarantine') });
  const [open, setOpen] = useState<string | null>(null);
  const items = list.data?.items;

  return (
    <>
      <PageTitle
        title="Нераспознанные сообщения каналов"
        subtitle="Что прислали каналы и что не удалось прочитать или зарегистрировать; обращение по такому сообщению регистрируется вручную"
      />
      <QueryStatus query={list} label="Загрузка" />
      {items && items.length === 0 && <Text c="dimmed">Нераспознанных сообщений нет.</Text>}
      {items && items.length > 0 && (
        <ListTable
          label="Нераспознанные сообщения каналов"
          columns={['Канал', 'Получено', 'Что случилось', 'Техническая причина', 'Присланное']}
          minWidth={720}
          striped={false}
        >
          {items.map((q) => {
            const key = `${q.source}:${q.id}`;
            const shown = open === key;
            return (
              <Fragment key={key}>
                <Table.Tr data-testid="quarantine-row" data-channel={q.channel}>
                  <Table.Td>
                    <Stack gap={2}>
                      <ChannelBadge channel={q.channel} />
                      {q.accountName && (
                        <Text size="xs" c="dimmed">
                          {q.accountName}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>{formatDateTime(q.at)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{q.summary}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" style={{ wordBreak: 'break-word' }}>
                      {q.reason || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      aria-expanded={shown}
                      aria-controls={`quarantine-raw-${key}`}
                      onClick={() => setOpen(shown ? null : key)}
                    >
                      {shown ? 'Скрыть' : 'Показать'}
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {shown && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <QuarantineInput source={q.source} id={q.id} elementId={`quarantine-raw-${key}`} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </ListTable>
      )}
    </>
  );
}
