import {
  Alert,
  Group,
  Modal,
  NumberInput,
  Radio,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { call } from '../../api/client';
import { type AppealCard } from '../../api/types';
import { useMe } from '../../auth';
import { EscalateModal } from '../../components/EscalateModal';
import {
  type Dialog,
  type Done,
  extendedNotice,
  extensionKinds,
  redirectDialogText,
  withdrawalOf,
  withdrawnCloseReason,
} from './appeal-state';
import { textOf, DialogButtons } from '../../components/forms';
import { DateField } from '../../components/DateField';
import { formatDateTime, formatLocalDate, instantIn, localIn, zoneLabel } from '../../lib/time';

type Satisfaction = 'satisfied' | 'partially' | 'not-satisfied';

const EXTENSION_KIND = { appeal: 'Срок по 59-ФЗ', line2: 'Срок ответа 2-й линии' } as const;

/** The card's dialogs: escalate, return, redirect, extend, rate, close a withdrawn appeal. */
export function ActionDialogs(props: {
  dialog: Dialog;
  card: AppealCard;
  busy: boolean;
  /** The last action's refusal, shown inside the dialog that asked for it. */
  error: string | null;
  onClose: () => void;
  run: (fn: () => Promise<unknown>, done: Done) => void;
  /** The organisations the escalation dialog opens with (the routing's suggestion). */
  escalateTo?: string[];
}) {
  const { dialog, card, run } = props;
  const me = useMe();
  const id = card.id;
  const [reason, setReason] = useState('');
  const [body, setBody] = useState('');
  const [chosenKind, setKind] = useState<'appeal' | 'line2'>('appeal');
  // Only the terms the api would extend for this viewer: a message outside 59-ФЗ has no 59-ФЗ term.
  const kinds = extensionKinds(card);
  const kind = kinds.includes(chosenKind) ? chosenKind : (kinds[0] ?? 'appeal');
  const [days, setDays] = useState<number | string>(30);
  const [until, setUntil] = useState('');
  const [answered, setAnswered] = useState('yes');
  const [satisfaction, setSatisfaction] = useState<Satisfaction>('satisfied');
  const withdrawal = withdrawalOf(card);
  const extension = useExtensionPreview(card, days, dialog === 'extend' && kinds.includes('appeal'));
  // A clerk whose organisation has a head is told so on opening, not after filling the dialog in.
  const extensionRefused = extension.data?.refusal;
  // The days typed end in holidays and the last-day rule brings the term back where it is: the preview says so,
  // and the one extension 59-ФЗ allows is not spent on it (the api refuses it too).
  const extensionMovesNothing = extension.data?.answerDueDate === card.deadlines.answerDueDate;
  // The viewer's line-2 part: its term and the latest it may be extended to (the api's 5 working days from
  // receipt), so the dialog says the limit and offers it, not the 409 «Не позднее …» after a later date.
  const line2Part = card.organisations.find(
    (o) => o.line === 2 && o.state === 'active' && o.id === me.organisationId,
  );
  const line2Limit = line2Part?.extensionLimitAt ? localIn(line2Part.extensionLimitAt, card.timeZone) : '';
  // The dialog last filled in, until its action is done: closed by Escape or a click beside it and opened again,
  // it keeps what was typed (the reason was gone, and a clerk typed it again).
  const filled = useRef<string | null>(null);
  useEffect(() => {
    if (dialog === null || `${id}:${dialog}` === filled.current) return;
    filled.current = `${id}:${dialog}`;
    // Closing a withdrawn appeal offers the reason ready to confirm: one press when nothing needs adding.
    setReason(dialog === 'close-withdrawn' && withdrawal ? withdrawnCloseReason(withdrawal) : '');
    setBody('');
    setUntil(dialog === 'extend' ? line2Limit : '');
  }, [dialog, id]);
  /** One action's dialog: its fields, the last refusal, «Отмена» and `submit`, which runs `action`. */
  const actionModal = (
    name: Dialog,
    title: string,
    submit: string,
    action: { call: () => Promise<unknown>; done: Done; disabled?: boolean },
    fields: ReactNode,
  ) => (
    <Modal opened={dialog === name} onClose={props.onClose} title={title}>
      <Stack>{fields}</Stack>
      <DialogError error={props.error} />
      <DialogButtons
        label={submit}
        onCancel={() => {
          // «Отмена» is a choice to drop it: the next time it opens empty.
          filled.current = null;
          props.onClose();
        }}
        onConfirm={() =>
          run(async () => {
            const done = await action.call();
            // Done: the next time it opens, it opens empty.
            filled.current = null;
            return done;
          }, action.done)
        }
        loading={props.busy}
        disabled={action.disabled}
        mt="md"
      />
    </Modal>
  );
  const reasonGiven = reason.trim().length >= 3;
  return (
    <>
      <EscalateModal
        error={props.error}
        opened={dialog === 'escalate'}
        onClose={props.onClose}
        knowledgeGap
        card={card}
        initial={props.escalateTo}
        onSubmit={(organisationIds, options) =>
          run(
            () => call('escalate', { params: { id }, body: { organisationIds, ...options } }),
            'Обращение передано на 2-ю линию',
          )
        }
      />
      {actionModal(
        'return',
        'Вернуть на 1-ю линию',
        'Вернуть',
        {
          call: () => call('returnMisrouted', { params: { id }, body: { reason } }),
          done: 'Обращение возвращено на 1-ю линию',
          disabled: !reasonGiven,
        },
        <ReasonInput
          value={reason}
          onChange={setReason}
          description="Почему вопрос не в компетенции вашей организации"
          minRows={3}
        />,
      )}
      {actionModal(
        'fast-track',
        'Ускоренное рассмотрение',
        'Ускорить',
        {
          call: () => call('fastTrack', { params: { id }, body: { reason } }),
          done: 'Назначено ускоренное рассмотрение',
          disabled: !reasonGiven,
        },
        <>
          <Text size="sm" data-testid="fast-track-note">
            Срок ответа станет сроком ускоренного рассмотрения, считая от регистрации, если он ещё не прошёл
            (у обращения на повторном рассмотрении срок остаётся прежним); обращение попадёт в очередь
            «Ускоренные».
          </Text>
          <ReasonInput
            value={reason}
            onChange={setReason}
            description="Почему вопрос не терпит: угроза жизни, здоровью, имуществу, авария"
            minRows={2}
          />
        </>,
      )}
      {actionModal(
        'redirect',
        redirectDialogText(card).title,
        'Направить',
        {
          call: () => call('redirect', { params: { id }, body: { body, reason } }),
          done: 'Обращение направлено по компетенции',
          disabled: body.trim().length < 3 || !reasonGiven,
        },
        <>
          <TextInput label="Орган, в компетенцию которого входит вопрос" {...textOf(body, setBody)} />
          <ReasonInput value={reason} onChange={setReason} />
          <Text size="xs" c="dimmed" data-testid="redirect-note">
            {redirectDialogText(card).note}
          </Text>
        </>,
      )}
      {actionModal(
        'extend',
        'Продлить срок',
        'Продлить',
        {
          call: async () => {
            await call('extend', {
              params: { id },
              body:
                kind === 'appeal'
                  ? { kind, days: Number(days), reason }
                  : { kind, until: instantIn(until, card.timeZone).toISOString(), reason },
            });
            // The notice says the term the server set: the card as it is now.
            return call('appeal', { params: { id } });
          },
          done: (extended) => extendedNotice(extended as AppealCard, kind, me.organisationId),
          disabled:
            !reasonGiven ||
            (kind === 'line2' && !until) ||
            (kind === 'appeal' && (!!extensionRefused || extensionMovesNothing)),
        },
        <>
          {kinds.length > 1 ? (
            <SegmentedControl
              value={kind}
              onChange={(v) => setKind(v as 'appeal' | 'line2')}
              data={kinds.map((k) => ({ value: k, label: EXTENSION_KIND[k] }))}
            />
          ) : (
            <Text size="sm" fw={500} data-testid="extension-kind">
              {EXTENSION_KIND[kind]}
            </Text>
          )}
          {card.regime !== 'appeal' && (
            <Text size="xs" c="dimmed">
              Это сообщение, а не обращение по 59-ФЗ: срок по 59-ФЗ к нему не применяется.
            </Text>
          )}
          {kind === 'appeal' && extensionRefused ? (
            <Text size="sm" role="status" aria-live="polite" data-testid="extension-preview">
              {extensionRefused}.
            </Text>
          ) : kind === 'appeal' ? (
            <>
              <NumberInput
                label="На сколько дней (не более 30, один раз)"
                min={1}
                max={30}
                value={days}
                onChange={setDays}
              />
              <ExtendedTerm card={card} days={days} preview={extension} />
            </>
          ) : (
            <DateField
              withTime
              label="Новый срок (не позднее 5 рабочих дней с поступления)"
              description={
                line2Limit
                  ? `Не позднее ${formatDateTime(line2Part?.extensionLimitAt, card.timeZone)} · время: ${zoneLabel(card.timeZone)}`
                  : `Время: ${zoneLabel(card.timeZone)}`
              }
              value={until}
              onChange={setUntil}
              minDate={line2Part?.dueAt ? localIn(line2Part.dueAt, card.timeZone).slice(0, 10) : undefined}
              maxDate={line2Limit.slice(0, 10) || undefined}
            />
          )}
          <ReasonInput value={reason} onChange={setReason} />
        </>,
      )}
      {actionModal(
        'close-withdrawn',
        'Закрыть отозванное обращение',
        'Закрыть обращение',
        {
          call: () => call('close', { params: { id }, body: { reason: reason.trim() } }),
          done: 'Рассмотрение завершено: обращение отозвано',
          disabled: !reasonGiven,
        },
        <>
          <ReasonInput
            value={reason}
            onChange={setReason}
            label="Причина закрытия"
            description="Останется в истории обращения"
          />
          <Text size="xs" c="dimmed">
            Текст обращения и история сохраняются. Заявителю ответ не направляется.
          </Text>
        </>,
      )}
      {actionModal(
        'rate',
        'Оценка ответа заявителем',
        'Сохранить оценку',
        {
          call: () =>
            call('rate', {
              params: { id },
              body: {
                answered: answered === 'yes',
                satisfaction,
                ...(reason.trim() ? { comment: reason.trim() } : {}),
              },
            }),
          done: 'Оценка сохранена',
        },
        <>
          <Radio.Group label="Получен ли ответ на вопрос" value={answered} onChange={setAnswered}>
            <Group mt={4}>
              <Radio value="yes" label="Да" />
              <Radio value="no" label="Нет" />
            </Group>
          </Radio.Group>
          <Radio.Group
            label="Удовлетворённость"
            value={satisfaction}
            onChange={(v) => setSatisfaction(v as Satisfaction)}
          >
            <Stack gap={4} mt={4}>
              <Radio value="satisfied" label="Удовлетворён" />
              <Radio value="partially" label="Частично удовлетворён" />
              <Radio value="not-satisfied" label="Не удовлетворён" />
            </Stack>
          </Radio.Group>
          <ReasonInput
            value={reason}
            onChange={setReason}
            optional
            label="Комментарий заявителя"
            description="Необязательно. При низкой оценке — причина, которую прочтёт вышестоящая организация"
          />
        </>,
      )}
    </>
  );
}

/**
 * The answer term the extension would give, asked of the api (the production calendar's holidays and the
 * last-day rule are the server's), in the organisation's zone, before anyone confirms it.
 */
/** What a 59-ФЗ extension by `days` would give, and whether this user may grant it; asked while the dialog is open. */
function useExtensionPreview(card: AppealCard, days: number | string, open: boolean) {
  const n = Number(days);
  const valid = Number.isInteger(n) && n >= 1 && n <= 30;
  return useQuery({
    queryKey: ['appeal', card.id, 'extension', valid ? n : 30],
    queryFn: () => call('extensionPreview', { params: { id: card.id }, query: { days: valid ? n : 30 } }),
    enabled: open && !card.deadlines.extended,
    staleTime: 60_000,
    retry: false,
  });
}

function ExtendedTerm({
  card,
  days,
  preview,
}: {
  card: AppealCard;
  days: number | string;
  preview: ReturnType<typeof useExtensionPreview>;
}) {
  const n = Number(days);
  const valid = Number.isInteger(n) && n >= 1 && n <= 30;
  let text: string;
  if (card.deadlines.extended) text = 'Срок уже продлевался: 59-ФЗ допускает одно продление.';
  else if (!valid) text = 'Укажите число дней от 1 до 30.';
  else if (preview.data)
    text = `Новый срок ответа: ${formatLocalDate(preview.data.answerDueDate)}, до ${formatDateTime(
      preview.data.answerDueAt,
      card.timeZone,
    )} (${zoneLabel(card.timeZone)}). Сейчас: ${formatLocalDate(card.deadlines.answerDueDate)}.${
      preview.data.answerDueDate === card.deadlines.answerDueDate
        ? ' Срок не сдвинется: последний день продления приходится на нерабочие дни. Укажите больше дней.'
        : ''
    }`;
  else if (preview.isError)
    text = 'Новый срок не удалось рассчитать: он будет указан в истории после продления.';
  else text = 'Рассчитываем новый срок…';
  return (
    <Text size="sm" role="status" aria-live="polite" data-testid="extension-preview">
      {text}
    </Text>
  );
}

/**
 * Why the action is taken, in a few lines: required (marked so) unless `optional` — the action's button stays
 * grey until it is given, and an unmarked field left the clerk to guess why.
 */
/** A reason or comment for a card action: required (marked) unless `optional`. */
export function ReasonInput(props: {
  value: string;
  onChange: (reason: string) => void;
  label?: string;
  description?: string;
  minRows?: number;
  maxLength?: number;
  optional?: boolean;
}) {
  return (
    <Textarea
      withAsterisk={!props.optional}
      label={props.label ?? 'Причина'}
      description={props.description}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      autosize
      minRows={props.minRows ?? 2}
      maxLength={props.maxLength}
    />
  );
}

/** A refusal inside the dialog, read out by screen readers. */
export function DialogError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" mt="md" role="alert" data-testid="dialog-error">
      {error}
    </Alert>
  );
}
