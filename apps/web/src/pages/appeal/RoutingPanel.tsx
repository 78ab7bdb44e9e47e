import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { type AppealCard, type RouteSuggestion } from '../../api/types';

/** Where to send the appeal, by the routing rules (topic and territory), and escalation by the suggestion. */
export function RoutingPanel({
  card,
  onEscalate,
}: {
  card: AppealCard;
  onEscalate: (ids: string[]) => void;
}) {
  const [result, setResult] = useState<RouteSuggestion | null>(null);
  const [error, setError] = useState<string | null>(null);
  const suggest = useMutation({
    mutationFn: () =>
      call('suggestRoute', {
        body: { topicId: card.topicId, subtopicId: card.subtopicId, territoryCode: card.territoryCode },
      }),
    onSuccess: (r) => {
      setResult(r);
      setError(null);
    },
    onError: (e) => setError(errorText(e)),
  });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Маршрутизация">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Куда направить</Text>
        <Button size="xs" variant="subtle" onClick={() => suggest.mutate()} loading={suggest.isPending}>
          Подобрать
        </Button>
      </Group>
      {!result && !error && (
        <Text size="xs" c="dimmed">
          Подбор по правилам маршрутизации: тема и территория обращения.
        </Text>
      )}
      {error && (
        <Text size="xs" c="red.9">
          {error}
        </Text>
      )}
      {result && (
        <Stack gap={6} data-testid="route-suggestion">
          <Text size="xs" c="dimmed">
            {result.reasonText}
            {result.matchedRules.length > 0 && `: ${result.matchedRules.map((r) => r.name).join('; ')}`}
          </Text>
          {result.organisations.map((o) => (
            <Text key={o.id} size="sm" fw={500}>
              {o.shortName}
            </Text>
          ))}
          {result.organisationIds.length > 0 && (
            <Button size="xs" onClick={() => onEscalate(result.organisationIds)}>
              Передать по предложению
            </Button>
          )}
        </Stack>
      )}
    </Paper>
  );
}
