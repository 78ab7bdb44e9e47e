import { Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../../api/client';
import { type AppealCard } from '../../api/types';
import { useMe } from '../../auth';
import { QueryStatus } from '../../components/tables';
import { formatInZone } from '../../lib/time';
import { Section } from './Section';

/** Staff's internal notes on the appeal, oldest first, and a note to add (the applicant never sees them). */
export function NotesPanel({ card }: { card: AppealCard }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const notes = useQuery({
    queryKey: ['notes', card.id],
    queryFn: () => call('appealNotes', { params: { id: card.id } }),
  });
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => call('addNote', { params: { id: card.id }, body: { text } }),
    onSuccess: async () => {
      setText('');
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['notes', card.id] });
    },
    onError: (e) => setError(errorText(e)),
  });
  const list = notes.data ?? [];
  return (
    <Section title="Внутренние заметки">
      <Stack gap="xs">
        <QueryStatus query={notes} label="Загрузка заметок" size="sm" />
        {notes.data && list.length === 0 && (
          <Text size="sm" c="dimmed">
            Заметок нет.
          </Text>
        )}
        {list.map((n) => (
          <div key={n.id} data-testid="note">
            <Text size="xs" c="dimmed">
              {n.authorName} · {formatInZone(n.createdAt, card.timeZone)}
            </Text>
            <Text size="sm" className="appeal-text">
              {n.text}
            </Text>
          </div>
        ))}
        {/* Not on a card read-only to the viewer: the api refuses their note. */}
        {me.role !== 'admin' && !card.access.readOnly && (
          <form
            noValidate
            aria-label="Заметка к обращению"
            onSubmit={(e) => {
              e.preventDefault();
              if (!text.trim()) setError('Напишите заметку');
              else add.mutate();
            }}
          >
            <Stack gap={6}>
              <Textarea
                label="Новая заметка"
                description="Видна сотрудникам, заявителю — нет"
                autosize
                minRows={2}
                maxRows={8}
                value={text}
                onChange={(e) => {
                  setText(e.currentTarget.value);
                  setError(null);
                }}
                error={error}
              />
              <Group justify="flex-end">
                <Button type="submit" size="xs" variant="light" loading={add.isPending}>
                  Добавить заметку
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Section>
  );
}
