import { Group, Select, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { useMe } from '../../auth';
import { ExportButtons } from '../../components/common';
import { ListTable, type Notice, NoticeAlert } from '../../components/tables';
import { ANSWER_DELIVERY_LABEL, orgKindLabel } from '../../lib/labels';
import { zoneLabel } from '../../lib/time';

type AnswerDelivery = 'each' | 'combined';
const DELIVERY_OPTIONS = Object.entries(ANSWER_DELIVERY_LABEL).map(([value, label]) => ({ value, label }));

/**
 * The organisation directory as a tree, exportable. An administrator chooses here how the citizen gets the
 * line-2 answers to appeals the organisation is responsible for: each as it comes, or one combined answer.
 */
export function OrganisationsTab() {
  const names = useNames();
  const me = useMe();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<Notice | null>(null);
  const save = useMutation({
    mutationFn: (change: { id: string; answerDelivery: AnswerDelivery }) =>
      call('updateOrganisation', {
        params: { id: change.id },
        body: { answerDelivery: change.answerDelivery },
      }),
    onSuccess: async (saved) => {
      const label = ANSWER_DELIVERY_LABEL[saved.answerDelivery].toLowerCase();
      setNotice({ color: 'teal', text: `${saved.shortName}: ${label}` });
      await queryClient.invalidateQueries({ queryKey: ['organisations'] });
    },
    onError: (e) => setNotice({ color: 'red', text: errorText(e) }),
  });
  const depth = (id: string | null, n = 0): number =>
    id ? depth(names.organisations.find((o) => o.id === id)?.parentId ?? null, n + 1) : n;
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" c="dimmed">
          «Ответ заявителю» — по обращениям, за которые отвечает организация: каждый ответ организаций 2-й
          линии отдельно, как только он отправлен, или один общий ответ, когда ответят все.
        </Text>
        <ExportButtons
          table={() => ({
            name: 'organizacii',
            header: [
              'Код',
              'Краткое наименование',
              'Полное наименование',
              'Вид',
              'Часовой пояс',
              'Ответ заявителю',
            ],
            rows: names.organisations.map((o) => [
              o.code,
              o.shortName,
              o.name,
              orgKindLabel(o.kind),
              zoneLabel(o.timeZone),
              ANSWER_DELIVERY_LABEL[o.answerDelivery],
            ]),
          })}
        />
      </Group>
      <NoticeAlert notice={notice} onClose={() => setNotice(null)} />
      <ListTable label="Организации" columns={['Наименование', 'Вид', 'Часовой пояс', 'Ответ заявителю']}>
        {names.organisations.map((o) => (
          <Table.Tr key={o.id}>
            <Table.Td style={{ paddingLeft: 12 + (depth(o.parentId) - 0) * 18 }}>
              <Text size="sm" fw={o.parentId ? 400 : 600}>
                {o.shortName}
              </Text>
              <Text size="xs" c="dimmed">
                {o.name}
              </Text>
            </Table.Td>
            <Table.Td>{orgKindLabel(o.kind)}</Table.Td>
            <Table.Td>{zoneLabel(o.timeZone)}</Table.Td>
            <Table.Td>
              {me.role === 'admin' ? (
                <Select
                  size="xs"
                  w={210}
                  aria-label={`Ответ заявителю: ${o.shortName}`}
                  data={DELIVERY_OPTIONS}
                  value={o.answerDelivery}
                  allowDeselect={false}
                  disabled={save.isPending}
                  onChange={(v) =>
                    v &&
                    v !== o.answerDelivery &&
                    save.mutate({ id: o.id, answerDelivery: v as AnswerDelivery })
                  }
                />
              ) : (
                ANSWER_DELIVERY_LABEL[o.answerDelivery]
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    </Stack>
  );
}
