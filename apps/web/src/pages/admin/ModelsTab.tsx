import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call, errorText } from '../../api/client';
import { useOrganisationZone } from '../../api/hooks';
import { type ClassifierModel } from '../../api/types';
import { formatInZone } from '../../lib/time';
import { FormModal } from '../../components/forms';
import { ACTIONS, ListTable, LoadError, type Notice, NoticeAlert } from '../../components/tables';
import { TrainingDataPanel } from './TrainingDataPanel';

const STATUS: Record<ClassifierModel['status'], { label: string; color: string }> = {
  promoted: { label: 'Действующая', color: 'teal' },
  candidate: { label: 'Кандидат', color: 'blue' },
  rejected: { label: 'Отклонена', color: 'orange' },
  retired: { label: 'В архиве', color: 'gray' },
};

const TRIGGER: Record<string, string> = {
  manual: 'переобучена вручную',
  schedule: 'переобучена по расписанию',
  bootstrap: 'первая, по размеченным обращениям',
};

interface HeldBackScore {
  macroF1?: number;
  accuracy?: number;
  rows?: number;
}

/** The model's own scores, read defensively: `scores` is free-form JSON kept with the model. */
function scoresOf(m: ClassifierModel) {
  const s = m.scores as {
    heldBack?: { candidate?: HeldBackScore | null; current?: HeldBackScore | null };
    decision?: string;
    trigger?: string;
  };
  return {
    candidate: s.heldBack?.candidate ?? null,
    current: s.heldBack?.current ?? null,
    // The decision is written in Russian by the retrainer itself.
    decision: typeof s.decision === 'string' ? s.decision : null,
    trigger: typeof s.trigger === 'string' ? (TRIGGER[s.trigger] ?? null) : null,
  };
}

function percent(value: number | undefined): string {
  return typeof value === 'number' ? `${(value * 100).toFixed(1).replace('.', ',')} %` : '—';
}

/**
 * Classifier models: each with its scores on the held-back slice beside the model that was current then;
 * the administrator promotes a candidate or rolls back to an earlier model (the current one is archived).
 */
export function ModelsTab() {
  const queryClient = useQueryClient();
  const zone = useOrganisationZone();
  const models = useQuery({ queryKey: ['classifier-models'], queryFn: () => call('classifierModels') });
  const [confirm, setConfirm] = useState<ClassifierModel | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [job, setJob] = useState<string | null>(null);
  const promote = useMutation({
    mutationFn: (m: ClassifierModel) => call('promoteModel', { params: { id: m.id } }),
    onSuccess: (list, m) => {
      queryClient.setQueryData(['classifier-models'], list);
      setConfirm(null);
      setNotice({
        color: 'teal',
        text: `Действующая модель — от ${formatInZone(m.createdAt, zone)}; новые обращения классифицирует она`,
      });
    },
    onError: (e) => {
      setConfirm(null);
      setNotice({ color: 'red', text: errorText(e) });
    },
  });
  const retrain = useMutation({
    mutationFn: () => call('retrain'),
    onSuccess: (started) => {
      setJob(started.jobId);
      setNotice({ color: 'blue', text: 'Переобучение поставлено в очередь' });
    },
    onError: (e) => setNotice({ color: 'red', text: errorText(e) }),
  });
  const status = useQuery({
    queryKey: ['retrain', job],
    queryFn: () => call('retrainStatus', { params: { jobId: job! } }),
    enabled: job !== null,
    refetchInterval: (q) => (['completed', 'failed'].includes(q.state.data?.state ?? '') ? false : 1_500),
  });
  useEffect(() => {
    const state = status.data?.state;
    if (state === 'completed') {
      setJob(null);
      const result = (status.data?.result ?? {}) as { outcome?: string; reason?: string };
      const why = typeof result.reason === 'string' ? `: ${result.reason}` : '';
      setNotice(
        result.outcome === 'promoted'
          ? { color: 'teal', text: `Переобучение завершено, новая модель введена${why}` }
          : result.outcome === 'rejected'
            ? { color: 'orange', text: `Новая модель не введена${why}` }
            : { color: 'orange', text: `Модель не обучена${why}` },
      );
      void queryClient.invalidateQueries({ queryKey: ['classifier-models'] });
    } else if (state === 'failed') {
      setJob(null);
      setNotice({ color: 'red', text: `Переобучение не удалось: ${status.data?.failedReason ?? 'ошибка'}` });
    }
  }, [status.data, queryClient]);
  const current = models.data?.find((m) => m.status === 'promoted');

  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm" c="dimmed" maw={760}>
          Новая модель вводится сама, только если на отложенной выборке она не хуже действующей. Здесь можно
          ввести кандидата или вернуть прежнюю модель: действующая уходит в архив.
        </Text>
        <Button
          size="xs"
          variant="default"
          loading={retrain.isPending || job !== null}
          onClick={() => retrain.mutate()}
        >
          Переобучить
        </Button>
      </Group>
      {job && (
        <Text size="sm" role="status" data-testid="retrain-progress">
          Переобучение: {status.data?.state === 'active' ? 'выполняется' : 'в очереди'}
          {typeof status.data?.progress === 'number' ? `, ${status.data.progress} %` : ''}
        </Text>
      )}
      <LoadError error={models.error} />
      <NoticeAlert notice={notice} onClose={() => setNotice(null)} />
      <Text size="xs" c="dimmed" maw={760} data-testid="model-scores-explained">
        Оценки — на отложенной выборке, которой модель не видела при обучении. «Качество по темам» — среднее
        по всем темам, насколько полно и точно модель находит обращения каждой темы: редкая тема весит столько
        же, сколько частая. «Верно определено» — доля обращений, тема которых определена верно.
      </Text>
      <ListTable
        label="Модели классификатора"
        columns={[
          'Обучена',
          'Состояние',
          { label: 'Строк обучения', right: true },
          { label: 'Качество по темам', right: true },
          { label: 'Верно определено', right: true },
          { label: 'Качество прежней модели', right: true },
          'Решение',
          ACTIONS,
        ]}
        empty={
          models.data?.length === 0 &&
          'Моделей ещё нет: обращения ждут ручной классификации. Нажмите «Переобучить».'
        }
      >
        {(models.data ?? []).map((m) => {
          const s = scoresOf(m);
          const older = current && new Date(m.createdAt) < new Date(current.createdAt);
          return (
            <Table.Tr key={m.id} data-testid="classifier-model" data-status={m.status} data-id={m.id}>
              <Table.Td>
                {formatInZone(m.createdAt, zone)}
                {s.trigger && (
                  <Text size="xs" c="dimmed">
                    {s.trigger}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={STATUS[m.status].color} variant="light" style={{ textTransform: 'none' }}>
                  {STATUS[m.status].label}
                </Badge>
                {m.promotedAt && (
                  <Text size="xs" c="dimmed">
                    введена {formatInZone(m.promotedAt, zone)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">{m.trainedRows.toLocaleString('ru-RU')}</Table.Td>
              <Table.Td ta="right">{percent(s.candidate?.macroF1)}</Table.Td>
              <Table.Td ta="right">{percent(s.candidate?.accuracy)}</Table.Td>
              <Table.Td ta="right">{percent(s.current?.macroF1)}</Table.Td>
              <Table.Td>
                <Text size="xs" maw={320}>
                  {s.decision ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                {m.status !== 'promoted' && (
                  <Button size="compact-xs" variant="light" onClick={() => setConfirm(m)}>
                    {older ? 'Вернуть эту модель' : 'Сделать действующей'}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </ListTable>
      <FormModal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title="Сменить действующую модель"
        onSubmit={() => confirm && promote.mutate(confirm)}
        saving={promote.isPending}
        submitLabel="Сделать действующей"
      >
        {confirm && (
          <Text size="sm">
            Новые обращения будет классифицировать модель от {formatInZone(confirm.createdAt, zone)} (качество
            по темам — {percent(scoresOf(confirm).candidate?.macroF1)}).
            {current && ` Действующая модель от ${formatInZone(current.createdAt, zone)} уйдёт в архив.`}
          </Text>
        )}
      </FormModal>
      <TrainingDataPanel />
    </Stack>
  );
}
