import {
  Button,
  Group,
  Modal,
  MultiSelect,
  type MantineColor,
  type MantineSpacing,
  type MultiSelectProps,
  Select,
  type SelectProps,
  Stack,
  Text,
} from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type ChangeEvent, type ReactNode, useState } from 'react';
import { call, errorText } from '../api/client';
import { useNames } from '../api/hooks';

/**
 * The state of a dialog editing one form: the form while it is open (null: closed), the last error, and the
 * save that closes it and calls `onSaved`; `modal` is what `FormModal` takes from it.
 */
export function useFormDialog<F, R>(
  save: (form: F) => Promise<R>,
  onSaved: (saved: R, form: F) => Promise<unknown> | void,
) {
  const [form, setForm] = useState<F | null>(null);
  const { mutation, error, setError } = useSaving(save, async (saved: R, f: F) => {
    setForm(null);
    setError(null);
    await onSaved(saved, f);
  });
  const modal = {
    opened: form !== null,
    onClose: () => setForm(null),
    onSubmit: () => form && mutation.mutate(form),
    error,
    saving: mutation.isPending,
  };
  return { form, setForm, error, setError, modal };
}

/** A mutation whose failure is kept as text (`error`) for the form or panel that started it. */
export function useSaving<V, R>(save: (v: V) => Promise<R>, onSaved: (saved: R, v: V) => unknown) {
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: save,
    onSuccess: onSaved,
    onError: (e) => setError(errorText(e)),
  });
  return { mutation, error, setError };
}

/**
 * The save of a dialog whose form lives in the dialog itself: what `FormModal` takes (submit, last error,
 * saving) and `onSaved` with what the server returned.
 */
export function useModalSave<R>(save: () => Promise<R>, onSaved: (saved: R) => unknown) {
  const { mutation, error } = useSaving<void, R>(save, onSaved);
  return { onSubmit: () => mutation.mutate(), error, saving: mutation.isPending };
}

type KeysOf<F, V> = { [K in keyof F]-?: F[K] extends V ? K : never }[keyof F];
type TextChange = ChangeEvent<HTMLInputElement | HTMLTextAreaElement>;

/** Props binding a text input or area to a string kept in state. */
export function textOf(value: string, set: (value: string) => void) {
  return { value, onChange: (e: TextChange) => set(e.currentTarget.value) };
}

/**
 * Props binding inputs to the fields of a form kept in state: `text('name')` for a text input or area,
 * `checked('active')` for a checkbox, `value('ids')` for inputs that hand over their value (selects, tags).
 */
export function fieldsOf<F extends object>(form: F, setForm: (form: F) => void) {
  const set = <K extends keyof F>(key: K, v: F[K]) => setForm({ ...form, [key]: v });
  return {
    text: (key: KeysOf<F, string>) => textOf(form[key] as string, (v) => set(key, v as F[typeof key])),
    checked: (key: KeysOf<F, boolean>) => ({
      checked: form[key] as boolean,
      onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.currentTarget.checked as F[typeof key]),
    }),
    value: <K extends keyof F>(key: K) => ({ value: form[key], onChange: (v: F[K]) => set(key, v) }),
  };
}

/** Why the last attempt failed, beside the form's buttons. */
export function FormError({ error }: { error: string | null }) {
  return error ? (
    <Text c="red.9" size="sm" role="alert">
      {error}
    </Text>
  ) : null;
}

/**
 * A dialog holding one form: the fields (rendered while it is open), the last error, «Отмена» and the submit
 * button named `submitLabel` (Enter submits too).
 */
export function FormModal({
  opened,
  title,
  size,
  onClose,
  onSubmit,
  error,
  saving,
  submitLabel,
  submitDisabled,
  children,
}: {
  opened: boolean;
  title: string;
  size?: string;
  onClose: () => void;
  onSubmit: () => void;
  error?: string | null;
  saving: boolean;
  submitLabel: string;
  submitDisabled?: boolean;
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size={size}>
      {opened && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          <Stack>
            {children}
            <FormError error={error ?? null} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Отмена
              </Button>
              <Button type="submit" loading={saving} disabled={submitDisabled}>
                {submitLabel}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** A topic or subtopic (subtopics indented with a dash); empty is '' and means «any». */
export function TopicSelect({
  label,
  description,
  value,
  onChange,
}: {
  label: string;
  description?: string;
  value: string;
  onChange: (topicId: string) => void;
}) {
  const names = useNames();
  return (
    <Select
      label={label}
      description={description}
      searchable
      clearable
      data={topicOptions(names.topics)}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
    />
  );
}

/** Topics as select options, subtopics indented with a dash. */
export function topicOptions(topics: { id: string; name: string; parentId?: string | null }[]) {
  return topics.map((t) => ({ value: t.id, label: t.parentId ? `— ${t.name}` : t.name }));
}

type Organisation = ReturnType<typeof useNames>['organisations'][number];

/** Organisations as options by their short names: those `among`, or all of the directory. */
function useOrganisationOptions(among: Organisation[] | undefined) {
  const names = useNames();
  return (among ?? names.organisations).map((o) => ({ value: o.id, label: o.shortName }));
}

/** A select of organisations (all, or those `among`) by their short names; the rest as Mantine's `Select` takes it. */
export function OrganisationSelect({
  among,
  ...props
}: Omit<SelectProps, 'data'> & { among?: Organisation[] }) {
  return <Select {...props} data={useOrganisationOptions(among)} />;
}

/** Several organisations (of all, or of those `among`) by their short names; the rest as `MultiSelect` takes it. */
export function OrganisationsSelect({
  among,
  ...props
}: Omit<MultiSelectProps, 'data'> & { among?: Organisation[] }) {
  return <MultiSelect {...props} data={useOrganisationOptions(among)} />;
}

/**
 * A member of an organisation's staff by full name, from the staff the API offers to assign there; while they
 * load the select says so where `loadingPlaceholder` is given. The rest as Mantine's `Select` takes it.
 */
export function AssigneeSelect({
  organisationId,
  placeholder,
  loadingPlaceholder,
  ...props
}: Omit<SelectProps, 'data'> & { organisationId: string | null; loadingPlaceholder?: string }) {
  const staff = useQuery({
    queryKey: ['assignees', organisationId],
    queryFn: () => call('assignees', { query: { organisationId } }),
    enabled: !!organisationId,
  });
  return (
    <Select
      {...props}
      placeholder={staff.isLoading && loadingPlaceholder ? loadingPlaceholder : placeholder}
      data={(staff.data ?? []).map((p) => ({ value: p.id, label: p.fullName }))}
    />
  );
}

/**
 * A dialog's buttons: «Отмена» and its action named `label`, busy while `loading` says so or the promise
 * `onConfirm` returns runs.
 */
export function DialogButtons(props: {
  label: string;
  onCancel: () => void;
  onConfirm: () => unknown;
  disabled?: boolean;
  loading?: boolean;
  color?: MantineColor;
  mt?: MantineSpacing;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <Group justify="flex-end" mt={props.mt}>
      <Button variant="default" onClick={props.onCancel}>
        Отмена
      </Button>
      <Button
        color={props.color}
        disabled={props.disabled}
        loading={props.loading || busy}
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
          }
        }}
      >
        {props.label}
      </Button>
    </Group>
  );
}
