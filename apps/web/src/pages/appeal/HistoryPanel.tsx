import { Text, Timeline } from '@mantine/core';
import { type useNames } from '../../api/hooks';
import { type AppealCard, type HistoryEvent } from '../../api/types';
import { useMe } from '../../auth';
import {
  EVENT_COLOR,
  eventLabel,
  LEGAL_FLAG_LABEL,
  POS_STATUS_LABEL,
  SATISFACTION_LABEL,
  clockLabel,
  roleShort,
} from '../../lib/labels';
import { deliveryFailureText, feedActionFailureText, resumedDeliveryText } from '../../lib/delivery-errors';
import { formatDateTime, formatLocalDate } from '../../lib/time';

/**
 * What the event says beside its title; instants in the appeal's zone (`timeZone`), as the event's own time and
 * the card's terms are: a line-2 term extended to 16:00 in Novosibirsk read «до … 09:00» in a browser on UTC.
 */
function eventDetails(e: HistoryEvent, names: ReturnType<typeof useNames>, timeZone: string): string | null {
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
    case 'fast-tracked':
      // By a rule of the region (the classification pass) or by a person, with their reason.
      return (
        [
          typeof d.answerDueDate === 'string'
            ? `Срок ответа ${d.termKept ? 'остался прежним:' : '—'} ${formatLocalDate(d.answerDueDate)}`
            : null,
          typeof d.ruleName === 'string' ? `по правилу «${d.ruleName}»` : null,
          typeof d.reason === 'string' && d.reason ? `причина: ${d.reason}` : null,
        ]
          .filter(Boolean)
          .join(' · ') || null
      );
    case 'line2-extended':
      return `${names.organisation(d.organisationId as string)} до ${formatDateTime(d.until as string, timeZone)}: ${String(d.reason ?? '')}`;
    case 'rated':
      return [
        d.answered === false ? 'ответа на вопрос нет' : d.answered === true ? 'ответ получен' : null,
        d.satisfaction ? SATISFACTION_LABEL[d.satisfaction as string] : null,
        d.poor ? 'низкая оценка' : null,
        citizenWords(d) ? `комментарий заявителя: ${citizenWords(d)}` : null,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'reopened':
      // A poor rating's reason, in the citizen's words: what the superior organisation reviews the answer for.
      return `Повторно в: ${names.organisation(d.toOrganisationId as string)}, новый срок ${formatLocalDate(d.answerDueDate as string)}${citizenWords(d) ? ` · причина, указанная заявителем: ${citizenWords(d)}` : ''}`;
    case 'clock-at-risk':
    case 'clock-overdue':
      return `${clockLabel(d.clock as string)}, ${names.organisation(d.organisationId as string)}, срок ${formatDateTime(d.dueAt as string, timeZone)}`;
    case 'answered':
      // Held for one combined answer: the part is answered, the citizen gets it with the others' answers.
      return d.heldForCombinedAnswer
        ? `От: ${names.organisation(d.organisationId as string)} · заявитель получит его в общем ответе, когда ответят все`
        : `От: ${names.organisation(d.organisationId as string)}`;
    case 'follow-up-received':
      // The citizen's edit of a message they had sent (Telegram, VK): the corrected wording as it came. An appeal
      // joined into this one: what it said, under its number.
      if (isJoinedFollowUp(d) && typeof d.text === 'string')
        return `Из обращения № ${String(d.joinedFrom.registrationNumber ?? '')}: ${d.text}`;
      return isCorrection(e) && typeof d.text === 'string' ? `Исправленный текст: ${d.text}` : null;
    case 'joined':
      return joinedText(d);
    case 'incident-excluded':
      return `Исключено из инцидента № ${String(d.incidentNumber ?? '')}: ${String(d.reason ?? '')}`;
    case 'incident-added':
      return `Добавлено к инциденту № ${String(d.incidentNumber ?? '')}`;
    case 'registered':
      return d.registrationNumber ? `№ ${String(d.registrationNumber)}` : null;
    case 'delivered':
      // A send in several resumed after a failure; an answer's files to a channel that carries none (OK) went as a
      // personal link under its text.
      return (
        [resumedDeliveryText(d.resumed), filesAsLinkText(d.filesAsLink, timeZone)]
          .filter(Boolean)
          .join(' · ') || null
      );
    case 'delivery-failed':
      // Why, in Russian words a clerk acts on (it read `error`, which the event never had: only the title showed);
      // the channel's own words stay in the log and on «Недоставленные».
      return deliveryFailureText(d);
    case 'feed-action-failed':
      // What was not passed to ПОС or МЭДО, and why, in Russian; the remote side's words beneath (eventLiteral).
      return feedActionFailureText(d).reason;
    case 'legal-flag-raised':
    case 'legal-flag-confirmed':
    case 'legal-flag-dismissed':
      return typeof d.flag === 'string' ? (LEGAL_FLAG_LABEL[d.flag] ?? null) : null;
    case 'pos-status':
    case 'pos-history':
      return posDetails(d, timeZone);
    case 'closed':
      return typeof d.reason === 'string' && d.reason ? `Причина: ${d.reason}` : null;
    case 'withdrawn':
      return d.by === 'channel'
        ? `Отклонено модератором канала${typeof d.reason === 'string' && d.reason ? `: ${d.reason}` : ''}`
        : 'Заявитель удалил своё сообщение';
    case 'dialogue-closed':
      return 'Ответ и уведомления отправьте иначе: по телефону, электронной или обычной почте';
    case 'auto-classified':
      return d.topicId ? `Тема: ${names.topic(d.topicId as string)}` : null;
    default:
      return null;
  }
}

/** «Объединено с № …», on the appeal that was joined and on the one it joined, with the comment when one was given. */
function joinedText(d: Record<string, unknown>): string {
  const why = typeof d.reason === 'string' && d.reason ? ` · ${d.reason}` : '';
  if (typeof d.intoRegistrationNumber === 'string')
    return `Объединено с № ${d.intoRegistrationNumber}: ответ будет дан под этим номером${why}`;
  return `Объединено с № ${String(d.fromRegistrationNumber ?? '')}: повторное обращение, его текст и файлы добавлены к этому${why}`;
}

function isJoinedFollowUp(
  d: Record<string, unknown>,
): d is Record<string, unknown> & { joinedFrom: Record<string, unknown> } {
  return typeof d.joinedFrom === 'object' && d.joinedFrom !== null;
}

/** «Файлы («Акт.pdf») отправлены личной ссылкой, она действует до …» for a `delivered` event that says so. */
function filesAsLinkText(v: unknown, timeZone: string): string | null {
  const link = (v ?? {}) as { files?: unknown; until?: unknown };
  if (!Array.isArray(link.files) || link.files.length === 0) return null;
  const names = link.files.map((f) => `«${String(f)}»`).join(', ');
  const until =
    typeof link.until === 'string' ? `, она действует до ${formatDateTime(link.until, timeZone)}` : '';
  return `Файлы (${names}) отправлены личной ссылкой на их скачивание${until}`;
}

/** An event's words that are not ours (what a remote system answered), shown beneath as they were: marked literal. */
function eventLiteral(e: HistoryEvent): string | undefined {
  return e.type === 'feed-action-failed' ? feedActionFailureText(e.data ?? {}).detail : undefined;
}

/** What ПОС recorded: its status in words, when and by whom there, the answer's text, factId and warnings. */
function posDetails(d: Record<string, unknown>, timeZone: string): string | null {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const status = str(d.statusText) ?? (str(d.status) ? (POS_STATUS_LABEL[d.status as string] ?? null) : null);
  const answer = (d.answer ?? {}) as Record<string, unknown>;
  const warnings = Array.isArray(d.warnings) ? d.warnings.filter((w) => typeof w === 'string') : [];
  const parts = [
    status,
    str(d.at) ? `в ПОС ${formatDateTime(d.at as string, timeZone)}` : null,
    str(d.by),
    str(answer.comment) ? `ответ: ${answer.comment as string}` : null,
    str(answer.rejectReason) ? `причина отказа: ${answer.rejectReason as string}` : null,
    str(d.factId) ? `факт № ${d.factId as string}` : null,
    warnings.length ? `предупреждения: ${warnings.join('; ')}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : null;
}

/** The citizen's own words an event carries (a rating's comment), as the history keeps them. */
function citizenWords(d: Record<string, unknown>): string | null {
  return typeof d.text === 'string' && d.text.trim() !== '' ? d.text : null;
}

/** A follow-up that is the citizen's correction of an earlier message (it names the message it corrects). */
function isCorrection(e: HistoryEvent): boolean {
  return e.type === 'follow-up-received' && !!e.data?.correctionOf;
}

/** Who acted: «Иванова Елена Андреевна, оператор 1-й линии (вы)», or the system. */
function actorText(e: HistoryEvent, myId: string): string {
  if (!e.actorName) return e.actor === 'system' || !e.actor ? 'система' : 'сотрудник';
  const role = e.actorRole ? `, ${roleShort(e.actorRole)}` : '';
  return `${e.actorName}${role}${e.actor === myId ? ' (вы)' : ''}`;
}

/** The appeal's history, newest first. */
export function HistoryPanel({ card, names }: { card: AppealCard; names: ReturnType<typeof useNames> }) {
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
              {isCorrection(e) ? 'Исправление сообщения' : eventLabel(e.type)}
            </Text>
          }
          data-testid="history-item"
          data-type={e.type}
          data-correction={isCorrection(e) || undefined}
        >
          {eventDetails(e, names, card.timeZone) && (
            <Text size="xs" c="dark.3">
              {eventDetails(e, names, card.timeZone)}
            </Text>
          )}
          {eventLiteral(e) && (
            <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }} data-literal>
              {eventLiteral(e)}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {formatDateTime(e.occurredAt, card.timeZone)} · {actorText(e, me.id)}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
