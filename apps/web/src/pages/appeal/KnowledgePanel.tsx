import { Accordion, Anchor, Button, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { useAppealAnswers } from '../../api/hooks';
import { type AppealCard, type KbSuggestion } from '../../api/types';
import { useMe } from '../../auth';
import { Excerpt, KindBadge } from '../knowledge/KnowledgeBadges';
import { OPEN } from './appeal-state';
import { Section } from './Section';
import { DialogButtons } from '../../components/forms';

/**
 * The knowledge base where the work is: articles matching the appeal's topic and text, best first; a template
 * or an FAQ answer goes into the answer draft with one click (counted as a use); line 1 closes a call answered
 * on the spot from an article; the call scripts for line 1; "worth adding" sends a good answer to the KB.
 */
export function KnowledgePanel({
  card,
  onInsert,
  onDone,
}: {
  card: AppealCard;
  onInsert: (text: string) => void;
  onDone: (text: string, color?: string) => void;
}) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const suggestions = useQuery({
    queryKey: ['kb-appeal', card.id, card.topicId, card.subtopicId],
    queryFn: () => call('kbAppealSuggestions', { params: { appealId: card.id } }),
  });
  const uses = useQuery({
    queryKey: ['kb-uses', card.id],
    queryFn: () => call('kbAppealUses', { params: { appealId: card.id } }),
  });
  const answers = useAppealAnswers(card.id);
  const [onTheSpot, setOnTheSpot] = useState<KbSuggestion | null>(null);
  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onError: (e) => onDone(errorText(e), 'red'),
  });
  const line1 = me.role === 'operator' || me.role === 'supervisor' || me.role === 'admin';
  const canWrite = card.access.mayAnswer && (OPEN.includes(card.status) || card.status === 'answered');
  // S1 п. 9: a call or visit line 1 registered and still holds can be answered on the spot and closed — not by
  // an administrator, who does not work appeals (the api refuses them).
  const callOnLine1 =
    (me.role === 'operator' || me.role === 'supervisor') &&
    card.channel === 'operator' &&
    card.status === 'registered' &&
    !card.organisations.some((o) => o.role === 'co-executor');
  // An answer worth adding is one the organisation stands behind: approved or sent.
  const ownAnswer = (answers.data ?? [])
    .filter((a) => a.organisationId === me.organisationId && a.status !== 'draft')
    .at(-1);

  const insert = (a: KbSuggestion) =>
    act.mutate(
      async () => {
        const rendered = await call('kbRender', { params: { id: a.id }, body: { appealId: card.id } });
        onInsert(rendered.text);
        await queryClient.invalidateQueries({ queryKey: ['kb-uses', card.id] });
      },
      { onSuccess: () => onDone(`Текст «${a.title}» вставлен в ответ`) },
    );
  const closeOnTheSpot = (a: KbSuggestion) =>
    act.mutate(
      () => call('kbAnsweredOnTheSpot', { params: { appealId: card.id }, body: { articleId: a.id } }),
      {
        onSuccess: async () => {
          setOnTheSpot(null);
          await queryClient.invalidateQueries({ queryKey: ['appeal', card.id] });
          await queryClient.invalidateQueries({ queryKey: ['kb-uses', card.id] });
          onDone('Ответ дан на месте: звонок закрыт, статья засчитана');
        },
      },
    );
  const worthAdding = () =>
    act.mutate(
      () => call('kbWorthAdding', { params: { appealId: card.id }, body: { answerId: ownAnswer?.id } }),
      { onSuccess: (r) => navigate(`/knowledge/requests/${(r as { id: string }).id}`) },
    );

  const articles = suggestions.data?.articles ?? [];
  const scripts = suggestions.data?.scripts ?? [];
  return (
    <Section
      title="База знаний"
      right={
        <Anchor component={Link} to={`/knowledge?q=${encodeURIComponent(card.subject ?? '')}`} size="xs">
          Поиск
        </Anchor>
      }
    >
      <Stack gap="xs" data-testid="kb-panel">
        {suggestions.isLoading && <Loader size="sm" role="progressbar" aria-label="Подбор статей" />}
        {suggestions.isError && (
          <Text size="sm" c="red.9" role="alert">
            {errorText(suggestions.error)}
          </Text>
        )}
        {suggestions.data && articles.length === 0 && (
          <Text size="sm" c="dimmed">
            Подходящих статей нет.
            {line1 &&
              ' При передаче на 2-ю линию отметьте «в базе знаний нет ответа» — организация получит запрос.'}
          </Text>
        )}
        {articles.slice(0, 5).map((a) => (
          <div key={a.id} data-testid="kb-suggestion" data-kind={a.kind}>
            {/* The title under the badge when both do not fit: beside it, on a phone, it was squeezed into a
                narrow column of two or three words a line. */}
            <Group gap={6} wrap="wrap" align="flex-start" data-testid="kb-suggestion-head">
              <KindBadge kind={a.kind} />
              <Anchor component={Link} to={`/knowledge/articles/${a.id}`} size="sm" fw={600} target="_blank">
                {a.title}
              </Anchor>
            </Group>
            <Excerpt text={a.excerpt} />
            <Text size="xs" c="dimmed">
              {a.organisationName}
              {a.topicMatch === 'exact' ? ' · по теме обращения' : ''}
              {a.uses ? ` · пригодилась ${a.uses}` : ''}
            </Text>
            <Group gap={6} mt={4}>
              {a.insertable && canWrite && (
                <Button size="compact-xs" variant="light" loading={act.isPending} onClick={() => insert(a)}>
                  Вставить в ответ
                </Button>
              )}
              {callOnLine1 && a.kind !== 'template' && (
                <Button size="compact-xs" variant="light" color="teal" onClick={() => setOnTheSpot(a)}>
                  Ответ дан на месте
                </Button>
              )}
            </Group>
          </div>
        ))}
        {line1 && card.channel === 'operator' && scripts.length > 0 && (
          <Accordion variant="contained" chevronPosition="left">
            <Accordion.Item value="scripts">
              <Accordion.Control>
                <Text size="sm">Скрипты разговора ({scripts.length})</Text>
              </Accordion.Control>
              <Accordion.Panel>
                <Stack gap="xs" data-testid="kb-scripts">
                  {scripts.map((s) => (
                    <div key={s.id}>
                      <Text size="xs" fw={600}>
                        {s.title}
                      </Text>
                      <Text size="xs" className="appeal-text">
                        {s.body}
                      </Text>
                    </div>
                  ))}
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
        )}
        {(uses.data ?? []).length > 0 && (
          <Text size="xs" c="dimmed" data-testid="kb-uses">
            Пригодились:{' '}
            {uses
              .data!.map(
                (u) => `«${u.title}» (${u.use === 'answered-on-the-spot' ? 'ответ на месте' : 'в ответе'})`,
              )
              .join(', ')}
          </Text>
        )}
        {!line1 && ownAnswer && (
          <Button size="xs" variant="subtle" onClick={worthAdding} loading={act.isPending}>
            Ответ стоит добавить в базу знаний
          </Button>
        )}
      </Stack>
      <Modal opened={onTheSpot !== null} onClose={() => setOnTheSpot(null)} title="Ответ дан на месте">
        <Text size="sm">
          Заявитель получил ответ по статье «{onTheSpot?.title}». Звонок будет закрыт без передачи на 2-ю
          линию, а статья — засчитана.
        </Text>
        <DialogButtons
          label="Закрыть звонок"
          color="teal"
          onCancel={() => setOnTheSpot(null)}
          onConfirm={() => onTheSpot && closeOnTheSpot(onTheSpot)}
          loading={act.isPending}
          mt="md"
        />
      </Modal>
    </Section>
  );
}
