import {
  Alert,
  Button,
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
import { useEffect, useState } from 'react';
import { call } from '../../api/client';
import { type AppealCard } from '../../api/types';
import { EscalateModal } from '../../components/EscalateModal';
import { type Dialog } from './appeal-state';

type Satisfaction = 'satisfied' | 'partially' | 'not-satisfied';

/** The card's dialogs: escalate, return, redirect, extend, rate. */
export function ActionDialogs(props: {
  dialog: Dialog;
  card: AppealCard;
  busy: boolean;
  /** The last action's refusal, shown inside the dialog that asked for it. */
  error: string | null;
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
  const [satisfaction, setSatisfaction] = useState<Satisfaction>('satisfied');
  useEffect(() => {
    setReason('');
    setBody('');
  }, [dialog]);
  const footer = (label: string, onClick: () => void, disabled = false) => (
    <>
      <DialogError error={props.error} />
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={props.onClose}>
          Отмена
        </Button>
        <Button onClick={onClick} loading={props.busy} disabled={disabled}>
          {label}
        </Button>
      </Group>
    </>
  );
  return (
    <>
      <EscalateModal
        error={props.error}
        opened={dialog === 'escalate'}
        onClose={props.onClose}
        knowledgeGap
        onSubmit={async (organisationIds, { noKnowledgeBaseAnswer }) =>
          run(
            () => call('escalate', { params: { id }, body: { organisationIds, noKnowledgeBaseAnswer } }),
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

/** A refusal inside the dialog, read out by screen readers. */
export function DialogError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" mt="md" role="alert" data-testid="dialog-error">
      {error}
    </Alert>
  );
}
