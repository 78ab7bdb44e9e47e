import { Alert, Anchor, Badge, Button, Divider, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { useMe } from '../../auth';
import {
  ChannelBadge,
  FastTrackBadge,
  StatusAlert,
  StatusBadge,
  WithdrawnBadge,
} from '../../components/common';
import { formatDateTime, zoneNote } from '../../lib/time';
import { Pending } from '../../components/tables';
import { AssignModal, useLiveUpdates } from '../InboxPage';
import { ActionDialogs } from './ActionDialogs';
import { AnswersSection } from './AnswersPanel';
import {
  cardToolbar,
  closesWithdrawn,
  type Dialog,
  type Done,
  joinedInto,
  OPEN,
  ownPart,
  withdrawalOf,
} from './appeal-state';
import { ApplicantPanel } from './ApplicantPanel';
import { AttachToAppeal, Attachments } from './AttachmentsPanel';
import { ClassificationPanel } from './ClassificationPanel';
import { DeadlinesPanel } from './DeadlinesPanel';
import { FlagsPanel } from './FlagsPanel';
import { HistoryPanel } from './HistoryPanel';
import { AddToIncidentDialog, ExcludeFromIncidentDialog } from './IncidentMembershipDialogs';
import { JoinDialog } from './JoinDialog';
import { KnowledgePanel } from './KnowledgePanel';
import { NotesPanel } from './NotesPanel';
import { RoutingPanel } from './RoutingPanel';
import { OrganisationsPanel } from './OrganisationsPanel';
import { Section } from './Section';

/** The appeal card: header and actions; each panel lives in its own file beside this one. */
export function AppealPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const names = useNames();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const card = useQuery({
    queryKey: ['appeal', id],
    queryFn: () => call('appeal', { params: { id } }),
  });
  // What a colleague does to this appeal meanwhile (takes it, hands it to line 2, answers) shows without a reload:
  // the card stayed as opened, offering «Взять в работу» on an appeal already taken.
  useLiveUpdates(
    useCallback(
      (_: number, appealIds: string[]) => {
        if (!appealIds.includes(id)) return;
        void queryClient.invalidateQueries({ queryKey: ['appeal', id] });
        void queryClient.invalidateQueries({ queryKey: ['answers', id] });
      },
      [id, queryClient],
    ),
  );
  const narrow = useMediaQuery('(max-width: 62em)') ?? false;
  const [dialog, setDialogState] = useState<Dialog>(null);
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);
  // An action whose button goes away with it («Взять в работу», «Сохранить проект ответа») left the keyboard's
  // focus on the page's body: it goes to the notice that says what was done, the next Tab on from there. Watched
  // for a while: the button goes only when the refreshed card or answers panel is drawn.
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!notice) return;
    const watch = window.setInterval(() => {
      const focused = document.activeElement;
      if (!focused || focused === document.body) {
        noticeRef.current?.focus();
        window.clearInterval(watch);
      }
    }, 100);
    // A click elsewhere (on text: the focus goes to the body) is the mouse's, not a lost focus.
    const stop = () => window.clearInterval(watch);
    const timeout = window.setTimeout(stop, 5_000);
    document.addEventListener('pointerdown', stop, { once: true });
    return () => {
      stop();
      window.clearTimeout(timeout);
      document.removeEventListener('pointerdown', stop);
    };
  }, [notice]);
  // An error belongs where the user is looking: inside the open dialog, else at the top of the card.
  const [dialogError, setDialogError] = useState<string | null>(null);
  const dialogOpen = useRef(false);
  const setDialog = (next: Dialog) => {
    dialogOpen.current = next !== null;
    setDialogError(null);
    setDialogState(next);
  };
  // A knowledge base article inserted into the answer draft (KnowledgePanel → AnswersSection).
  const [insertion, setInsertion] = useState<{ text: string; at: number } | null>(null);
  const [escalateTo, setEscalateTo] = useState<string[] | undefined>(undefined);
  // «Объединить с обращением» opened from the «repeated» flag starts with the appeal the flag names.
  const [joinNumber, setJoinNumber] = useState<string | undefined>(undefined);

  const act = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: async () => {
      setDialog(null);
      await queryClient.invalidateQueries({ queryKey: ['appeal', id] });
      await queryClient.invalidateQueries({ queryKey: ['answers', id] });
      await queryClient.invalidateQueries({ queryKey: ['appeals'] });
    },
    onError: (error) =>
      dialogOpen.current
        ? setDialogError(errorText(error))
        : setNotice({ color: 'red', text: errorText(error) }),
  });
  /** `done` is the notice; a function reads it from what `fn` returned (the term an extension set). */
  const run = (fn: () => Promise<unknown>, done: Done) => {
    setNotice(null);
    setDialogError(null);
    act.mutate(fn, {
      onSuccess: (result) =>
        setNotice({ color: 'teal', text: typeof done === 'function' ? done(result) : done }),
    });
  };
  // A refusal interrupts (an alert); what was done is said politely (a status).
  const Notice = notice?.color === 'red' ? Alert : StatusAlert;

  if (!card.data) {
    return (
      <Pending
        query={card}
        label="Загрузка карточки"
        title="Карточка недоступна"
        back={
          <Anchor component={Link} to="/inbox">
            ← К списку обращений
          </Anchor>
        }
      />
    );
  }
  const a = card.data;
  const isOpen = OPEN.includes(a.status);
  // What the api lets this viewer do (the card's access, by the commands' rules), where the status allows it.
  const actions = new Set(cardToolbar(a, me));
  // A line-2 clerk takes their organisation's part, not the appeal: the part's assignee says who holds it.
  const myPart = ownPart(a, me);
  // Both holders where the viewer's organisation works a line-2 part: an assignment made on line 1 (a regional
  // supervisor naming a management-centre operator) showed no change while the card named the part's holder.
  const partView = !!myPart;
  const holderText = (id: string | null | undefined, name: string | null | undefined, label: string) =>
    id === me.id ? `${label}: вы` : name ? `${label}: ${name}` : `${label}: не назначен`;
  const withdrawal = withdrawalOf(a);
  const canCloseWithdrawn = closesWithdrawn(a, me);
  const joined = joinedInto(a);

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Anchor
            size="sm"
            // Opened from a link (a notification, another tab) there is no list to go back to: the inbox then.
            onClick={() => (hasHistory() ? navigate(-1) : navigate('/inbox'))}
            component="button"
            type="button"
          >
            ← Назад к списку
          </Anchor>
          <Group gap="xs" mt={4} wrap="wrap">
            {/* The number whole on a phone: it broke at its hyphen («№ 2026-» / «000006»). */}
            <Title order={1} fz={22}>
              Обращение <span style={{ whiteSpace: 'nowrap' }}>№ {a.registrationNumber}</span>
            </Title>
            <StatusBadge status={a.status} />
            {a.fastTrack && <FastTrackBadge />}
            {withdrawal && <WithdrawnBadge by={withdrawal.by} />}
            <ChannelBadge channel={a.channel} />
            {a.regime === 'message' && (
              <Badge variant="light" color="gray" radius="sm" style={{ textTransform: 'none' }}>
                Сообщение (не 59-ФЗ)
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            Зарегистрировано {formatDateTime(a.registeredAt, a.timeZone)} · {a.organisationName} ·{' '}
            <span data-testid="card-assignee">
              {holderText(
                a.assigneeId,
                a.assigneeName,
                partView ? 'исполнитель на 1-й линии' : 'исполнитель',
              )}
            </span>
            {partView && (
              <span data-testid="card-part-assignee">
                {' · '}
                {holderText(myPart.assigneeId, myPart.assigneeName, 'в вашей организации')}
              </span>
            )}
            {zoneNote(a.timeZone) && (
              <span data-testid="card-zone"> · время организации: {zoneNote(a.timeZone)}</span>
            )}
          </Text>
        </div>
        <Group gap="xs" role="toolbar" aria-label="Действия с обращением">
          {actions.has('take') && (
            <Button
              size="sm"
              variant="light"
              loading={act.isPending}
              onClick={() => run(() => call('take', { params: { id } }), 'Обращение взято в работу')}
            >
              Взять в работу
            </Button>
          )}
          {actions.has('escalate') && (
            <Button
              size="sm"
              onClick={() => {
                // The organisations the routing rules chose at registration, ready to confirm or change: the
                // dialog opened empty although the card knew where the appeal goes.
                setEscalateTo(a.classification.suggestedOrganisationIds ?? undefined);
                setDialog('escalate');
              }}
            >
              Передать на 2-ю линию
            </Button>
          )}
          {actions.has('assign') && (
            <Button size="sm" variant="default" onClick={() => setDialog('assign')}>
              Назначить исполнителя
            </Button>
          )}
          {actions.has('fast-track') && (
            <Button size="sm" variant="light" color="red" onClick={() => setDialog('fast-track')}>
              Ускорить
            </Button>
          )}
          {actions.has('return') && (
            <Button size="sm" variant="light" color="orange" onClick={() => setDialog('return')}>
              Вернуть как не по адресу
            </Button>
          )}
          {actions.has('extend') && (
            <Button size="sm" variant="default" onClick={() => setDialog('extend')}>
              Продлить срок
            </Button>
          )}
          {actions.has('redirect') && (
            <Button size="sm" variant="default" onClick={() => setDialog('redirect')}>
              Направить по компетенции
            </Button>
          )}
          {actions.has('join') && (
            <Button
              size="sm"
              variant="default"
              onClick={() => {
                setJoinNumber(undefined);
                setDialog('join');
              }}
            >
              Объединить с обращением
            </Button>
          )}
          {actions.has('add-to-incident') && (
            <Button size="sm" variant="default" onClick={() => setDialog('add-to-incident')}>
              Добавить к инциденту
            </Button>
          )}
          {/* A withdrawn appeal closes from its notice below, with the reason. */}
          {actions.has('close') && (
            <Button
              size="sm"
              variant="default"
              loading={act.isPending}
              onClick={() => run(() => call('close', { params: { id }, body: {} }), 'Рассмотрение завершено')}
            >
              Завершить
            </Button>
          )}
          {actions.has('rate') && (
            <Button size="sm" variant="default" onClick={() => setDialog('rate')}>
              Внести оценку
            </Button>
          )}
        </Group>
      </Group>

      {notice && (
        <Notice
          ref={noticeRef}
          tabIndex={-1}
          color={notice.color}
          variant="light"
          withCloseButton
          onClose={() => setNotice(null)}
        >
          {notice.text}
        </Notice>
      )}

      {a.classification.incidentId && (
        <StatusAlert
          color="blue"
          variant="light"
          data-testid="incident-notice"
          title={`Входит в инцидент № ${a.classification.incidentNumber ?? ''}`}
        >
          <Group justify="space-between" gap="xs">
            <Text size="sm">
              Обращение сгруппировано с другими об одной проблеме; ответ готовится один на всех.{' '}
              <Anchor component={Link} to={`/incidents/${a.classification.incidentId}`}>
                Открыть инцидент
              </Anchor>
            </Text>
            {isOpen && a.access.mayEscalate && (
              <Button size="xs" variant="default" onClick={() => setDialog('exclude-from-incident')}>
                Исключить из инцидента
              </Button>
            )}
          </Group>
        </StatusAlert>
      )}

      {joined && (
        <StatusAlert
          color="gray"
          variant="light"
          data-testid="joined-notice"
          title={`Объединено с № ${joined.registrationNumber}`}
        >
          <Text size="sm">
            Заявитель направил это обращение повторно. Оно закрыто, его текст и файлы добавлены к{' '}
            <Anchor component={Link} to={`/appeals/${joined.id}`}>
              обращению № {joined.registrationNumber}
            </Anchor>
            ; ответ будет дан под его номером.
          </Text>
        </StatusAlert>
      )}

      {withdrawal && a.status !== 'closed' && (
        <StatusAlert
          color="grape"
          variant="light"
          data-testid="withdrawal-notice"
          title={withdrawalTitle(withdrawal.by)}
        >
          <Text size="sm">
            {formatDateTime(withdrawal.at, a.timeZone)}
            {withdrawal.reason ? ` · ${withdrawal.reason}` : ''}. Обращение и его текст сохранены (59-ФЗ).{' '}
            {canCloseWithdrawn
              ? 'Если рассматривать его больше не нужно, закройте его с указанием причины.'
              : isOpen && withdrawal.by === 'author'
                ? 'Закрыть его без ответа может 1-я линия (ЦУР, ЕКЦ); до того подготовьте ответ, если он нужен.'
                : isOpen
                  ? 'Обращение уже в работе: без ответа его не закрыть. Подготовьте ответ (например, о прекращении рассмотрения по просьбе заявителя) — после отправки рассмотрение можно завершить.'
                  : ''}
          </Text>
          {canCloseWithdrawn && (
            <Button
              size="xs"
              variant="light"
              color="grape"
              mt="xs"
              onClick={() => setDialog('close-withdrawn')}
            >
              Закрыть как отозванное
            </Button>
          )}
        </StatusAlert>
      )}

      {a.personalDataErasedAt && (
        <StatusAlert color="gray" variant="light" data-testid="personal-data-erased">
          Персональные данные удалены {formatDateTime(a.personalDataErasedAt, a.timeZone)} по истечении срока
          хранения: текст, тема, адрес, заявитель и файлы. Статистика и история сохранены.
        </StatusAlert>
      )}

      <Grid gutter="sm">
        {/* Below 1200 px the side column takes 5 of 12: at 4 a citizen's e-mail did not fit its line (1024 px). */}
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          <Stack gap="sm">
            {/* On a phone the clocks come first: what is due is what a supervisor opens the card for. */}
            {narrow && <DeadlinesPanel card={a} names={names} />}
            <Section title={a.subject ?? 'Текст обращения'}>
              <Text className="appeal-text" size="sm" data-testid="appeal-text" data-citizen-data>
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
              {isOpen && me.role !== 'admin' && !a.access.readOnly && !a.personalDataErasedAt && (
                <AttachToAppeal appealId={a.id} />
              )}
            </Section>
            {/* The answer form above the knowledge panel: the panel's articles arrive after the card and, above the
                form, pushed it down (out of the window, with an open template list) while the clerk was using it. */}
            <AnswersSection
              card={a}
              onDone={(text) => setNotice({ color: 'teal', text })}
              insertion={insertion}
            />
            <KnowledgePanel
              card={a}
              onInsert={(text) => setInsertion({ text, at: Date.now() })}
              onDone={(text, color = 'teal') => setNotice({ color, text })}
            />
            <NotesPanel card={a} />
            <Section title="История рассмотрения">
              <HistoryPanel card={a} names={names} />
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <Stack gap="sm">
            {!narrow && <DeadlinesPanel card={a} names={names} />}
            <ApplicantPanel card={a} />
            <FlagsPanel
              card={a}
              onDone={(text) => setNotice({ color: 'teal', text })}
              onJoin={
                actions.has('join')
                  ? (number) => {
                      setJoinNumber(number);
                      setDialog('join');
                    }
                  : undefined
              }
            />
            <ClassificationPanel card={a} onSaved={() => run(async () => undefined, 'Тема сохранена')} />
            {isOpen && a.access.mayEscalate && (
              <RoutingPanel
                card={a}
                onEscalate={(ids) => {
                  // Through the dialog: what the card lacks for an escalation is asked there.
                  setEscalateTo(ids);
                  setDialog('escalate');
                }}
              />
            )}
            <OrganisationsPanel card={a} />
          </Stack>
        </Grid.Col>
      </Grid>

      <AssignModal
        opened={dialog === 'assign'}
        onClose={() => setDialog(null)}
        count={1}
        holders={a.organisations
          .filter((o) => o.state === 'active')
          .sort((x, y) => y.line - x.line)
          .map((o) => o.id)}
        error={dialogError}
        onSubmit={(userId) =>
          run(() => call('assign', { params: { id }, body: { userId } }), 'Исполнитель назначен')
        }
      />
      <ExcludeFromIncidentDialog
        opened={dialog === 'exclude-from-incident'}
        card={a}
        incidentNumber={a.classification.incidentNumber}
        busy={act.isPending}
        error={dialogError}
        onClose={() => setDialog(null)}
        run={(fn, done) => run(fn, done)}
      />
      <AddToIncidentDialog
        opened={dialog === 'add-to-incident'}
        card={a}
        busy={act.isPending}
        error={dialogError}
        onClose={() => setDialog(null)}
        run={(fn, done) => run(fn, done)}
      />
      <JoinDialog
        opened={dialog === 'join'}
        card={a}
        initialNumber={joinNumber}
        busy={act.isPending}
        error={dialogError}
        onClose={() => setDialog(null)}
        run={(fn, done) => run(fn, done)}
      />
      <ActionDialogs
        dialog={dialog}
        card={a}
        busy={act.isPending}
        error={dialogError}
        onClose={() => setDialog(null)}
        run={(fn, done) => run(fn, done)}
        escalateTo={escalateTo}
      />
    </Stack>
  );
}

function withdrawalTitle(by: 'author' | 'channel'): string {
  return by === 'channel'
    ? 'Канал снял сообщение: его отклонил модератор после регистрации'
    : 'Заявитель удалил своё сообщение в канале';
}

/** Whether the workspace has a page of its own to go back to (react-router numbers its entries from 0). */
function hasHistory(): boolean {
  const state = window.history.state as { idx?: number } | null;
  return (state?.idx ?? 0) > 0;
}
