import { Badge, Group, Stack, Text } from '@mantine/core';
import { type AppealCard } from '../../api/types';
import { orgRoleLabel } from './appeal-state';
import { Section } from './Section';

/** The organisations that hold or held the appeal, with their role in it. */
export function OrganisationsPanel({ card }: { card: AppealCard }) {
  const a = card;
  return (
    <Section title="Организации">
      <Stack gap={6}>
        {a.organisations.map((o) => (
          <Group key={o.id} justify="space-between" wrap="nowrap" gap="xs" data-testid="appeal-organisation">
            <div>
              <Text size="sm">{o.name}</Text>
              {o.line === 2 && (
                <Text size="xs" c="dimmed" data-testid="part-assignee">
                  {o.assigneeName ? `Исполнитель: ${o.assigneeName}` : 'Исполнитель не назначен'}
                </Text>
              )}
            </div>
            <Badge
              size="sm"
              variant="light"
              color={o.role === 'co-executor' ? 'violet' : 'gray'}
              // Read whole beside a name that wraps («ответственная» was cut to «ответственн…»).
              style={{ textTransform: 'none', flexShrink: 0, minWidth: 'max-content' }}
            >
              {orgRoleLabel(o.role)}
            </Badge>
          </Group>
        ))}
      </Stack>
    </Section>
  );
}
