import { Paper, Stack, Text } from '@mantine/core';
import { type AppealCard } from '../../api/types';
import { channelLabel, phoneLabel } from '../../lib/labels';
import { Field } from './Section';

/** Who wrote: personal data for those who work the appeal; administrators get none (the API sends null). */
export function ApplicantPanel({ card }: { card: AppealCard }) {
  // The server withholds the applicant (null) from those who must not see personal data: show that, never crash.
  const p = card.applicant;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Заявитель">
      <Text fw={600} mb="xs">
        Заявитель
      </Text>
      {p ? (
        <Stack gap={4}>
          <Text size="sm" fw={500} data-testid="applicant-name" data-citizen-data>
            {[p.surname, p.firstName, p.patronymic].filter(Boolean).join(' ') || p.displayName || '—'}
          </Text>
          {p.phone && <Field label="Телефон" value={phoneLabel(p.phone)} unbroken />}
          {p.email && <Field label="Эл. почта" value={p.email} email />}
          {p.postalAddress && <Field label="Почтовый адрес" value={p.postalAddress} />}
          {p.snils && <Field label="СНИЛС" value={p.snils} unbroken />}
          <Field label="Канал" value={channelLabel(card.channel)} />
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
