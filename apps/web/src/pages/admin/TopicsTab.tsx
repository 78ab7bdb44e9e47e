import { Table } from '@mantine/core';
import { useNames } from '../../api/hooks';
import { TableBox } from '../../components/tables';

/** The rubricator: topics and their subtopics with the default organisation. */
export function TopicsTab() {
  const names = useNames();
  const roots = names.topics.filter((t) => !t.parentId);
  return (
    <TableBox>
      <Table fz="sm" verticalSpacing={4} aria-label="Рубрикатор">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Тема / подтема</Table.Th>
            <Table.Th>Код для файлов CSV</Table.Th>
            <Table.Th>Орган по умолчанию</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {roots.flatMap((t) => [
            <Table.Tr key={t.id} bg="gray.0">
              <Table.Td fw={600}>{t.name}</Table.Td>
              <Table.Td>
                <code data-literal>{t.code}</code>
              </Table.Td>
              <Table.Td>{t.defaultOrganisationName ?? '—'}</Table.Td>
            </Table.Tr>,
            ...names.topics
              .filter((s) => s.parentId === t.id)
              .map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td pl={32}>{s.name}</Table.Td>
                  <Table.Td>
                    <code data-literal>{s.code}</code>
                  </Table.Td>
                  <Table.Td>{s.defaultOrganisationName ?? '—'}</Table.Td>
                </Table.Tr>
              )),
          ])}
        </Table.Tbody>
      </Table>
    </TableBox>
  );
}
