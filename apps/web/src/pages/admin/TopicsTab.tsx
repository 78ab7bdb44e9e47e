import { Table, Text } from '@mantine/core';
import { useNames } from '../../api/hooks';
import { TableBox } from '../../components/tables';

type Topic = ReturnType<typeof useNames>['topics'][number];

/** One line of the rubricator: the name first, then the default organisation, the CSV code last and dimmed. */
function TopicRow({ topic, sub }: { topic: Topic; sub?: boolean }) {
  return (
    <Table.Tr bg={sub ? undefined : 'gray.0'} data-testid="topic-row" data-code={topic.code}>
      <Table.Td pl={sub ? 32 : undefined} fw={sub ? undefined : 600}>
        {topic.name}
      </Table.Td>
      <Table.Td>{topic.defaultOrganisationName ?? '—'}</Table.Td>
      <Table.Td>
        <Text span size="xs" c="dimmed">
          <code data-literal>{topic.code}</code>
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * The rubricator: topics and their subtopics by their Russian names with the default organisation; the code
 * (what a training CSV names a topic by) is a dimmed detail at the end.
 */
export function TopicsTab() {
  const names = useNames();
  const roots = names.topics.filter((t) => !t.parentId);
  return (
    <TableBox>
      <Table fz="sm" verticalSpacing={4} aria-label="Рубрикатор">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Тема / подтема</Table.Th>
            <Table.Th>Орган по умолчанию</Table.Th>
            <Table.Th>Код в файлах CSV</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {roots.flatMap((t) => [
            <TopicRow key={t.id} topic={t} />,
            ...names.topics
              .filter((s) => s.parentId === t.id)
              .map((s) => <TopicRow key={s.id} topic={s} sub />),
          ])}
        </Table.Tbody>
      </Table>
    </TableBox>
  );
}
