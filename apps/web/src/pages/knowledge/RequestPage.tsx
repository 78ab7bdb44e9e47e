import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Modal,
  Paper,
  Stack,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, call, errorText } from '../../api/client';
import { type KbRequestDetail } from '../../api/types';
import { useMe } from '../../auth';
import { Countdown } from '../../components/common';
import { shownTemplate } from '../../lib/placeholders';
import { formatDateTime } from '../../lib/time';
import { Pending } from '../../components/tables';
import { type ArticleDraft, ArticleEditor, draftOf, EMPTY_DRAFT } from './ArticleEditor';
import { KindBadge, RequestStatusBadge } from './KnowledgeBadges';
import { ORIGIN_LABEL, REQUEST_EVENT_LABEL, requestNumber } from './knowledge-labels';
import { KnowledgeItemHead } from './KnowledgeNav';
import { textOf, DialogButtons } from '../../components/forms';
import { clockLabel, labelOf } from '../../lib/labels';

type Dialog = 'approve' | 'return' | 'edit' | null;

/**
 * One request: what is proposed against what is published, the terms of each step with their countdowns and
 * whether a step was late, the linked appeals, the history; and the actions the caller may take.
 */
export function RequestPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const queryClient = useQueryClient();
  const request = useQuery({
    queryKey: ['kb-request', id],
    queryFn: () => call('kbRequest', { params: { id } }),
  });
  const current = useQuery({
    queryKey: ['kb-article', request.data?.articleId],
    queryFn: () => call('kbArticle', { params: { id: request.data!.articleId! } }),
    enabled: !!request.data?.articleId,
  });
  const [dialog, setDialog] = useState<Dialog>(null);
  const [comment, setComment] = useState('');
  const [draft, setDraft] = useState<ArticleDraft>(EMPTY_DRAFT);
  const [error, setError] = useState<unknown>(null);
  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: async () => {
      setDialog(null);
      setError(null);
      // A publication changes the article, its versions and what the search finds.
      for (const key of [
        'kb-request',
        'kb-requests',
        'kb-article',
        'kb-versions',
        'kb-browse',
        'kb-dashboard',
        // A cancelled request gives its appeals back to the repeated questions.
        'kb-repeated',
      ]) {
        await queryClient.invalidateQueries({ queryKey: [key] });
      }
    },
    onError: (e) => setError(e),
  });

  if (!request.data) return <Pending query={request} label="Загрузка запроса" />;
  const r = request.data;
  const proposed = r.proposed && r.kind === 'content' && r.proposed.title ? r.proposed : null;
  const topics = r.kind === 'topic-set' ? (r.proposed?.topics ?? []) : [];
  const isCentre = me.organisationKind === 'management-centre' || me.role === 'admin';
  const mayDecide =
    r.status === 'sent' &&
    (r.responsibleUserId === me.id || me.role === 'supervisor' || me.role === 'head' || me.role === 'admin');
  const late = (type: string) => r.history.some((e) => e.type === type && e.data.late === true);
  const fields = error instanceof ApiError ? error.fields : {};

  return (
    <Stack gap="sm">
      <KnowledgeItemHead
        actions={
          <Group gap="xs" role="toolbar" aria-label="Действия с запросом">
            {['draft', 'returned'].includes(r.status) && (
              <>
                <Button size="sm" variant="default" onClick={() => openEdit('edit')}>
                  Доработать
                </Button>
                <Button
                  size="sm"
                  loading={act.isPending}
                  onClick={() => act.mutate(() => call('kbSendRequest', { params: { id } }))}
                >
                  Направить на согласование
                </Button>
              </>
            )}
            {mayDecide && (
              <>
                <Button size="sm" onClick={() => openEdit('approve')}>
                  Согласовать
                </Button>
                <Button size="sm" variant="light" color="orange" onClick={() => setDialog('return')}>
                  Вернуть на доработку
                </Button>
              </>
            )}
            {r.status === 'approved' && isCentre && (
              <Button
                size="sm"
                loading={act.isPending}
                onClick={() => act.mutate(() => call('kbPublishRequest', { params: { id } }))}
              >
                Внести в базу знаний
              </Button>
            )}
            {['draft', 'sent', 'returned', 'approved'].includes(r.status) && (
              <Button
                size="sm"
                variant="subtle"
                color="gray"
                loading={act.isPending}
                onClick={() => act.mutate(() => call('kbCancelRequest', { params: { id }, body: {} }))}
              >
                Отозвать
              </Button>
            )}
          </Group>
        }
      >
        <Group gap="xs">
          <Title order={1} fz={22}>
            Запрос {requestNumber(r.number)}
          </Title>
          <RequestStatusBadge status={r.status} label={r.statusName} />
          <Badge variant="outline" color="gray" style={{ textTransform: 'none' }}>
            {labelOf(ORIGIN_LABEL, r.origin, 'Другой источник')}
          </Badge>
        </Group>
        <Text size="sm" mt={2}>
          {r.subject}
        </Text>
        <Text size="sm" c="dimmed">
          {r.organisationName}
          {r.sectionTitle ? ` · раздел «${r.sectionTitle}»` : ''}
          {r.createdByName ? ` · сформировал ${r.createdByName}` : ' · сформирован системой'},{' '}
          {formatDateTime(r.createdAt)}
        </Text>
      </KnowledgeItemHead>
      {error !== null && dialog === null && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {errorText(error)}
        </Alert>
      )}
      <Grid gutter="sm">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="sm">
            {r.details && (
              <Paper withBorder p="md" radius="md">
                <Text size="sm" className="appeal-text">
                  {r.details}
                </Text>
              </Paper>
            )}
            {r.decisionComment && (
              <Alert
                color={r.status === 'returned' ? 'orange' : 'blue'}
                variant="light"
                title="Комментарий ответственного лица"
              >
                {r.decisionComment}
              </Alert>
            )}
            <Grid gutter="sm">
              <Grid.Col span={{ base: 12, lg: current.data ? 6 : 12 }}>
                <Paper withBorder p="md" radius="md" aria-label="Предлагаемый текст" component="section">
                  <Text fw={600} mb="xs">
                    {proposed?.archive ? 'Предлагается снять статью с публикации' : 'Предлагаемый текст'}
                  </Text>
                  {proposed ? (
                    <ArticleView a={proposed} />
                  ) : topics.length > 0 ? (
                    <Stack gap={2}>
                      {topics.map((t) => (
                        <Text key={t.name} size="sm">
                          {t.parentName ? `${t.parentName} → ` : ''}
                          {t.name}
                        </Text>
                      ))}
                    </Stack>
                  ) : (
                    <Text size="sm" c="dimmed">
                      Текста пока нет: ответственное лицо пишет его при согласовании.
                    </Text>
                  )}
                </Paper>
              </Grid.Col>
              {current.data && (
                <Grid.Col span={{ base: 12, lg: 6 }}>
                  <Paper withBorder p="md" radius="md" aria-label="Опубликовано сейчас" component="section">
                    <Group justify="space-between" mb="xs">
                      <Text fw={600}>Опубликовано сейчас (версия {current.data.version})</Text>
                      <Anchor component={Link} to={`/knowledge/articles/${current.data.id}`} size="sm">
                        Статья
                      </Anchor>
                    </Group>
                    <ArticleView a={current.data} />
                  </Paper>
                </Grid.Col>
              )}
            </Grid>
            <Paper withBorder p="md" radius="md" component="section" aria-label="История запроса">
              <Text fw={600} mb="xs">
                История
              </Text>
              <Timeline bulletSize={14} lineWidth={2}>
                {r.history.map((e) => (
                  <Timeline.Item
                    key={e.id}
                    title={`${labelOf(REQUEST_EVENT_LABEL, e.type, 'Служебное событие')}${e.data.late === true ? ' — с нарушением срока' : ''}`}
                    color={e.data.late === true ? 'red' : 'blue'}
                    data-testid="kb-request-event"
                    data-type={e.type}
                  >
                    <Text size="xs" c="dimmed">
                      {formatDateTime(e.occurredAt)}
                      {e.actorName ? ` · ${e.actorName}` : ''}
                      {typeof e.data.comment === 'string' && e.data.comment ? ` · ${e.data.comment}` : ''}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Paper>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="sm">
            <Paper withBorder p="md" radius="md" component="section" aria-label="Сроки">
              <Text fw={600} mb="xs">
                Сроки (рабочие дни организации)
              </Text>
              <Stack gap={6}>
                <Term
                  label="Направить ответственному лицу"
                  due={r.sendDueAt}
                  done={r.sentAt}
                  late={late('sent')}
                />
                <Term
                  label="Согласовать"
                  due={r.approvalDueAt}
                  done={r.decidedAt}
                  late={late('approved') || late('returned')}
                />
                <Term
                  label="Внести в базу знаний"
                  due={r.publicationDueAt}
                  done={r.publishedAt}
                  late={late('published')}
                />
              </Stack>
              {r.marks.length > 0 && (
                <Stack gap={2} mt="sm">
                  {r.marks.map((m, i) => (
                    <Text key={i} size="xs" c={m.kind === 'overdue' ? 'red.9' : '#a63a00'}>
                      {m.kind === 'overdue' ? 'Просрочено' : 'Под угрозой'}: {clockLabel(m.clock)} (
                      {formatDateTime(m.recordedAt)})
                    </Text>
                  ))}
                </Stack>
              )}
            </Paper>
            <Paper withBorder p="md" radius="md">
              <Text size="sm">
                Ответственное лицо: <b>{r.responsibleName ?? 'не назначено — согласует руководитель'}</b>
              </Text>
              {r.decidedByName && (
                <Text size="sm" mt={4}>
                  Решение: {r.decidedByName}, {formatDateTime(r.decidedAt)}
                </Text>
              )}
              {r.publishedByName && (
                <Text size="sm" mt={4}>
                  Внёс: {r.publishedByName}, {formatDateTime(r.publishedAt)}
                  {r.publishedArticleId && (
                    <>
                      {' · '}
                      <Anchor component={Link} to={`/knowledge/articles/${r.publishedArticleId}`}>
                        версия {r.publishedVersion}
                      </Anchor>
                    </>
                  )}
                </Text>
              )}
            </Paper>
            {r.appealIds.length > 0 && (
              <Paper withBorder p="md" radius="md" component="section" aria-label="Обращения">
                <Text fw={600} mb="xs">
                  Обращения ({r.appealIds.length})
                </Text>
                <Stack gap={2}>
                  {r.appealIds.map((a, i) => (
                    <Anchor
                      key={a}
                      component={Link}
                      to={`/appeals/${a}`}
                      size="sm"
                      data-testid="kb-request-appeal"
                    >
                      Обращение {i + 1}
                    </Anchor>
                  ))}
                </Stack>
              </Paper>
            )}
          </Stack>
        </Grid.Col>
      </Grid>

      <Modal
        opened={dialog === 'approve' || dialog === 'edit'}
        onClose={() => setDialog(null)}
        size="xl"
        title={dialog === 'approve' ? 'Согласовать изменения' : 'Доработать запрос'}
      >
        <Stack gap="sm">
          {r.kind === 'content' && !proposed?.archive && (
            <ArticleEditor
              value={draft}
              onChange={setDraft}
              organisationId={r.organisationId}
              errors={Object.fromEntries(
                Object.entries(fields).map(([k, v]) => [k.replace(/^proposed\./, ''), v]),
              )}
            />
          )}
          {dialog === 'approve' && (
            <Textarea label="Комментарий" autosize minRows={2} {...textOf(comment, setComment)} />
          )}
          {error !== null && (
            <Alert color="red" role="alert">
              {errorText(error)}
            </Alert>
          )}
          <DialogButtons
            label={dialog === 'approve' ? 'Согласовать' : 'Сохранить'}
            onCancel={() => setDialog(null)}
            onConfirm={() =>
              act.mutate(() =>
                dialog === 'approve'
                  ? call('kbApproveRequest', {
                      params: { id },
                      body: {
                        comment: comment.trim() || undefined,
                        ...(r.kind === 'content' && !proposed?.archive ? { proposed: draft } : {}),
                      },
                    })
                  : call('kbUpdateRequest', { params: { id }, body: { proposed: draft } }),
              )
            }
            loading={act.isPending}
          />
        </Stack>
      </Modal>
      <Modal opened={dialog === 'return'} onClose={() => setDialog(null)} title="Вернуть на доработку">
        <Textarea
          label="Что доработать"
          autosize
          minRows={3}
          {...textOf(comment, setComment)}
          error={fields.comment}
        />
        <DialogButtons
          label="Вернуть"
          color="orange"
          onCancel={() => setDialog(null)}
          onConfirm={() => act.mutate(() => call('kbReturnRequest', { params: { id }, body: { comment } }))}
          loading={act.isPending}
          disabled={comment.trim().length < 3}
          mt="md"
        />
      </Modal>
    </Stack>
  );

  function openEdit(kind: 'approve' | 'edit') {
    setError(null);
    setComment('');
    const base = proposed ?? (current.data ? draftOf(current.data) : null);
    setDraft(
      base ? draftOf(base) : { ...EMPTY_DRAFT, title: r.subject.replace(/^[^:]*:\s*/u, '').slice(0, 200) },
    );
    setDialog(kind);
  }
}

function Term({
  label,
  due,
  done,
  late,
}: {
  label: string;
  due: string | null;
  done: string | null;
  late: boolean;
}) {
  let state: ReactNode = '—';
  if (done) {
    state = (
      <Text span size="sm" c={late ? 'red.9' : 'teal.9'}>
        {late ? 'с нарушением срока' : 'в срок'}, {formatDateTime(done)}
      </Text>
    );
  } else if (due) {
    state = <Countdown due={due} />;
  }
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
        {due ? ` — до ${formatDateTime(due)}` : ''}
      </Text>
      <Text size="sm">{state}</Text>
    </div>
  );
}

function ArticleView({ a }: { a: NonNullable<KbRequestDetail['proposed']> | Parameters<typeof draftOf>[0] }) {
  return (
    <Stack gap={4}>
      <Group gap={6}>
        <KindBadge kind={a.kind} />
        <Text size="sm" fw={600}>
          {a.title}
        </Text>
      </Group>
      {a.question && a.question !== a.title && <Text size="sm">{a.question}</Text>}
      <Text size="sm" className="appeal-text" data-testid="kb-proposed-body">
        {shownTemplate(a.body)}
      </Text>
      {(a.parts ?? []).map((p, i) => (
        <Text key={i} size="sm">
          <b>{p.heading}.</b> {p.text}
        </Text>
      ))}
    </Stack>
  );
}
