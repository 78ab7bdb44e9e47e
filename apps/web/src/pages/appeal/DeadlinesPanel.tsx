import { Divider, Group, Paper, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { type useNames } from '../../api/hooks';
import { type AppealCard } from '../../api/types';
import { Countdown } from '../../components/common';
import { deadlineWarningText } from '../../lib/deadline-warnings';
import { formatDateTime, formatLocalDate, zoneLabel } from '../../lib/time';
import { OPEN } from './appeal-state';

/**
 * The appeal's clocks in its organisation's zone: the answer, each line-2 part, and for a 59-ФЗ appeal (not a
 * message) registration and redirect.
 */
export function DeadlinesPanel({ card, names }: { card: AppealCard; names: ReturnType<typeof useNames> }) {
  const open = OPEN.includes(card.status);
  const line2 = useMemo(() => {
    const due = new Map<string, string>();
    for (const e of card.history) {
      if (e.type === 'escalated' && e.data.dueAt && typeof e.data.dueAt === 'object') {
        for (const [org, at] of Object.entries(e.data.dueAt as Record<string, string>)) due.set(org, at);
      }
      if (e.type === 'line2-extended' && typeof e.data.organisationId === 'string') {
        due.set(e.data.organisationId, String(e.data.until));
      }
      if (e.type === 'returned' && typeof e.data.organisationId === 'string')
        due.delete(e.data.organisationId);
    }
    // Only the parts still open: an organisation that has answered (or returned it) has no term left to run.
    const active = new Set(
      card.organisations.filter((o) => o.line === 2 && o.state === 'active').map((o) => o.id),
    );
    return [...due.entries()].filter(([org]) => active.has(org));
  }, [card.history, card.organisations]);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Сроки">
      <Text fw={600} mb="xs">
        Сроки
      </Text>
      <Stack gap={8}>
        <div>
          <Text size="xs" c="dimmed">
            Срок ответа{card.deadlines.extended ? ' (продлён)' : ''}
          </Text>
          <Group justify="space-between" align="baseline" gap={4}>
            <Text fw={600} size="lg" data-testid="answer-due">
              {formatLocalDate(card.deadlines.answerDueDate)}
            </Text>
            {open ? (
              <Countdown due={card.deadlines.answerDueAt} timeZone={card.timeZone} />
            ) : (
              <Text size="sm" c="dimmed">
                рассмотрено
              </Text>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            до {formatDateTime(card.deadlines.answerDueAt, card.timeZone)} · {zoneLabel(card.timeZone)}
          </Text>
          {/* A term that runs into a year whose holidays are not decreed yet may move: the clerk is told. */}
          {open &&
            card.deadlines.warnings.map((w) => (
              <Text
                key={`${w.code}-${w.date}`}
                size="xs"
                mt={4}
                pl={6}
                // Marked by the bar, read in the body's colour: orange text is below WCAG's contrast at this size.
                style={{ borderLeft: '3px solid var(--mantine-color-orange-6)' }}
                data-testid="deadline-warning"
              >
                {deadlineWarningText(w, card.deadlines.answerDueDate)}
              </Text>
            ))}
        </div>
        {open &&
          line2.map(([org, at]) => (
            <div key={org}>
              <Text size="xs" c="dimmed">
                Ответ 2-й линии: {names.organisation(org)}
              </Text>
              <Group justify="space-between" gap={4}>
                <Text size="sm">{formatDateTime(at, card.timeZone)}</Text>
                <Countdown due={at} timeZone={card.timeZone} size="xs" />
              </Group>
            </div>
          ))}
        {/* 59-ФЗ's registration and redirection terms bind an appeal, not a message. */}
        {card.regime === 'appeal' && (
          <>
            <Divider />
            <Group justify="space-between">
              <Text size="xs" c="dimmed">
                Регистрация (3 дня)
              </Text>
              <Text size="xs">{formatDateTime(card.deadlines.registrationDueAt, card.timeZone)}</Text>
            </Group>
            <Group justify="space-between">
              <Text size="xs" c="dimmed">
                Переадресация (7 дней)
              </Text>
              <Text size="xs">{formatDateTime(card.deadlines.redirectDueAt, card.timeZone)}</Text>
            </Group>
          </>
        )}
      </Stack>
    </Paper>
  );
}
