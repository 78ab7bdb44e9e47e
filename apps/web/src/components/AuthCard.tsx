import { Alert, Button, Center, Paper, Stack } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { errorText } from '../api/client';

/**
 * The card a signed-out or not-yet-admitted user fills in, alone on the page: its heading, the fields, why the
 * last attempt failed, the submit button (busy while `onSubmit` runs; what it throws is shown) and what follows.
 */
export function AuthCard({
  label,
  width,
  heading,
  submitLabel,
  onSubmit,
  footer,
  children,
}: {
  label: string;
  width: number;
  heading: ReactNode;
  submitLabel: string;
  onSubmit: () => Promise<void>;
  footer: ReactNode;
  children: ReactNode;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" style={{ background: 'linear-gradient(160deg, #e7f0fb 0%, #f8f9fa 60%)' }}>
      <Paper shadow="md" p="xl" w={width} maw="100%" radius="lg" withBorder component="main">
        {/* The page says what is missing, in Russian: not the browser's bubble in its own language. */}
        <form onSubmit={submit} aria-label={label} noValidate>
          <Stack>
            {heading}
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            {children}
            <Button type="submit" loading={busy} fullWidth>
              {submitLabel}
            </Button>
            {footer}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
