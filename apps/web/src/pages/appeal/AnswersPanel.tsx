import { Badge, Button, Card, Group, Paper, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call, errorText } from '../../api/client';
import { useAppealAnswers } from '../../api/hooks';
import { type Answer, type AppealCard, type AppealTemplate } from '../../api/types';
import { useMe } from '../../auth';
import { shownTemplate } from '../../lib/placeholders';
import { useTabDraft } from '../../lib/tab-draft';
import { formatDateTime } from '../../lib/time';
import { AnswerFiles } from './AnswerFiles';
import { OPEN } from './appeal-state';
import { FormModal, textOf, useFormDialog } from '../../components/forms';
import { channelLabel, labelOf } from '../../lib/labels';
import { deliveryFailureText } from '../../lib/delivery-errors';

/** How staff gave an answer to the applicant themselves. */
const HANDOVER_LABEL: Record<string, string> = {
  phone: 'по телефону',
  'in-person': 'лично',
  post: 'почтой',
};

type Delivery = NonNullable<Answer['delivery']>;

/** The picker's groups, in order: why the api offered a template first (its `match`), then the rest. */
const TEMPLATE_GROUPS: [AppealTemplate['match'], string][] = [
  ['topic', 'По теме обращения'],
  ['subject', 'Подходят по словам обращения'],
  [null, 'Остальные'],
];

/** The picker's options grouped as the api ranked them; a plain list when none is offered first. */
function templateOptions(templates: AppealTemplate[]) {
  const groups = TEMPLATE_GROUPS.map(([match, group]) => ({
    group,
    items: templates.filter((t) => t.match === match).map((t) => ({ value: t.id, label: t.title })),
  })).filter((g) => g.items.length > 0);
  return groups.length === 1 && groups[0].group === 'Остальные' ? groups[0].items : groups;
}

/** A send in several messages not yet whole: the parts the citizen has (deliveryFailureText's `partsSent`). */
const partsOf = (d: Delivery) => ({ sent: d.partsSent, total: d.partsTotal });

/**
 * A sent answer's badge and line by its message's real state (it read «Отправлен» while the channel was not
 * connected and the message failed: only the history and «Недоставленные» told).
 */
function deliveryShown(d: Delivery): { badge: string; color: string; line: string } {
  const channel = channelLabel(d.channel);
  if (d.status === 'sent')
    return { badge: 'Доставлен', color: 'teal', line: `Доставлен через канал «${channel}»` };
  if (d.status === 'failed')
    return {
      badge: 'Не доставлен',
      color: 'red',
      line: `Не доставлен: ${deliveryFailureText({ reason: d.lastError ?? '', channel: d.channel, partsSent: partsOf(d) })}`,
    };
  return {
    badge: 'Отправляется',
    color: 'yellow',
    line: d.lastError
      ? `Не ушёл с прошлой попытки: ${deliveryFailureText({ reason: d.lastError, channel: d.channel, retrying: true, partsSent: partsOf(d) })}`
      : `Ждёт отправки через канал «${channel}»`,
  };
}

/** The notice after «Отправить заявителю»: what is true at that moment, not «отправлен» before any channel took it. */
function sentNotice(ans: Answer | undefined): string {
  // An answer to a call, a visit or a letter without an e-mail goes nowhere by itself.
  if (ans?.handover === 'awaiting') return 'Ответ готов к передаче заявителю — отметьте передачу';
  const d = ans?.delivery;
  if (!d) return 'Ответ принят: заявитель получит его в общем ответе, когда ответят все';
  if (d.status === 'sent') return `Ответ доставлен заявителю через канал «${channelLabel(d.channel)}»`;
  if (d.status === 'failed')
    return `Ответ не доставлен: ${deliveryShown(d).line.replace(/^Не доставлен: /, '')}`;
  return `Ответ принят и отправляется заявителю через канал «${channelLabel(d.channel)}»: состояние доставки — в карточке ответа`;
}

/**
 * What a draft of an organisation whose line-2 part is no longer open is: kept for reference, not waiting for
 * approval (that organisation's staff can change nothing now); its answer still awaiting hand-over, neither given
 * to the applicant. Undefined while its part is open.
 */
function leftBehindDraftText(
  card: AppealCard,
  organisationId: string,
  awaitingHandover = false,
): string | undefined {
  const part = card.organisations.find((o) => o.id === organisationId);
  if (!part || part.line !== 2 || part.state === 'active' || part.state === 'answered') return undefined;
  const whose = part.state === 'returned' ? 'вернувшей обращение' : 'чьё поручение закрыто';
  return awaitingHandover
    ? `Ответ организации, ${whose}: сохранён для сведения, передать его заявителю нельзя`
    : `Проект организации, ${whose}: сохранён для сведения, согласовать и отправить его нельзя`;
}

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
  // The appeal's topic's templates and those matching its words first (the api ranks them).
  const templates = useQuery({
    queryKey: ['templates', 'appeal', card.id, card.topicId, card.subtopicId, card.subject],
    queryFn: () => call('appealTemplates', { params: { id: card.id } }),
  });
  const [templateId, setTemplateId] = useState<string | null>(null);
  // Kept for the tab until saved: typed, then a look at the list, and it was gone.
  const [text, setText] = useTabDraft(`answer.${me.id}.${card.id}`);
  const [error, setError] = useState<string | null>(null);
  /** A further draft asked for by «Новый проект ответа» while one of the viewer's organisation is open. */
  const [another, setAnother] = useState(() => text !== '');
  useEffect(() => {
    if (!insertion) return;
    setText((t) => (t.trim() ? `${t.trimEnd()}\n\n${insertion.text}` : insertion.text));
    // Inserted text is seen where it goes, even while a draft is open.
    setAnother(true);
  }, [insertion]);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['answers', card.id] });
    await queryClient.invalidateQueries({ queryKey: ['appeal', card.id] });
    // The queues and their counts too: an approved draft leaves «На согласовании», a sent answer its queue.
    await queryClient.invalidateQueries({ queryKey: ['appeals'] });
  };
  const mutate = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onError: (e) => setError(errorText(e)),
  });
  /** `done` is the notice; a function reads it from the refreshed answers. */
  const doIt = (fn: () => Promise<unknown>, done: string | (() => string), after?: () => void) =>
    mutate.mutate(fn, {
      onSuccess: async () => {
        setError(null);
        after?.();
        await refresh();
        onDone(typeof done === 'function' ? done() : done);
      },
    });
  // A draft is edited or discarded by whoever may change it, sent back with a comment by whoever approves it.
  const edit = useFormDialog(
    (f: { answerId: string; text: string }) =>
      call('editDraft', { params: { id: card.id, answerId: f.answerId }, body: { text: f.text.trim() } }),
    async () => {
      await refresh();
      onDone('Проект ответа исправлен');
    },
  );
  const sendBack = useFormDialog(
    (f: { answerId: string; comment: string }) =>
      call('sendBackDraft', {
        params: { id: card.id, answerId: f.answerId },
        body: { comment: f.comment.trim() },
      }),
    async () => {
      await refresh();
      onDone('Проект ответа возвращён автору на доработку');
    },
  );
  const discard = useFormDialog(
    (f: { answerId: string }) => call('discardDraft', { params: { id: card.id, answerId: f.answerId } }),
    async () => {
      await refresh();
      onDone('Проект ответа отменён');
    },
  );
  // An answer to a call, a visit or a letter without an e-mail goes to the applicant through staff.
  const handOver = useFormDialog(
    (f: { answerId: string; medium: string | null; note: string }) =>
      call('handedOver', {
        params: { id: card.id, answerId: f.answerId },
        body: {
          medium: (f.medium ?? 'phone') as 'phone' | 'in-person' | 'post',
          note: f.note.trim() || undefined,
        },
      }),
    async () => {
      await refresh();
      onDone('Отмечено: ответ передан заявителю');
    },
  );
  // An organisation that returned its part (or had it closed) sees the appeal read-only: the api refuses every
  // change (403), so its drafts offer no «Изменить», «Согласовать» or files (they did, and each press failed).
  const readOnly = card.access.readOnly;
  const mayChange = (ans: { authorId: string; organisationId: string }) =>
    !readOnly &&
    (ans.authorId === me.id ||
      me.role === 'supervisor' ||
      (me.role === 'head' && ans.organisationId === me.organisationId));
  // As the server decides: never one's own draft, never an administrator, never a draft an organisation left when
  // it returned the appeal (or had its part closed; a supervisor was offered «Согласовать»); a supervisor any other,
  // staff their organisation's.
  const mayApprove = (ans: { authorId: string; organisationId: string }) =>
    !readOnly &&
    leftBehindDraftText(card, ans.organisationId) === undefined &&
    ans.authorId !== me.id &&
    me.role !== 'admin' &&
    (me.role === 'supervisor' || ans.organisationId === me.organisationId);
  // As the server decides: an approved answer of an organisation that has since returned the appeal (or had its
  // part closed) is kept for reference, not sent (the card offered «Отправить заявителю» for it), nor handed over
  // if it awaits that (the card offered «Отметить передачу»).
  const maySend = (ans: { organisationId: string }) =>
    card.access.mayAnswer && leftBehindDraftText(card, ans.organisationId) === undefined;
  const template = templates.data?.find((t) => t.id === templateId);
  // Not an administrator's: the api refuses their draft (they run the system, not appeals).
  const canWrite = card.access.mayAnswer && (OPEN.includes(card.status) || card.status === 'answered');
  // With a draft of the viewer's organisation open, the empty form below it read as an invitation to write a
  // second one: it waits behind a button (several drafts stay possible, e.g. for another organisation's part).
  const draftOpen = (answers.data ?? []).some(
    (ans) => ans.status === 'draft' && ans.organisationId === me.organisationId,
  );

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Ответ заявителю">
      <Text fw={600} mb="xs">
        Ответ заявителю
      </Text>
      <Stack gap="sm">
        {(answers.data ?? []).map((ans) => {
          const delivery = ans.status === 'sent' && ans.delivery ? deliveryShown(ans.delivery) : null;
          return (
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
                    color={
                      delivery?.color ??
                      (ans.status === 'sent' ? 'teal' : ans.status === 'approved' ? 'blue' : 'gray')
                    }
                    variant="light"
                    style={{ textTransform: 'none' }}
                    data-testid="answer-badge"
                  >
                    {delivery?.badge ??
                      (ans.status === 'sent'
                        ? 'Отправлен'
                        : ans.status === 'approved'
                          ? 'Согласован'
                          : 'Проект')}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {ans.authorName}, {ans.organisationName} · {formatDateTime(ans.createdAt, card.timeZone)}
                  </Text>
                </Group>
                <Group gap={6}>
                  {ans.status === 'draft' && mayChange(ans) && (
                    <>
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => edit.setForm({ answerId: ans.id, text: ans.text })}
                      >
                        Изменить
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        onClick={() => discard.setForm({ answerId: ans.id })}
                      >
                        Отменить проект
                      </Button>
                    </>
                  )}
                  {ans.status === 'draft' && mayApprove(ans) && (
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => sendBack.setForm({ answerId: ans.id, comment: '' })}
                    >
                      Вернуть на доработку
                    </Button>
                  )}
                  {ans.status === 'draft' && mayApprove(ans) && (
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
                  {ans.status === 'approved' && maySend(ans) && (
                    <Button
                      size="xs"
                      onClick={() =>
                        doIt(
                          () => call('sendAnswer', { params: { id: card.id, answerId: ans.id } }),
                          () =>
                            sentNotice(
                              queryClient
                                .getQueryData<typeof answers.data>(['answers', card.id])
                                ?.find((a) => a.id === ans.id),
                            ),
                        )
                      }
                    >
                      Отправить заявителю
                    </Button>
                  )}
                </Group>
              </Group>
              {ans.status === 'draft' &&
                ans.sentBackComment &&
                // Until the author edits it after the comment.
                !(ans.editedAt && ans.sentBackAt && ans.editedAt > ans.sentBackAt) && (
                  <Text size="xs" c="orange.9" mb={4} data-testid="sent-back-comment">
                    Возвращён на доработку
                    {ans.sentBackAt ? ` ${formatDateTime(ans.sentBackAt, card.timeZone)}` : ''}:{' '}
                    {ans.sentBackComment}
                  </Text>
                )}
              <Text size="sm" className="appeal-text">
                {ans.text}
              </Text>
              <AnswerFiles
                appealId={card.id}
                answer={ans}
                me={me}
                notice={card.answerFilesNotice}
                readOnly={readOnly}
              />
              {delivery && (
                <Text
                  size="xs"
                  c={ans.delivery?.status === 'failed' ? 'red.8' : 'dimmed'}
                  mt={4}
                  data-testid="answer-delivery"
                >
                  {delivery.line}
                </Text>
              )}
              {ans.handover === 'awaiting' && maySend(ans) && (
                <Group gap="xs" mt={6} data-testid="answer-handover">
                  <Text size="xs" c="orange.9">
                    Ответ ждёт передачи заявителю: сообщите его по телефону, лично или отправьте почтой и
                    отметьте здесь
                  </Text>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => handOver.setForm({ answerId: ans.id, medium: 'phone', note: '' })}
                  >
                    Отметить передачу
                  </Button>
                </Group>
              )}
              {ans.handover && ans.handover !== 'awaiting' && (
                <Text size="xs" c="dimmed" mt={4} data-testid="answer-handover">
                  Передан заявителю {labelOf(HANDOVER_LABEL, ans.handover, 'иным способом')}
                </Text>
              )}
              {ans.status === 'draft' && !readOnly && !mayApprove(ans) && (
                // Nobody approves their own draft: say what happens next, or the author waits for a button. A
                // draft of an organisation that returned its part (or had it closed) waits for nobody: its staff
                // see the appeal read-only, so it is kept for reference (it read «проект согласует коллега…»).
                <Text size="xs" c="dimmed" mt={4} data-testid="draft-next-step">
                  {leftBehindDraftText(card, ans.organisationId) ??
                    'Ждёт согласования: проект согласует коллега или руководитель, затем его можно отправить'}
                </Text>
              )}
              {(ans.status === 'approved' || ans.handover === 'awaiting') &&
                leftBehindDraftText(card, ans.organisationId) && (
                  <Text size="xs" c="dimmed" mt={4} data-testid="draft-next-step">
                    {leftBehindDraftText(card, ans.organisationId, ans.handover === 'awaiting')}
                  </Text>
                )}
              {ans.approvedByName && (
                <Text size="xs" c="dimmed" mt={4}>
                  Согласовал: {ans.approvedByName}
                  {ans.sentAt ? ` · отправлен ${formatDateTime(ans.sentAt, card.timeZone)}` : ''}
                </Text>
              )}
            </Card>
          );
        })}
        {canWrite && draftOpen && !another && (
          <Group justify="flex-end">
            <Button size="sm" variant="default" onClick={() => setAnother(true)}>
              Новый проект ответа
            </Button>
          </Group>
        )}
        {canWrite && (!draftOpen || another) && (
          <Stack gap="xs">
            <Select
              label="Типовой ответ"
              placeholder={templates.data?.length ? 'Без типового ответа' : 'Типовых ответов нет'}
              data={templateOptions(templates.data ?? [])}
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
                {shownTemplate(template.body)}
              </Text>
            )}
            <Textarea
              label={template ? 'Дополнение к типовому ответу' : 'Текст ответа'}
              description={
                template
                  ? 'Подстановки в квадратных скобках ([имя заявителя] и др.) система заполнит данными обращения'
                  : undefined
              }
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
                      setAnother(false);
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
      <FormModal
        title="Ответ передан заявителю"
        submitLabel="Отметить"
        submitDisabled={!handOver.form?.medium}
        {...handOver.modal}
      >
        {handOver.form && (
          <>
            <Select
              label="Как передан"
              data={Object.entries(HANDOVER_LABEL).map(([value, label]) => ({
                value,
                label: label[0].toUpperCase() + label.slice(1),
              }))}
              value={handOver.form.medium}
              onChange={(medium) => handOver.setForm({ ...handOver.form!, medium })}
              allowDeselect={false}
            />
            <TextInput
              label="Примечание"
              description="Например, номер почтового отправления"
              {...textOf(handOver.form.note, (note) => handOver.setForm({ ...handOver.form!, note }))}
            />
          </>
        )}
      </FormModal>
      <FormModal title="Исправить проект ответа" size="lg" submitLabel="Сохранить" {...edit.modal}>
        {edit.form && (
          <Textarea
            label="Текст ответа"
            autosize
            minRows={6}
            maxRows={16}
            data-autofocus
            {...textOf(edit.form.text, (v) => edit.setForm({ ...edit.form!, text: v }))}
          />
        )}
      </FormModal>
      <FormModal
        title="Вернуть проект на доработку"
        submitLabel="Вернуть автору"
        submitDisabled={(sendBack.form?.comment.trim().length ?? 0) < 3}
        {...sendBack.modal}
      >
        {sendBack.form && (
          <Textarea
            label="Что исправить"
            description="Автор получит уведомление с этим комментарием"
            autosize
            minRows={3}
            data-autofocus
            {...textOf(sendBack.form.comment, (v) => sendBack.setForm({ ...sendBack.form!, comment: v }))}
          />
        )}
      </FormModal>
      <FormModal title="Отменить проект ответа?" submitLabel="Удалить проект" {...discard.modal}>
        <Text size="sm">
          Заявитель этот проект не получит; в истории обращения останется отметка об отмене.
        </Text>
      </FormModal>
    </Paper>
  );
}
