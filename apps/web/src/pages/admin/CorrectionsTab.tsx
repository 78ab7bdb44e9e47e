import {
  Anchor,
  Badge,
  Button,
  Group,
  Pagination,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { call } from '../../api/client';
import { useNames, useOrganisationZone } from '../../api/hooks';
import { type Correction } from '../../api/types';
import { DateField } from '../../components/DateField';
import { textOf } from '../../components/forms';
import { ListTable, QueryStatus } from '../../components/tables';
import { plural, labelOf } from '../../lib/labels';
import { formatInZone, startOfDayIn } from '../../lib/time';

const PAGE = 25;

const KINDS = [
  { value: 'all', label: 'Все' },
  { value: 'topic', label: 'Тема' },
  { value: 'routing', label: 'Маршрут' },
];

/** Who had chosen what a clerk corrected. */
const BY: Record<string, string> = {
  'auto-classified': 'выбрал классификатор',
  'classification-queued': 'классификатор не решил',
  classified: 'выбрал сотрудник',
};

/** Why the classifier left the appeal to a person. */
const QUEUED_REASON: Record<string, string> = {
  'no-model': 'модели ещё нет',
  'low-confidence': 'низкая уверенность',
  'out-of-domain': 'текст не похож на обращения',
  'unknown-topic': 'тема не найдена',
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const ids = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

type Names = ReturnType<typeof useNames>;

function topicText(side: Record<string, unknown>, names: Names): string {
  const topic = str(side.topicId);
  const subtopic = str(side.subtopicId);
  if (!topic) return 'тема не выбрана';
  return subtopic ? `${names.topic(topic)} → ${names.topic(subtopic)}` : names.topic(topic);
}

function organisationsText(list: string[], names: Names): string {
  return list.length ? list.map((id) => names.organisation(id)).join(', ') : '—';
}

/** One side of a correction in words: what stood, and who or what had put it there. */
interface Side {
  main: string;
  note: string | null;
}

/** What stood before the correction, in words. */
function beforeText(c: Correction, names: Names): Side {
  if (c.kind === 'topic') {
    const by = str(c.before.by);
    const confidence = typeof c.before.confidence === 'number' ? c.before.confidence : null;
    const reason = str(c.before.reason);
    const notes = [
      by ? labelOf(BY, by, 'выбор записан') : null,
      confidence !== null ? `уверенность ${Math.round(confidence * 100)} %` : null,
      reason ? labelOf(QUEUED_REASON, reason, 'иная причина') : null,
    ].filter(Boolean);
    return { main: topicText(c.before, names), note: notes.length ? notes.join(', ') : null };
  }
  const suggested = ids(c.before.organisationIds);
  const single = str(c.before.organisationId);
  return {
    main: organisationsText(suggested.length ? suggested : single ? [single] : [], names),
    note: suggested.length ? 'предложил подбор маршрута' : 'было направлено',
  };
}

/** One side of a correction in its cell: what stood, and below it, dimmed, who or what had put it there. */
function SideCell({ side }: { side: Side }) {
  return (
    <Table.Td>
      <div>{side.main}</div>
      {side.note && (
        <Text size="xs" c="dimmed">
          {side.note}
        </Text>
      )}
    </Table.Td>
  );
}

/** What the clerk made of it, in words. */
function afterText(c: Correction, names: Names): Side {
  if (c.kind === 'topic') return { main: topicText(c.after, names), note: null };
  if (str(c.after.reason) === 'returned')
    return { main: 'Возвращено как направленное не по адресу', note: null };
  return { main: organisationsText(ids(c.after.organisationIds), names), note: 'передано сотрудником' };
}

/**
 * Clerks' corrections of the classifier (issue 17): topics and routes a person changed after the model, the
 * queue or a colleague, newest first, a page at a time, by kind, appeal number and period; each row opens
 * its appeal. The next retraining counts these twice.
 */
export function CorrectionsTab() {
  const names = useNames();
  const zone = useOrganisationZone();
  const [kind, setKind] = useState('all');
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [applied, setApplied] = useState<{ number: string; from: string; to: string }>({
    number: '',
    from: '',
    to: '',
  });
  const [page, setPage] = useState(1);
  const query = {
    kind: kind === 'all' ? undefined : kind,
    number: applied.number.trim() || undefined,
    from: applied.from ? startOfDayIn(applied.from, zone).toISOString() : undefined,
    to: applied.to
      ? new Date(startOfDayIn(applied.to, zone).getTime() + 86_400_000).toISOString()
      : undefined,
    limit: PAGE,
    offset: (page - 1) * PAGE,
  };
  const corrections = useQuery({
    queryKey: ['classification-corrections', query],
    queryFn: () => call('classificationCorrections', { query }),
    placeholderData: keepPreviousData,
  });
  const data = corrections.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  const apply = () => {
    setApplied({ number, from, to });
    setPage(1);
  };

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" maw={760}>
        Где сотрудники исправили тему, выбранную классификатором (или коллегой), и куда на самом деле передали
        обращение. При следующем переобучении эти исправления учитываются вдвойне.
      </Text>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
        aria-label="Отбор исправлений"
      >
        <Group align="flex-end" gap="sm" wrap="wrap">
          <SegmentedControl
            value={kind}
            onChange={(v) => {
              setKind(v);
              setPage(1);
            }}
            data={KINDS}
            aria-label="Что исправлено"
          />
          <TextInput label="Рег. номер" placeholder="2026-000123" {...textOf(number, setNumber)} w={160} />
          <DateField label="С даты" value={from} onChange={setFrom} w={160} />
          <DateField label="По дату" value={to} onChange={setTo} w={160} />
          <Button type="submit" variant="default" disabled={Boolean(from && to && from > to)}>
            Показать
          </Button>
        </Group>
      </form>
      <QueryStatus query={corrections} label="Загрузка исправлений" size="sm" />
      {data && (
        <Text size="sm" role="status" data-testid="corrections-total">
          {data.total === 0
            ? 'Исправлений нет'
            : `${data.total.toLocaleString('ru-RU')} ${plural(data.total, 'исправление', 'исправления', 'исправлений')}`}
        </Text>
      )}
      {data && (
        <ListTable
          label="Исправления классификатора"
          columns={['Когда', 'Обращение', 'Что исправлено', 'Было', 'Стало', 'Кто исправил']}
          minWidth={900}
          empty={data.items.length === 0 && 'По этому отбору исправлений нет'}
        >
          {data.items.map((c) => {
            const before = beforeText(c, names);
            const after = afterText(c, names);
            return (
              <Table.Tr
                key={c.id}
                data-testid="correction-row"
                data-kind={c.kind}
                data-number={c.registrationNumber}
              >
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatInZone(c.createdAt, zone)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Anchor component={Link} to={`/appeals/${c.appealId}`} size="sm">
                    № {c.registrationNumber}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={c.kind === 'topic' ? 'blue' : 'grape'}
                    variant="light"
                    style={{ textTransform: 'none' }}
                  >
                    {c.kind === 'topic' ? 'Тема' : 'Маршрут'}
                  </Badge>
                </Table.Td>
                <SideCell side={before} />
                <SideCell side={after} />
                <Table.Td>{c.actorName ?? (c.actor === 'system' ? 'система' : 'сотрудник')}</Table.Td>
              </Table.Tr>
            );
          })}
        </ListTable>
      )}
      {data && pages > 1 && (
        <Pagination
          total={pages}
          value={page}
          onChange={setPage}
          size="sm"
          aria-label="Страницы исправлений"
          getControlProps={(control) => ({
            'aria-label': control === 'previous' ? 'Предыдущая страница' : 'Следующая страница',
          })}
          getItemProps={(p) => ({ 'aria-label': `Страница ${p}` })}
        />
      )}
    </Stack>
  );
}
