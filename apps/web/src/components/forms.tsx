import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { errorText } from '../api/client';
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
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: save,
    onSuccess: async (saved: R, f: F) => {
      setForm(null);
      setError(null);
      await onSaved(saved, f);
    },
    onError: (e) => setError(errorText(e)),
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
      data={names.topics.map((t) => ({ value: t.id, label: t.parentId ? `— ${t.name}` : t.name }))}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
    />
  );
}
