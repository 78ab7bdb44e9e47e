import { Badge, Button, Card, Group, Paper, Select, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call, errorText } from '../../api/client';
import { useAppealAnswers } from '../../api/hooks';
import { type AppealCard } from '../../api/types';
import { useMe } from '../../auth';
import { formatDateTime } from '../../lib/time';
import { AnswerFiles } from './AnswerFiles';
import { OPEN } from './appeal-state';
import { textOf } from '../../components/forms';

/** Answers to the applicant: drafts (from a template or text), approval and sending. */
export function AnswersSection({
  card,
  onDone,
  insertion,
}: {
  card: AppealCard;
  onDone: (text: string) => void;
  /** Text from the knowledge base to append to the draft (a new `at` each time). */
  insertion?: { text: string; at: number } | null;
}) {
  const me = useMe();
  const queryClient = useQueryClient();
  const answers = useAppealAnswers(card.id);
  const templates = useQuery({
    queryKey: ['templates', card.topicId],
    queryFn: () => call('templates', { query: { topicId: card.topicId } }),
  });
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (insertion) setText((t) => (t.trim() ? `${t.trimEnd()}\n\n${insertion.text}` : insertion.text));
  }, [insertion]);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['answers', card.id] });
    await queryClient.invalidateQueries({ queryKey: ['appeal', card.id] });
  };
  const mutate = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onError: (e) => setError(errorText(e)),
  });
  const doIt = (fn: () => Promise<unknown>, done: string, after?: () => void) =>
    mutate.mutate(fn, {
      onSuccess: async () => {
        setError(null);
        after?.();
        await refresh();
        onDone(done);
      },
    });
  const template = templates.data?.find((t) => t.id === templateId);
  const canWrite = OPEN.includes(card.status) || card.status === 'answered';

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Ответ заявителю">
      <Text fw={600} mb="xs">
        Ответ заявителю
      </Text>
      <Stack gap="sm">
        {(answers.data ?? []).map((ans) => (
          <Card
            key={ans.id}
            withBorder
            padding="sm"
            radius="sm"
            data-testid="answer"
            data-status={ans.status}
          >
            <Group justify="space-between" mb={4}>
              <Group gap={6}>
                <Badge
                  color={ans.status === 'sent' ? 'teal' : ans.status === 'approved' ? 'blue' : 'gray'}
                  variant="light"
                  style={{ textTransform: 'none' }}
                >
                  {ans.status === 'sent' ? 'Отправлен' : ans.status === 'approved' ? 'Согласован' : 'Проект'}
                </Badge>
                <Text size="xs" c="dimmed">
                  {ans.authorName}, {ans.organisationName} · {formatDateTime(ans.createdAt, card.timeZone)}
                </Text>
              </Group>
              <Group gap={6}>
                {ans.status === 'draft' &&
                  (me.role === 'supervisor' || me.role === 'admin' || ans.authorId !== me.id) && (
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() =>
                        doIt(
                          () => call('approveAnswer', { params: { id: card.id, answerId: ans.id } }),
                          'Ответ согласован',
                        )
                      }
                    >
                      Согласовать
                    </Button>
                  )}
                {ans.status === 'approved' && (
                  <Button
                    size="xs"
                    onClick={() =>
                      doIt(
                        () => call('sendAnswer', { params: { id: card.id, answerId: ans.id } }),
                        'Ответ отправлен заявителю',
                      )
                    }
                  >
                    Отправить заявителю
                  </Button>
                )}
              </Group>
            </Group>
            <Text size="sm" className="appeal-text">
              {ans.text}
            </Text>
            <AnswerFiles appealId={card.id} answer={ans} me={me} />
            {ans.approvedByName && (
              <Text size="xs" c="dimmed" mt={4}>
                Согласовал: {ans.approvedByName}
                {ans.sentAt ? ` · отправлен ${formatDateTime(ans.sentAt, card.timeZone)}` : ''}
              </Text>
            )}
          </Card>
        ))}
        {canWrite && (
          <Stack gap="xs">
            <Select
              label="Шаблон ответа"
              placeholder={templates.data?.length ? 'Без шаблона' : 'Шаблонов нет'}
              data={(templates.data ?? []).map((t) => ({ value: t.id, label: t.title }))}
              value={templateId}
              onChange={setTemplateId}
              clearable
              searchable
            />
            {template && (
              <Text
                size="xs"
                c="dimmed"
                className="appeal-text"
                p="xs"
                bg="gray.0"
                style={{ borderRadius: 6 }}
                data-testid="template-preview"
              >
                {template.body}
              </Text>
            )}
            <Textarea
              label={template ? 'Дополнение к шаблону' : 'Текст ответа'}
              description={template ? 'Подстановки ({{applicantName}} и др.) заполнит система' : undefined}
              autosize
              minRows={3}
              maxRows={10}
              {...textOf(text, setText)}
            />
            {error && (
              <Text size="xs" c="red.9" role="alert">
                {error}
              </Text>
            )}
            <Group justify="flex-end">
              <Button
                size="sm"
                disabled={!templateId && !text.trim()}
                loading={mutate.isPending}
                onClick={() =>
                  doIt(
                    () =>
                      call('draftAnswer', {
                        params: { id: card.id },
                        body: { templateId: templateId ?? undefined, text: text.trim() || undefined },
                      }),
                    'Проект ответа сохранён',
                    () => {
                      setText('');
                      setTemplateId(null);
                    },
                  )
                }
              >
                Сохранить проект ответа
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
