import { Badge, Group, Stack, Text } from '@mantine/core';
import { type AppealCard } from '../../api/types';
import { orgRoleLabel, partStateLabel } from './appeal-state';
import { Section } from './Section';

/**
 * The organisations that hold or held the appeal, with their role in it. The line-1 organisation is «ответственная»
 * only while the appeal is its own: reopened at a superior, the superior is (both used to read «ответственная»). A
 * line-2 part that is over says how («ответила», «вернула»).
 */
export function OrganisationsPanel({ card }: { card: AppealCard }) {
  const a = card;
  const role = (o: AppealCard['organisations'][number]) =>
    o.line === 1 && o.role === 'responsible' && o.id !== a.organisationId
      ? '1-я линия'
      : orgRoleLabel(o.role);
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
              {o.line === 2 && o.state !== 'active' && (
                <Text size="xs" c="dimmed" data-testid="part-state">
                  {partStateLabel(o.state)}
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
              {role(o)}
            </Badge>
          </Group>
        ))}
      </Stack>
    </Section>
  );
}
