import { Alert, Checkbox, Modal, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useNames } from '../api/hooks';
import { type AppealCard } from '../api/types';
import { DialogButtons, OrganisationsSelect, textOf } from './forms';

/** What an escalation needs on the card and a message from a channel often lacks (соглашение, прил. 1). */
const REQUIRED = [
  ['subject', 'Суть вопроса'],
  ['firstName', 'Имя заявителя'],
  ['patronymic', 'Отчество заявителя'],
  ['phone', 'Телефон заявителя'],
] as const;
type Required = (typeof REQUIRED)[number][0];

export interface EscalateOptions {
  noKnowledgeBaseAnswer: boolean;
  /** What the card lacked, filled in the dialog: sent with the escalation, which records it on the card. */
  subject?: string;
  applicant?: { firstName?: string; patronymic?: string; phone?: string };
}

/**
 * The card's fields an escalation needs and it does not have, as the api says (escalationRequires): the screen
 * does not judge by the applicant it shows, which is null for those who do not see personal data.
 */
function missingOn(card: AppealCard | undefined): Required[] {
  if (!card) return [];
  return REQUIRED.map(([key]) => key).filter(
    (key) => (key === 'subject' ? 'subject' : `applicant.${key}`) in card.escalationRequires,
  );
}

const EMPTY: Record<Required, string> = { subject: '', firstName: '', patronymic: '', phone: '' };

/** Escalation to one or several line-2 organisations: for one appeal or a selection. */
export function EscalateModal(props: {
  opened: boolean;
  onClose: () => void;
  count?: number;
  initial?: string[];
  /** Offer the "no answer in the knowledge base" mark (S1 п. 10): the organisation gets a KB request. */
  knowledgeGap?: boolean;
  onSubmit: (organisationIds: string[], options: EscalateOptions) => Promise<void> | void;
  /** The one appeal escalated from its card: what it lacks for an escalation is asked here. */
  card?: AppealCard;
  /** A refusal of the last attempt, shown here where the user is looking. */
  error?: string | null;
}) {
  const names = useNames();
  const [orgIds, setOrgIds] = useState<string[]>(props.initial ?? []);
  const [noAnswer, setNoAnswer] = useState(false);
  const [filled, setFilled] = useState<Record<Required, string>>(EMPTY);
  const targets = names.organisations.filter((o) => o.kind !== 'management-centre');
  useEffect(() => {
    if (props.opened) {
      // Only organisations of line 2: a suggestion may name the management centre itself.
      const initial = props.initial ?? [];
      setOrgIds(targets.length ? initial.filter((id) => targets.some((o) => o.id === id)) : initial);
      setNoAnswer(false);
      setFilled(EMPTY);
    }
  }, [props.opened, props.initial]);
  const missing = missingOn(props.card);
  // The phone is a contact: only those the api allows to change contacts are asked for it (others get a 403).
  const mayAsk = (key: Required) => key !== 'phone' || props.card?.access.mayChangeContacts === true;
  const given = (key: Required) => (missing.includes(key) && filled[key].trim()) || undefined;
  const submit = () => {
    const applicant = {
      firstName: given('firstName'),
      patronymic: given('patronymic'),
      phone: given('phone'),
    };
    return props.onSubmit(orgIds, {
      noKnowledgeBaseAnswer: noAnswer,
      subject: given('subject'),
      applicant: Object.values(applicant).some(Boolean) ? applicant : undefined,
    });
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.count ? `Передать на 2-ю линию (${props.count})` : 'Передать на 2-ю линию'}
    >
      <Stack>
        <OrganisationsSelect
          label="Организации 2-й линии"
          description="Одна или несколько: каждая получит запрос со своим сроком ответа"
          searchable
          among={targets}
          value={orgIds}
          onChange={setOrgIds}
          maxDropdownHeight={280}
          comboboxProps={{ withinPortal: true }}
        />
        {props.knowledgeGap && (
          <Checkbox
            label="В базе знаний нет ответа — направить организации запрос на пополнение базы знаний"
            checked={noAnswer}
            onChange={(e) => setNoAnswer(e.currentTarget.checked)}
          />
        )}
        {missing.length > 0 ? (
          <section aria-label="Недостающие данные">
            <Text size="sm" mb={4}>
              Для передачи нужны (соглашение, прил. 1) — в карточке их нет, заполните:
            </Text>
            <SimpleGrid cols={2} spacing="xs">
              {REQUIRED.filter(([key]) => missing.includes(key) && mayAsk(key)).map(([key, label]) => (
                <TextInput
                  key={key}
                  label={label}
                  {...textOf(filled[key], (v) => setFilled((f) => ({ ...f, [key]: v })))}
                  autoComplete="off"
                />
              ))}
            </SimpleGrid>
            {missing.includes('phone') && !mayAsk('phone') && (
              <Text size="sm" c="dimmed" mt={4} data-testid="phone-not-yours">
                Телефон заявителя вносят 1-я линия и ведущая обращение организация.
              </Text>
            )}
          </section>
        ) : (
          <Text size="xs" c="dimmed">
            Для передачи в карточке должны быть тема, суть вопроса, имя, отчество и телефон заявителя
            (соглашение, прил. 1).
          </Text>
        )}
        {props.error && (
          <Alert color="red" variant="light" role="alert" data-testid="dialog-error">
            {props.error}
          </Alert>
        )}
        <DialogButtons
          label="Передать"
          onCancel={props.onClose}
          onConfirm={() => void submit()}
          disabled={orgIds.length === 0}
        />
      </Stack>
    </Modal>
  );
}
