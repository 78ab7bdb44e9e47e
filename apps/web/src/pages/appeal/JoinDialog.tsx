import { Alert, Checkbox, Modal, Paper, Radio, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call } from '../../api/client';
import { type AppealCard, type JoinApplicant } from '../../api/types';
import { DialogButtons } from '../../components/forms';
import { channelLabel, STATUS_LABEL } from '../../lib/labels';
import { formatDateTime } from '../../lib/time';
import { OPEN } from './appeal-state';
import { DialogError, ReasonInput } from './ActionDialogs';

/**
 * «Объединить с обращением»: the same citizen sent the same appeal twice; this (the later) one joins the earlier.
 * The dialog offers first the appeal the «repeated» flag names, then the applicant's earlier appeals in work; any
 * other number may be typed. One the api would refuse (no longer in work, joined itself, later) is shown with why,
 * not offered. Before the click the two applicants stand side by side; when nothing ties them (no common phone,
 * e-mail, chat or surname: a mistyped number), the dialog says what differs and joins only once the clerk confirms.
 */
export function JoinDialog(props: {
  opened: boolean;
  card: AppealCard;
  /** The number to start with (the flag's earlier appeal), when the dialog was opened from the flag. */
  initialNumber?: string;
  busy: boolean;
  error: string | null;
  onClose: () => void;
  run: (fn: () => Promise<unknown>, done: string) => void;
}) {
  const { card } = props;
  const [number, setNumber] = useState('');
  const [reason, setReason] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const candidates = useQuery({
    queryKey: ['join-candidates', card.id],
    queryFn: () => call('joinCandidates', { params: { id: card.id } }),
    enabled: props.opened,
  });
  const offered = (candidates.data ?? []).filter((c) => !c.refusal);
  useEffect(() => {
    if (props.opened) {
      setReason('');
      setConfirmed(false);
      setNumber(props.initialNumber ?? '');
    }
  }, [props.opened, props.initialNumber]);
  const refused = (candidates.data ?? []).filter((c) => c.refusal);
  // Nothing chosen yet, or the flag's appeal that is no longer in work: the first appeal offered.
  useEffect(() => {
    if (!props.opened || !candidates.data) return;
    const closed = refused.some((c) => c.registrationNumber === number.trim());
    if ((!number || closed) && offered.length > 0) setNumber(offered[0].registrationNumber);
  }, [props.opened, candidates.data]);
  const into = number.trim().replace(/^№\s*/u, '');
  const wellFormed = /^\d{4}-\d{6,}$/.test(into);
  const preview = useQuery({
    queryKey: ['join-preview', card.id, into],
    queryFn: () => call('joinPreview', { params: { id: card.id }, query: { intoNumber: into } }),
    enabled: props.opened && wellFormed,
    retry: false,
  });
  const seen = wellFormed ? preview.data : undefined;
  const different = !!seen?.into && seen.differentApplicant;
  useEffect(() => setConfirmed(false), [into]);
  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Объединить с более ранним обращением">
      <Stack>
        <Text size="sm">
          Если заявитель направил это же обращение повторно, объедините его с первым: текст и файлы этого
          обращения станут дополнением к первому, это обращение будет закрыто, а заявитель получит
          уведомление, что ответ придёт под номером первого.
        </Text>
        {offered.length > 0 && (
          <Radio.Group
            label="Обращения этого заявителя в работе"
            value={offered.some((c) => c.registrationNumber === into) ? into : null}
            onChange={setNumber}
          >
            <Stack gap={6} mt={4}>
              {offered.map((c) => (
                <div key={c.id} data-testid="join-candidate">
                  <Radio
                    value={c.registrationNumber}
                    label={`№ ${c.registrationNumber} от ${formatDateTime(c.registeredAt, card.timeZone)} · ${channelLabel(c.channel)}${c.flagged ? ' · похоже по признаку «Повторное обращение»' : ''}`}
                    description={c.subject ?? c.excerpt}
                  />
                </div>
              ))}
            </Stack>
          </Radio.Group>
        )}
        {refused.map((c) => (
          <Text key={c.id} size="xs" c="dimmed" data-testid="join-refused">
            {OPEN.includes(c.status) ? (
              <>
                № {c.registrationNumber}: {c.refusal}
              </>
            ) : (
              <>
                № {c.registrationNumber} ({STATUS_LABEL[c.status] ?? 'рассмотрено'}) уже не в работе: с ним
                объединить нельзя, на повторное обращение после ответа отвечают по существу или по ч. 5 ст. 11
                59-ФЗ.
              </>
            )}
          </Text>
        ))}
        <TextInput
          label="Номер обращения, с которым объединить"
          placeholder="2026-000123"
          value={number}
          onChange={(e) => setNumber(e.currentTarget.value)}
        />
        {seen && (
          <SimpleGrid cols={2} spacing="xs" data-testid="join-applicants">
            <ApplicantSide title="Это обращение" side={seen.applicant} />
            {seen.into ? (
              <ApplicantSide title={`№ ${seen.into.registrationNumber}`} side={seen.into} />
            ) : (
              <Text size="sm" c="dimmed">
                Обращение № {into} не найдено среди доступных вам
              </Text>
            )}
          </SimpleGrid>
        )}
        {different && seen && (
          <Alert color="orange" variant="light" data-testid="join-different-applicant">
            <Text size="sm">
              Похоже, это разные люди: {differsRu(seen.differs)}. Сверьте номер: объединение закроет это
              обращение, и ответ заявителю придёт по другому.
            </Text>
            <Checkbox
              mt="xs"
              label="Подтверждаю: это один и тот же заявитель"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.currentTarget.checked)}
            />
          </Alert>
        )}
        <ReasonInput
          optional
          label="Комментарий"
          description="Необязательно; останется в истории обоих обращений"
          maxLength={1000}
          value={reason}
          onChange={setReason}
        />
      </Stack>
      <DialogError error={props.error} />
      <DialogButtons
        label="Объединить"
        onCancel={props.onClose}
        disabled={into.length < 6 || (different && !confirmed)}
        loading={props.busy}
        mt="md"
        onConfirm={() =>
          props.run(
            () =>
              call('join', {
                params: { id: card.id },
                body: {
                  intoNumber: into,
                  ...(reason.trim() ? { reason: reason.trim() } : {}),
                  ...(different && confirmed ? { confirmDifferentApplicant: true } : {}),
                },
              }),
            `Объединено с № ${into}: ответ заявителю будет дан под этим номером`,
          )
        }
      />
    </Modal>
  );
}

/** One applicant of the join: names, messenger name, phone, e-mail and channel, as the card's applicant panel. */
function ApplicantSide(props: { title: string; side: JoinApplicant }) {
  const { side } = props;
  const name = [side.surname, side.firstName, side.patronymic].filter(Boolean).join(' ');
  return (
    <Paper withBorder p="xs" data-testid="join-applicant">
      <Text size="xs" c="dimmed">
        {props.title} · {channelLabel(side.channel)}
      </Text>
      <Text size="sm" fw={500}>
        {name || side.displayName || 'Имя не указано'}
      </Text>
      {name && side.displayName && <Text size="xs">в мессенджере: {side.displayName}</Text>}
      <Text size="xs">Телефон: {side.phone ?? 'не указан'}</Text>
      <Text size="xs">Эл. почта: {side.email ?? 'не указана'}</Text>
    </Paper>
  );
}

/** «не совпадают фамилия, телефон и эл. почта», as the api's refusal names them. */
function differsRu(differs: string[]): string {
  if (differs.length === 0) return 'у заявителей нет ни фамилии, ни контактов, по которым их сверить';
  const list =
    differs.length > 1 ? `${differs.slice(0, -1).join(', ')} и ${differs[differs.length - 1]}` : differs[0];
  return `${differs.length > 1 ? 'не совпадают' : 'не совпадает'} ${list}`;
}
