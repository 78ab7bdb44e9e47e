import { Group, Stack, Table, Text } from '@mantine/core';
import { useNames } from '../../api/hooks';
import { ExportButtons } from '../../components/common';
import { ORG_KIND_LABEL } from '../../lib/labels';
import { ListTable } from '../../components/tables';

/** The organisation directory as a tree, exportable. */
export function OrganisationsTab() {
  const names = useNames();
  const depth = (id: string | null, n = 0): number =>
    id ? depth(names.organisations.find((o) => o.id === id)?.parentId ?? null, n + 1) : n;
  return (
    <Stack gap="xs">
      <Group justify="flex-end">
        <ExportButtons
          table={() => ({
            name: 'organizacii',
            header: ['Код', 'Краткое наименование', 'Полное наименование', 'Вид', 'Часовой пояс'],
            rows: names.organisations.map((o) => [
              o.code,
              o.shortName,
              o.name,
              ORG_KIND_LABEL[o.kind] ?? o.kind,
              o.timeZone,
            ]),
          })}
        />
      </Group>
      <ListTable label="Организации" columns={['Наименование', 'Вид', 'Код', 'Часовой пояс']}>
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
            <Table.Td>{ORG_KIND_LABEL[o.kind] ?? o.kind}</Table.Td>
            <Table.Td>
              <code>{o.code}</code>
            </Table.Td>
            <Table.Td>{o.timeZone}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    </Stack>
  );
}
