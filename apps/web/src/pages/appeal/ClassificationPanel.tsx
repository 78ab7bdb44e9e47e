import { Badge, Button, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type RefObject, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { type AppealCard } from '../../api/types';
import { topicOptions } from '../../components/forms';

/** Topic and subtopic from the rubricator: set or corrected by a person. */
export function ClassificationPanel({ card, onSaved }: { card: AppealCard; onSaved: () => void }) {
  const names = useNames();
  const queryClient = useQueryClient();
  const [topicId, setTopicId] = useState<string | null>(card.topicId);
  const [subtopicId, setSubtopicId] = useState<string | null>(card.subtopicId);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setTopicId(card.topicId);
    setSubtopicId(card.subtopicId);
  }, [card.topicId, card.subtopicId]);
  const save = useMutation({
    mutationFn: () =>
      call('classify', {
        params: { id: card.id },
        body: { topicId: topicId ?? '', subtopicId: subtopicId ?? undefined },
      }),
    onSuccess: async () => {
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['appeal', card.id] });
      onSaved();
    },
    onError: (e) => setError(errorText(e)),
  });
  const topicField = useRef<HTMLInputElement>(null);
  const topicName = topicId ? names.topic(topicId) : null;
  const topicCut = useCut(topicField, topicName);
  const subtopicField = useRef<HTMLInputElement>(null);
  const subtopicName = subtopicId ? names.topic(subtopicId) : null;
  const subtopicCut = useCut(subtopicField, subtopicName);
  const topics = names.topics.filter((t) => !t.parentId);
  const subtopics = names.topics.filter((t) => t.parentId === topicId);
  const changed = topicId !== card.topicId || subtopicId !== card.subtopicId;
  // Read-only to the viewer (their organisation returned its part): the topic is shown, not offered to change.
  const readOnly = card.access.readOnly;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Классификация">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Классификация</Text>
        {!card.topicId && (
          <Badge color="orange" variant="light" style={{ textTransform: 'none' }}>
            Тема не определена
          </Badge>
        )}
      </Group>
      <Stack gap="xs">
        <Select
          ref={topicField}
          label="Тема"
          placeholder="Выберите тему"
          // The field cuts a long name («Жилищно-коммунальное хозяйс…»): then it is written whole beneath.
          description={topicCut ? topicName : undefined}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          searchable
          readOnly={readOnly}
          data={topicOptions(topics)}
          value={topicId}
          onChange={(v) => {
            setTopicId(v);
            setSubtopicId(null);
          }}
        />
        <Select
          ref={subtopicField}
          label="Подтема"
          // The same for a subtopic («Водоснабжение и водоотведен…» at 1280 px).
          description={subtopicCut ? subtopicName : undefined}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          placeholder={subtopics.length ? 'Выберите подтему' : '—'}
          searchable
          clearable={!readOnly}
          disabled={subtopics.length === 0}
          readOnly={readOnly}
          data={subtopics.map((t) => ({ value: t.id, label: t.name }))}
          value={subtopicId}
          onChange={setSubtopicId}
        />
        {error && (
          <Text size="xs" c="red.9" role="alert">
            {error}
          </Text>
        )}
        {!readOnly && (
          <Button
            size="xs"
            variant="light"
            disabled={!topicId || !changed}
            loading={save.isPending}
            onClick={() => save.mutate()}
          >
            {card.topicId ? 'Исправить тему' : 'Сохранить тему'}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

/** Whether the input's text is wider than the input, measured again as its text or its width change. */
function useCut(input: RefObject<HTMLInputElement | null>, text: string | null): boolean {
  const [cut, setCut] = useState(false);
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    const measure = () => setCut(el.scrollWidth > el.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [input, text]);
  return cut;
}
