import { Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call } from '../../api/client';
import { type AppealCard } from '../../api/types';
import { DialogButtons } from '../../components/forms';
import { formatDateTime } from '../../lib/time';
import { DialogError, ReasonInput } from './ActionDialogs';

interface DialogProps {
  opened: boolean;
  card: AppealCard;
  busy: boolean;
  error: string | null;
  onClose: () => void;
  run: (fn: () => Promise<unknown>, done: string) => void;
}

/**
 * «Исключить из инцидента»: the automatic grouping put this appeal with others about another problem. With a reason
 * (in both histories), it leaves the incident and is answered on its own; the incident's draft for it is discarded.
 */
export function ExcludeFromIncidentDialog(props: DialogProps & { incidentNumber: number | null }) {
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (props.opened) setReason('');
  }, [props.opened]);
  const number = props.incidentNumber ?? '';
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={`Исключить из инцидента № ${number}`}>
      <Stack>
        <Text size="sm">
          Обращение будет рассматриваться отдельно: ответ по инциденту ему не придёт, подготовленный для него
          проект ответа инцидента будет отменён. Автоматическая группировка больше не добавит его в этот
          инцидент.
        </Text>
        <ReasonInput
          description="Обязательно; останется в истории обращения и инцидента"
          maxLength={1000}
          value={reason}
          onChange={setReason}
        />
      </Stack>
      <DialogError error={props.error} />
      <DialogButtons
        label="Исключить"
        onCancel={props.onClose}
        disabled={!reason.trim()}
        loading={props.busy}
        mt="md"
        onConfirm={() =>
          props.run(
            () =>
              call('excludeFromIncident', {
                params: { id: props.card.id },
                body: { reason: reason.trim() },
              }),
            `Исключено из инцидента № ${number}: обращение рассматривается отдельно`,
          )
        }
      />
    </Modal>
  );
}

/**
 * «Добавить к инциденту»: an appeal the grouping missed joins an open incident. The dialog offers the incidents of
 * similar appeals first; one may be found by its number or by the number of an appeal in it.
 */
export function AddToIncidentDialog(props: DialogProps) {
  const { card } = props;
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const q = search.trim();
  const candidates = useQuery({
    queryKey: ['incident-candidates', card.id, q],
    queryFn: () => call('incidentCandidates', { params: { id: card.id }, query: q ? { q } : {} }),
    enabled: props.opened,
  });
  useEffect(() => {
    if (props.opened) {
      setSearch('');
      setChosen(null);
    }
  }, [props.opened]);
  const offered = candidates.data ?? [];
  const picked = offered.find((c) => c.id === chosen);
  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Добавить к инциденту" size="lg">
      <Stack>
        <Text size="sm">
          Обращение войдёт в инцидент и получит общий ответ. Если проект ответа инцидента уже ждёт
          согласования, он будет подготовлен и для этого обращения; ответ, уже отправленный по инциденту,
          повторно не отправляется — для обращения готовится новый проект.
        </Text>
        <TextInput
          label="Поиск"
          description="Номер инцидента (например 12) или номер входящего в него обращения"
          placeholder="12 или 2026-000123"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        {candidates.isSuccess && offered.length === 0 && (
          <Text size="sm" c="dimmed" data-testid="incident-candidates-empty">
            {q ? 'Открытый инцидент не найден' : 'Открытых инцидентов похожих обращений нет'}
          </Text>
        )}
        {offered.length > 0 && (
          <Radio.Group
            label={q ? 'Найдено' : 'Открытые инциденты, сначала — похожих обращений'}
            value={chosen}
            onChange={setChosen}
          >
            <Stack gap={6} mt={4}>
              {offered.map((c) => (
                <div key={c.id} data-testid="incident-candidate">
                  <Radio
                    value={c.id}
                    label={`Инцидент № ${c.number} · ${c.appealsCount} обращ. · последнее ${formatDateTime(c.lastAt, card.timeZone)}${c.similar ? ' · похожие обращения' : ''}`}
                    description={c.title}
                  />
                </div>
              ))}
            </Stack>
          </Radio.Group>
        )}
      </Stack>
      <DialogError error={props.error} />
      <DialogButtons
        label="Добавить"
        onCancel={props.onClose}
        disabled={!picked}
        loading={props.busy}
        mt="md"
        onConfirm={() =>
          picked &&
          props.run(
            () => call('addToIncident', { params: { id: card.id }, body: { incidentId: picked.id } }),
            `Добавлено к инциденту № ${picked.number}`,
          )
        }
      />
    </Modal>
  );
}
