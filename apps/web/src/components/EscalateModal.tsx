import { Alert, Checkbox, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useNames } from '../api/hooks';
import { DialogButtons, OrganisationsSelect } from './forms';

/** Escalation to one or several line-2 organisations: for one appeal or a selection. */
export function EscalateModal(props: {
  opened: boolean;
  onClose: () => void;
  count?: number;
  initial?: string[];
  /** Offer the "no answer in the knowledge base" mark (S1 п. 10): the organisation gets a KB request. */
  knowledgeGap?: boolean;
  onSubmit: (organisationIds: string[], options: { noKnowledgeBaseAnswer: boolean }) => Promise<void>;
  /** A refusal of the last attempt, shown here where the user is looking. */
  error?: string | null;
}) {
  const names = useNames();
  const [orgIds, setOrgIds] = useState<string[]>(props.initial ?? []);
  const [noAnswer, setNoAnswer] = useState(false);
  useEffect(() => {
    if (props.opened) {
      setOrgIds(props.initial ?? []);
      setNoAnswer(false);
    }
  }, [props.opened, props.initial]);
  const targets = names.organisations.filter((o) => o.kind !== 'management-centre');
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
        <Text size="xs" c="dimmed">
          Для передачи в карточке должны быть тема, суть вопроса, имя, отчество и телефон заявителя
          (соглашение, прил. 1).
        </Text>
        {props.error && (
          <Alert color="red" variant="light" role="alert" data-testid="dialog-error">
            {props.error}
          </Alert>
        )}
        <DialogButtons
          label="Передать"
          onCancel={props.onClose}
          onConfirm={() => props.onSubmit(orgIds, { noKnowledgeBaseAnswer: noAnswer })}
          disabled={orgIds.length === 0}
        />
      </Stack>
    </Modal>
  );
}
