import { Badge, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { type AppealCard, type AppealFlag } from '../../api/types';
import { LEGAL_FLAG_LABEL, labelOf } from '../../lib/labels';
import { formatInZone } from '../../lib/time';
import { OPEN } from './appeal-state';

const STATUS: Record<string, { label: string; color: string }> = {
  raised: { label: 'ждёт решения', color: 'orange' },
  confirmed: { label: 'подтверждён', color: 'red' },
  dismissed: { label: 'отклонён', color: 'gray' },
};

const MISSING: Record<string, string> = {
  surname: 'фамилия',
  postalAddressOrEmail: 'почтовый или электронный адрес',
};

/** What the detector found, in words (the evidence is its own JSON; unknown keys are left out). */
function Evidence({ flag }: { flag: AppealFlag }) {
  const names = useNames();
  const e = (flag.evidence ?? {}) as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
  let text: ReactNode = null;
  if (flag.flag === 'anonymous') {
    text = `Не указаны: ${list(e.missing)
      .map((m) => labelOf(MISSING, m, 'другие сведения'))
      .join(', ')}`;
  } else if (flag.flag === 'offensive') {
    const words = [...list(e.obscene), ...list(e.insults), ...list(e.threats)];
    text = words.length ? `Найдено: ${words.length} выраж.` : null;
  } else if (flag.flag === 'court-decision') {
    text = list(e.phrases).length ? `Фразы: «${list(e.phrases).join('», «')}»` : null;
  } else if (flag.flag === 'several-topics') {
    text = list(e.topicIds).length ? `Темы: ${list(e.topicIds).map(names.topic).join(', ')}` : null;
  } else if (flag.flag === 'repeated' && typeof e.earlierAppealId === 'string') {
    text = (
      <>
        Похоже на обращение{' '}
        <Link to={`/appeals/${e.earlierAppealId}`}>№ {String(e.earlierRegistrationNumber ?? '')}</Link>
        {typeof e.similarity === 'number' && ` (сходство ${Math.round(e.similarity * 100)} %)`}
      </>
    );
  } else if (flag.flag === 'repeated' && e.earlierElsewhere === true) {
    // The earlier appeal lies outside what this member of staff may open: not named, only where it was.
    text = `Похоже на более раннее обращение заявителя, рассмотренное в другой организации${
      typeof e.similarity === 'number' ? ` (сходство ${Math.round(e.similarity * 100)} %)` : ''
    }`;
  }
  return text ? (
    <Text size="xs" c="dimmed">
      {text}
    </Text>
  ) : null;
}

/**
 * «Объединить с обращением…» from the «repeated» flag, only where the join would take the appeal the flag names;
 * else why not, in words (the flag names an earlier appeal already answered or closed, one joined itself, one
 * outside the viewer's organisations, or this appeal cannot be joined at all), as the api would refuse it.
 */
function JoinFromFlag(props: { card: AppealCard; number: string; onJoin: (number: string) => void }) {
  const candidates = useQuery({
    queryKey: ['join-candidates', props.card.id],
    queryFn: () => call('joinCandidates', { params: { id: props.card.id } }),
  });
  if (!candidates.data) return null;
  const flagged = candidates.data.find((c) => c.registrationNumber === props.number);
  if (flagged && !flagged.refusal) {
    return (
      <Button
        size="compact-sm"
        variant="light"
        style={{ alignSelf: 'flex-start' }}
        onClick={() => props.onJoin(props.number)}
      >
        Объединить с обращением…
      </Button>
    );
  }
  return (
    <Text size="xs" c="dimmed" data-testid="flag-join-refusal">
      Объединить нельзя: {flagged?.refusal ?? `обращение № ${props.number} не найдено среди доступных вам`}
      {flagged &&
        !OPEN.includes(flagged.status) &&
        '. На повторное обращение после ответа отвечают по существу или по ч. 5 ст. 11 59-ФЗ'}
    </Text>
  );
}

/**
 * 59-ФЗ flags the system raised: a person confirms or dismisses each (with a comment); nothing else about
 * the appeal changes, the decision goes into its history.
 */
export function FlagsPanel({
  card,
  onDone,
  onJoin,
}: {
  card: AppealCard;
  onDone: (text: string) => void;
  /** Opens «Объединить с обращением» with the flag's earlier appeal; absent where the viewer may not join. */
  onJoin?: (registrationNumber: string) => void;
}) {
  const queryClient = useQueryClient();
  const [comments, setComments] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const decide = useMutation({
    mutationFn: ({ flag, decision }: { flag: AppealFlag; decision: 'confirm' | 'dismiss' }) =>
      call(decision === 'confirm' ? 'confirmFlag' : 'dismissFlag', {
        params: { id: card.id, flagId: flag.id },
        body: comments[flag.id]?.trim() ? { comment: comments[flag.id].trim() } : {},
      }),
    onSuccess: async (_, { decision }) => {
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['appeal', card.id] });
      onDone(decision === 'confirm' ? 'Признак по 59-ФЗ подтверждён' : 'Признак по 59-ФЗ отклонён');
    },
    onError: (e) => setError(errorText(e)),
  });
  if (card.flags.length === 0) return null;
  const canDecide = !card.access.readOnly;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Признаки по 59-ФЗ">
      <Text fw={600} mb="xs">
        Признаки по 59-ФЗ
      </Text>
      <Stack gap="sm">
        {card.flags.map((f) => (
          <Stack key={f.id} gap={4} data-testid="legal-flag" data-flag={f.flag} data-status={f.status}>
            <Group gap={6} justify="space-between" wrap="nowrap" align="flex-start">
              <Text size="sm" fw={500}>
                {LEGAL_FLAG_LABEL[f.flag] ?? 'Признак по 59-ФЗ'}
              </Text>
              <Badge
                color={STATUS[f.status]?.color ?? 'gray'}
                variant="light"
                style={{ textTransform: 'none', flexShrink: 0 }}
              >
                {STATUS[f.status]?.label ?? 'Состояние уточняется'}
              </Badge>
            </Group>
            <Evidence flag={f} />
            {f.flag === 'repeated' && onJoin && typeof f.evidence?.earlierRegistrationNumber === 'string' && (
              <JoinFromFlag card={card} number={f.evidence.earlierRegistrationNumber} onJoin={onJoin} />
            )}
            {f.status !== 'raised' && f.decidedAt && (
              <Text size="xs" c="dimmed">
                Решение принято {formatInZone(f.decidedAt, card.timeZone)}
              </Text>
            )}
            {f.status === 'raised' && canDecide && (
              <>
                <TextInput
                  size="xs"
                  label="Комментарий к решению"
                  value={comments[f.id] ?? ''}
                  onChange={(e) => setComments({ ...comments, [f.id]: e.currentTarget.value })}
                />
                <Group gap="xs">
                  <Button
                    size="compact-sm"
                    variant="light"
                    color="red"
                    loading={decide.isPending && decide.variables?.flag.id === f.id}
                    onClick={() => decide.mutate({ flag: f, decision: 'confirm' })}
                  >
                    Подтвердить
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="default"
                    loading={decide.isPending && decide.variables?.flag.id === f.id}
                    onClick={() => decide.mutate({ flag: f, decision: 'dismiss' })}
                  >
                    Отклонить
                  </Button>
                </Group>
              </>
            )}
          </Stack>
        ))}
        {error && (
          <Text size="xs" c="red.9" role="alert">
            {error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
