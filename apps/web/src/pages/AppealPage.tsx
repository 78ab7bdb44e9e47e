import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Divider,
  Grid,
  Group,
  Image,
  Loader,
  Modal,
  NumberInput,
  Paper,
  Radio,
  Select,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { call, errorText, send } from '../api/client';
import { useNames } from '../api/hooks';
import {
  type Answer,
  type AppealCard,
  type HistoryEvent,
  type RouteSuggestion,
  type Template,
} from '../api/types';
import { useMe } from '../auth';
import { ChannelBadge, Countdown, FastTrackBadge, StatusBadge } from '../components/common';
import { EscalateModal } from '../components/EscalateModal';
import { ClipIcon } from '../components/icons';
import { CHANNEL_LABEL, CLOCK_LABEL, EVENT_COLOR, EVENT_LABEL, SATISFACTION_LABEL } from '../lib/labels';
import { formatDateTime, formatLocalDate, zoneLabel } from '../lib/time';

const OPEN = ['registered', 'in_work', 'escalated', 'returned', 'extended', 'reopened'];

type Dialog = 'escalate' | 'return' | 'redirect' | 'extend' | 'rate' | null;

export function AppealPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const names = useNames();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const card = useQuery({
    queryKey: ['appeal', id],
    queryFn: () => call<AppealCard>('appeal', { params: { id } }),
  });
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);

  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: async () => {
      setDialog(null);
      await queryClient.invalidateQueries({ queryKey: ['appeal', id] });
      await queryClient.invalidateQueries({ queryKey: ['answers', id] });
      await queryClient.invalidateQueries({ queryKey: ['appeals'] });
    },
    onError: (error) => setNotice({ color: 'red', text: errorText(error) }),
  });
  const run = (fn: () => Promise<unknown>, done: string) => {
    setNotice(null);
    act.mutate(fn, { onSuccess: () => setNotice({ color: 'teal', text: done }) });
  };

  if (card.isLoading) {
    return (
      <Group justify="center" p="xl">
        <Loader aria-label="Загрузка карточки" />
      </Group>
    );
  }
  if (card.isError || !card.data) {
    return (
      <Stack>
        <Alert color="red" title="Карточка недоступна" role="alert">
          {errorText(card.error)}
        </Alert>
        <Anchor component={Link} to="/inbox">
          ← К списку обращений
        </Anchor>
      </Stack>
    );
  }
  const a = card.data;
  const isOpen = OPEN.includes(a.status);
  const line1 = me.role !== 'clerk';
  const line2Active = a.organisations.some((o) => o.id === me.organisationId && o.role === 'co-executor');

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Anchor size="sm" onClick={() => navigate(-1)} component="button" type="button">
            ← Назад к списку
          </Anchor>
          <Group gap="xs" mt={4} wrap="wrap">
            <Title order={1} fz={22}>
              Обращение № {a.registrationNumber}
            </Title>
            <StatusBadge status={a.status} />
            {a.fastTrack && <FastTrackBadge />}
            <ChannelBadge channel={a.channel} />
            {a.regime === 'message' && (
              <Badge variant="light" color="gray" radius="sm" style={{ textTransform: 'none' }}>
                Сообщение (не 59-ФЗ)
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            Зарегистрировано {formatDateTime(a.registeredAt, a.timeZone)} · {a.organisationName}
          </Text>
        </div>
        <Group gap="xs" role="toolbar" aria-label="Действия с обращением">
          {isOpen && a.assigneeId !== me.id && (
            <Button
              size="sm"
              variant="light"
              loading={act.isPending}
              onClick={() => run(() => call('take', { params: { id } }), 'Обращение взято в работу')}
            >
              Взять в работу
            </Button>
          )}
          {isOpen && line1 && (
            <Button size="sm" onClick={() => setDialog('escalate')}>
              Передать на 2-ю линию
            </Button>
          )}
          {isOpen && line2Active && (
            <Button size="sm" variant="light" color="orange" onClick={() => setDialog('return')}>
              Вернуть как не по адресу
            </Button>
          )}
          {isOpen && (
            <Button size="sm" variant="default" onClick={() => setDialog('extend')}>
              Продлить срок
            </Button>
          )}
          {isOpen && line1 && (
            <Button size="sm" variant="default" onClick={() => setDialog('redirect')}>
              Направить по компетенции
            </Button>
          )}
          {['answered', 'redirected'].includes(a.status) && (
            <Button
              size="sm"
              variant="default"
              onClick={() => run(() => call('close', { params: { id } }), 'Рассмотрение завершено')}
            >
              Завершить
            </Button>
          )}
          {['answered', 'closed'].includes(a.status) && (
            <Button size="sm" variant="default" onClick={() => setDialog('rate')}>
              Внести оценку
            </Button>
          )}
        </Group>
      </Group>

      {notice && (
        <Alert
          color={notice.color}
          variant="light"
          withCloseButton
          onClose={() => setNotice(null)}
          role={notice.color === 'red' ? 'alert' : 'status'}
        >
          {notice.text}
        </Alert>
      )}

      <Grid gutter="sm">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="sm">
            <Section title={a.subject ?? 'Текст обращения'}>
              <Text className="appeal-text" size="sm" data-testid="appeal-text">
                {a.text}
              </Text>
              {a.address && (
                <Text size="sm" mt="xs">
                  <Text span c="dimmed">
                    Адрес проблемы:{' '}
                  </Text>
                  {a.address}
                </Text>
              )}
              {a.attachments.length > 0 && (
                <>
                  <Divider my="sm" label={`Вложения (${a.attachments.length})`} labelPosition="left" />
                  <Attachments appealId={a.id} attachments={a.attachments} />
                </>
              )}
            </Section>
            <AnswersSection card={a} onDone={(text) => setNotice({ color: 'teal', text })} />
            <Section title="История рассмотрения">
              <History card={a} names={names} />
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="sm">
            <Deadlines card={a} names={names} />
            <Applicant card={a} />
            <Classification card={a} onSaved={() => run(async () => undefined, 'Тема сохранена')} />
            {isOpen && line1 && (
              <Routing
                card={a}
                onEscalate={(ids) =>
                  run(
                    () => call('escalate', { params: { id }, body: { organisationIds: ids } }),
                    'Обращение передано на 2-ю линию',
                  )
                }
              />
            )}
            <Section title="Организации">
              <Stack gap={6}>
                {a.organisations.map((o) => (
                  <Group key={o.id} justify="space-between" wrap="nowrap" gap="xs">
                    <Text size="sm">{o.name}</Text>
                    <Badge
                      size="sm"
                      variant="light"
                      color={o.role === 'co-executor' ? 'violet' : 'gray'}
                      style={{ textTransform: 'none' }}
                    >
                      {ORG_ROLE[o.role] ?? o.role}
                    </Badge>
                  </Group>
                ))}
              </Stack>
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>

      <ActionDialogs
        dialog={dialog}
        card={a}
        busy={act.isPending}
        onClose={() => setDialog(null)}
        run={(fn, done) => run(fn, done)}
      />
    </Stack>
  );
}

const ORG_ROLE: Record<string, string> = {
  responsible: 'ответственная',
  'co-executor': '2-я линия',
  'management-centre': 'ЦУР',
  addressee: 'адресат',
};

function Section({ title, children, right }: { title: string; children: ReactNode; right?: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="md">
          {title}
        </Text>
        {right}
      </Group>
      {children}
    </Paper>
  );
}

function Attachments({
  appealId,
  attachments,
}: {
  appealId: string;
  attachments: AppealCard['attachments'];
}) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
      {attachments.map((f) => (
        <AttachmentTile key={f.id} appealId={appealId} file={f} />
      ))}
    </SimpleGrid>
  );
}

function AttachmentTile({ appealId, file }: { appealId: string; file: AppealCard['attachments'][number] }) {
  const [url, setUrl] = useState<string | null>(null);
  const image = file.status === 'stored' && file.contentType.startsWith('image/');
  useEffect(() => {
    if (!image) return;
    let objectUrl: string | null = null;
    send('attachment', { params: { id: appealId, attachmentId: file.id } })
      .then((r) => r.blob())
      .then((b) => {
        objectUrl = URL.createObjectURL(b);
        setUrl(objectUrl);
      })
      .catch(() => setUrl(null));
    return () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [appealId, file.id, image]);

  async function download() {
    const res = await send('attachment', { params: { id: appealId, attachmentId: file.id } });
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = href;
    link.download = file.fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  }

  return (
    <Card withBorder padding={6} radius="sm">
      {image && url ? (
        <Image src={url} alt={`Вложение: ${file.fileName}`} h={110} fit="cover" radius="sm" />
      ) : (
        <Group h={110} justify="center" bg="gray.0" style={{ borderRadius: 4 }}>
          <ClipIcon />
        </Group>
      )}
      <Text size="xs" mt={4} lineClamp={1} title={file.fileName}>
        {file.fileName}
      </Text>
      {file.status === 'stored' ? (
        <Anchor size="xs" component="button" type="button" onClick={download}>
          Скачать ({Math.max(1, Math.round(file.size / 1024))} КБ)
        </Anchor>
      ) : (
        <Text size="xs" c="red">
          Не принято: {file.rejectionReason ?? 'файл отклонён'}
        </Text>
      )}
    </Card>
  );
}

function Deadlines({ card, names }: { card: AppealCard; names: ReturnType<typeof useNames> }) {
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
    return [...due.entries()];
  }, [card.history]);
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
      </Stack>
    </Paper>
  );
}

function Applicant({ card }: { card: AppealCard }) {
  const me = useMe();
  const p = card.applicant;
  const allowed = me.role !== 'admin';
  const name = [p.surname, p.firstName, p.patronymic].filter(Boolean).join(' ') || p.displayName || '—';
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Заявитель">
      <Text fw={600} mb="xs">
        Заявитель
      </Text>
      {allowed ? (
        <Stack gap={4}>
          <Text size="sm" fw={500} data-testid="applicant-name">
            {name}
          </Text>
          {p.phone && <Field label="Телефон" value={p.phone} />}
          {p.email && <Field label="Эл. почта" value={p.email} />}
          {p.postalAddress && <Field label="Почтовый адрес" value={p.postalAddress} />}
          <Field label="Канал" value={CHANNEL_LABEL[card.channel] ?? card.channel} />
          <Text size="xs" c="dimmed" mt={4}>
            Просмотр персональных данных записан в журнал.
          </Text>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          Персональные данные видны только сотрудникам, рассматривающим обращения.
        </Text>
      )}
    </Paper>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <Group gap={6} wrap="nowrap" align="baseline">
      <Text size="xs" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {value}
      </Text>
    </Group>
  );
}

function Classification({ card, onSaved }: { card: AppealCard; onSaved: () => void }) {
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
      call('classify', { params: { id: card.id }, body: { topicId, subtopicId: subtopicId ?? undefined } }),
    onSuccess: async () => {
      setError(null);
      await queryClient.invalidateQueries({ queryKey: ['appeal', card.id] });
      onSaved();
    },
    onError: (e) => setError(errorText(e)),
  });
  const topics = names.topics.filter((t) => !t.parentId);
  const subtopics = names.topics.filter((t) => t.parentId === topicId);
  const changed = topicId !== card.topicId || subtopicId !== card.subtopicId;
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
          label="Тема"
          placeholder="Выберите тему"
          searchable
          data={topics.map((t) => ({ value: t.id, label: t.name }))}
          value={topicId}
          onChange={(v) => {
            setTopicId(v);
            setSubtopicId(null);
          }}
        />
        <Select
          label="Подтема"
          placeholder={subtopics.length ? 'Выберите подтему' : '—'}
          searchable
          clearable
          disabled={subtopics.length === 0}
          data={subtopics.map((t) => ({ value: t.id, label: t.name }))}
          value={subtopicId}
          onChange={setSubtopicId}
        />
        {error && (
          <Text size="xs" c="red" role="alert">
            {error}
          </Text>
        )}
        <Button
          size="xs"
          variant="light"
          disabled={!topicId || !changed}
          loading={save.isPending}
          onClick={() => save.mutate()}
        >
          {card.topicId ? 'Исправить тему' : 'Сохранить тему'}
        </Button>
      </Stack>
    </Paper>
  );
}

function Routing({ card, onEscalate }: { card: AppealCard; onEscalate: (ids: string[]) => void }) {
  const [result, setResult] = useState<RouteSuggestion | null>(null);
  const [error, setError] = useState<string | null>(null);
  const suggest = useMutation({
    mutationFn: () =>
      call<RouteSuggestion>('suggestRoute', {
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
        <Text size="xs" c="red">
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

function eventDetails(e: HistoryEvent, names: ReturnType<typeof useNames>): string | null {
  const d = e.data ?? {};
  const list = (v: unknown) =>
    Array.isArray(v) ? v.map((x) => names.organisation(String(x))).join(', ') : '';
  switch (e.type) {
    case 'escalated':
      return `В: ${list(d.organisationIds)}${d.late ? ' · с нарушением срока передачи' : ''}`;
    case 'classified':
      return `Тема: ${names.topic(d.topicId as string)}${d.subtopicId ? ` / ${names.topic(d.subtopicId as string)}` : ''}${d.previous ? ' (исправлено)' : ''}`;
    case 'returned':
      return `${names.organisation(d.organisationId as string)}: ${String(d.reason ?? '')}${d.late ? ' · возврат с нарушением срока' : ''}`;
    case 'redirected':
      return `${String(d.body ?? '')}. ${String(d.reason ?? '')}`;
    case 'extended':
      return `До ${formatLocalDate(d.answerDueDate as string)}: ${String(d.reason ?? '')}`;
    case 'line2-extended':
      return `${names.organisation(d.organisationId as string)} до ${formatDateTime(d.until as string)}: ${String(d.reason ?? '')}`;
    case 'rated':
      return [
        d.answered === false ? 'ответа на вопрос нет' : d.answered === true ? 'ответ получен' : null,
        d.satisfaction ? SATISFACTION_LABEL[d.satisfaction as string] : null,
        d.poor ? 'низкая оценка' : null,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'reopened':
      return `Повторно в: ${names.organisation(d.toOrganisationId as string)}, новый срок ${formatLocalDate(d.answerDueDate as string)}`;
    case 'clock-at-risk':
    case 'clock-overdue':
      return `${CLOCK_LABEL[d.clock as string] ?? d.clock}, ${names.organisation(d.organisationId as string)}, срок ${formatDateTime(d.dueAt as string)}`;
    case 'answered':
      return `От: ${names.organisation(d.organisationId as string)}`;
    case 'registered':
      return d.registrationNumber ? `№ ${String(d.registrationNumber)}` : null;
    case 'delivery-failed':
      return typeof d.error === 'string' ? d.error : null;
    default:
      return null;
  }
}

function History({ card, names }: { card: AppealCard; names: ReturnType<typeof useNames> }) {
  const me = useMe();
  const events = [...card.history].reverse();
  return (
    <Timeline bulletSize={14} lineWidth={2} active={events.length} aria-label="История">
      {events.map((e) => (
        <Timeline.Item
          key={e.id}
          color={EVENT_COLOR[e.type] ?? 'blue'}
          title={
            <Text size="sm" fw={500}>
              {EVENT_LABEL[e.type] ?? e.type}
            </Text>
          }
          data-testid="history-item"
          data-type={e.type}
        >
          {eventDetails(e, names) && (
            <Text size="xs" c="dark.3">
              {eventDetails(e, names)}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {formatDateTime(e.occurredAt, card.timeZone)} ·{' '}
            {e.actor === 'system' ? 'система' : e.actor === me.id ? 'вы' : 'сотрудник'}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function AnswersSection({ card, onDone }: { card: AppealCard; onDone: (text: string) => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const answers = useQuery({
    queryKey: ['answers', card.id],
    queryFn: () => call<Answer[]>('appealAnswers', { params: { id: card.id } }),
  });
  const templates = useQuery({
    queryKey: ['templates', card.topicId],
    queryFn: () => call<Template[]>('templates', { query: { topicId: card.topicId } }),
  });
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
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
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
            />
            {error && (
              <Text size="xs" c="red" role="alert">
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

function ActionDialogs(props: {
  dialog: Dialog;
  card: AppealCard;
  busy: boolean;
  onClose: () => void;
  run: (fn: () => Promise<unknown>, done: string) => void;
}) {
  const { dialog, card, run } = props;
  const id = card.id;
  const [reason, setReason] = useState('');
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<'appeal' | 'line2'>('appeal');
  const [days, setDays] = useState<number | string>(30);
  const [until, setUntil] = useState('');
  const [answered, setAnswered] = useState('yes');
  const [satisfaction, setSatisfaction] = useState('satisfied');
  useEffect(() => {
    setReason('');
    setBody('');
  }, [dialog]);
  const footer = (label: string, onClick: () => void, disabled = false) => (
    <Group justify="flex-end" mt="md">
      <Button variant="default" onClick={props.onClose}>
        Отмена
      </Button>
      <Button onClick={onClick} loading={props.busy} disabled={disabled}>
        {label}
      </Button>
    </Group>
  );
  return (
    <>
      <EscalateModal
        opened={dialog === 'escalate'}
        onClose={props.onClose}
        onSubmit={async (organisationIds) =>
          run(
            () => call('escalate', { params: { id }, body: { organisationIds } }),
            'Обращение передано на 2-ю линию',
          )
        }
      />
      <Modal opened={dialog === 'return'} onClose={props.onClose} title="Вернуть на 1-ю линию">
        <Textarea
          label="Причина"
          description="Почему вопрос не в компетенции вашей организации"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          minRows={3}
          autosize
        />
        {footer(
          'Вернуть',
          () =>
            run(
              () => call('returnMisrouted', { params: { id }, body: { reason } }),
              'Обращение возвращено на 1-ю линию',
            ),
          reason.trim().length < 3,
        )}
      </Modal>
      <Modal
        opened={dialog === 'redirect'}
        onClose={props.onClose}
        title="Направить по компетенции (ч. 3 ст. 8 59-ФЗ)"
      >
        <Stack>
          <TextInput
            label="Орган, в компетенцию которого входит вопрос"
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
          />
          <Textarea
            label="Основание"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Text size="xs" c="dimmed">
            Заявитель получит уведомление о переадресации.
          </Text>
        </Stack>
        {footer(
          'Направить',
          () =>
            run(
              () => call('redirect', { params: { id }, body: { body, reason } }),
              'Обращение направлено по компетенции',
            ),
          body.trim().length < 3 || reason.trim().length < 3,
        )}
      </Modal>
      <Modal opened={dialog === 'extend'} onClose={props.onClose} title="Продлить срок">
        <Stack>
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as 'appeal' | 'line2')}
            data={[
              { value: 'appeal', label: 'Срок по 59-ФЗ' },
              { value: 'line2', label: 'Срок ответа 2-й линии' },
            ]}
          />
          {kind === 'appeal' ? (
            <NumberInput
              label="На сколько дней (не более 30, один раз)"
              min={1}
              max={30}
              value={days}
              onChange={setDays}
            />
          ) : (
            <TextInput
              type="datetime-local"
              label="Новый срок (не позднее 5 рабочих дней с поступления)"
              value={until}
              onChange={(e) => setUntil(e.currentTarget.value)}
            />
          )}
          <Textarea
            label="Причина"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
          />
        </Stack>
        {footer(
          'Продлить',
          () =>
            run(
              () =>
                call('extend', {
                  params: { id },
                  body:
                    kind === 'appeal'
                      ? { kind, days: Number(days), reason }
                      : { kind, until: new Date(until).toISOString(), reason },
                }),
              'Срок продлён',
            ),
          reason.trim().length < 3 || (kind === 'line2' && !until),
        )}
      </Modal>
      <Modal opened={dialog === 'rate'} onClose={props.onClose} title="Оценка ответа заявителем">
        <Stack>
          <Radio.Group label="Получен ли ответ на вопрос" value={answered} onChange={setAnswered}>
            <Group mt={4}>
              <Radio value="yes" label="Да" />
              <Radio value="no" label="Нет" />
            </Group>
          </Radio.Group>
          <Radio.Group label="Удовлетворённость" value={satisfaction} onChange={setSatisfaction}>
            <Stack gap={4} mt={4}>
              <Radio value="satisfied" label="Удовлетворён" />
              <Radio value="partially" label="Частично удовлетворён" />
              <Radio value="not-satisfied" label="Не удовлетворён" />
            </Stack>
          </Radio.Group>
        </Stack>
        {footer('Сохранить оценку', () =>
          run(
            () => call('rate', { params: { id }, body: { answered: answered === 'yes', satisfaction } }),
            'Оценка сохранена',
          ),
        )}
      </Modal>
    </>
  );
}
