import { Button, FileButton, Group, List, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText, upload } from '../../api/client';
import { useOrganisationZone } from '../../api/hooks';
import { type ResponseOf } from '../../api/endpoints';
import { plural } from '../../lib/labels';
import { formatInZone } from '../../lib/time';
import { StatusAlert } from '../../components/common';
import { ACTIONS, ListTable, LoadError, NoticeAlert } from '../../components/tables';

type Imported = ResponseOf<'uploadTrainingData'>;

/**
 * Labelled history from another system for the classifier to learn from: a CSV (text, topic_code,
 * subtopic_code, …) uploaded with its progress shown, the lines refused by number, the batches kept until
 * deleted; the next retraining (the button above, or the schedule) learns from them.
 */
export function TrainingDataPanel() {
  const queryClient = useQueryClient();
  const zone = useOrganisationZone();
  const batches = useQuery({ queryKey: ['training-data'], queryFn: () => call('trainingData') });
  const [sent, setSent] = useState<number | null>(null);
  const [result, setResult] = useState<Imported | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      setSent(0);
      return upload('uploadTrainingData', form, setSent);
    },
    onMutate: () => {
      setResult(null);
      setError(null);
    },
    onSuccess: async (imported) => {
      // The file is checked once the answer is here: the progress goes with the result, not after the list's refetch.
      setSent(null);
      setResult(imported);
      await queryClient.invalidateQueries({ queryKey: ['training-data'] });
    },
    onError: (e) => setError(errorText(e)),
    onSettled: () => setSent(null),
  });
  const remove = useMutation({
    mutationFn: (batchId: string) => call('deleteTrainingData', { params: { batchId } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['training-data'] }),
    onError: (e) => setError(errorText(e)),
  });

  return (
    <Stack gap="xs" component="section" aria-labelledby="training-data-title">
      <Group justify="space-between" wrap="wrap" mt="md">
        <div>
          <Title order={2} fz="md" id="training-data-title">
            Обучающие данные
          </Title>
          <Text size="sm" c="dimmed" maw={760}>
            Размеченная история из другой системы: файл CSV в кодировке UTF-8 или Windows-1251 с текстом
            обращения, кодом темы и кодом подтемы (коды — во вкладке «Рубрикатор»); первая строка называет эти
            столбцы так: <code data-literal>text</code>, <code data-literal>topic_code</code>,{' '}
            <code data-literal>subtopic_code</code>. Следующее переобучение учтёт загруженные строки.
          </Text>
        </div>
        <FileButton onChange={(file) => file && send.mutate(file)} accept=".csv,text/csv">
          {(props) => (
            <Button {...props} size="xs" variant="default" loading={send.isPending}>
              Загрузить размеченный CSV
            </Button>
          )}
        </FileButton>
      </Group>
      {sent !== null && (
        <Group gap="xs" wrap="nowrap" role="status" aria-live="polite" data-testid="training-upload-progress">
          <Progress value={Math.max(sent * 100, 3)} w={200} size="sm" aria-label="Загрузка файла" />
          <Text size="sm">
            {sent < 1 ? `Загрузка файла: ${Math.round(sent * 100)} %` : 'Файл загружен, строки проверяются…'}
          </Text>
        </Group>
      )}
      <NoticeAlert notice={error ? { color: 'red', text: error } : null} onClose={() => setError(null)} />
      {result && (
        <StatusAlert
          color={result.errorCount > 0 ? 'orange' : 'teal'}
          withCloseButton
          onClose={() => setResult(null)}
          data-testid="training-upload-result"
        >
          <Text size="sm">
            Сохранено {result.stored} {plural(result.stored, 'строка', 'строки', 'строк')}
            {result.errorCount > 0 &&
              `, отклонено ${result.errorCount} ${plural(result.errorCount, 'строка', 'строки', 'строк')}`}
            . Нажмите «Переобучить», чтобы модель училась на них сейчас.
          </Text>
          {result.errors.length > 0 && (
            <List size="xs" mt={4}>
              {result.errors.slice(0, 10).map((e) => (
                <List.Item key={e.line}>
                  строка {e.line}: {e.message}
                </List.Item>
              ))}
            </List>
          )}
        </StatusAlert>
      )}
      <LoadError error={batches.error} />
      <ListTable
        label="Обучающие данные"
        columns={[
          'Загружен',
          { label: 'Строк', right: true },
          { label: 'Тем и подтем', right: true },
          ACTIONS,
        ]}
        empty={
          batches.data?.length === 0 &&
          'Загруженных наборов нет: модель учится на обращениях и исправлениях сотрудников.'
        }
      >
        {(batches.data ?? []).map((b) => (
          <Table.Tr key={b.batchId} data-testid="training-batch" data-rows={b.rows}>
            <Table.Td>{formatInZone(b.createdAt, zone)}</Table.Td>
            <Table.Td ta="right">{b.rows.toLocaleString('ru-RU')}</Table.Td>
            <Table.Td ta="right">{b.labels}</Table.Td>
            <Table.Td ta="right">
              <Button
                size="compact-xs"
                variant="default"
                loading={remove.isPending && remove.variables === b.batchId}
                onClick={() => remove.mutate(b.batchId)}
              >
                Удалить набор
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    </Stack>
  );
}
