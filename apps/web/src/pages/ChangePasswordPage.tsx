import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError, call, errorText } from '../api/client';
import { useAuth } from '../auth';

/**
 * Shown right after sign-in while the password is a temporary one an administrator set: until it is replaced,
 * the server refuses everything else (403). The new password is known only to its owner.
 */
export function ChangePasswordPage() {
  const { user, reloadUser, signOut } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setFields({});
    if (next !== repeat) {
      setFields({ repeat: 'Пароли не совпадают' });
      return;
    }
    setBusy(true);
    try {
      await call('changePassword', { body: { currentPassword: current, newPassword: next } });
      reloadUser();
    } catch (err) {
      setError(errorText(err));
      if (err instanceof ApiError) setFields(err.fields);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" style={{ background: 'linear-gradient(160deg, #e7f0fb 0%, #f8f9fa 60%)' }}>
      <Paper shadow="md" p="xl" w={420} maw="100%" radius="lg" withBorder component="main">
        <form onSubmit={submit} aria-label="Смена временного пароля">
          <Stack>
            <div>
              <Title order={1} fz={20}>
                Смените временный пароль
              </Title>
              <Text size="sm" c="dimmed">
                {user?.fullName}: пароль задал администратор. Придумайте свой — его будете знать только вы.
              </Text>
            </div>
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <PasswordInput
              label="Временный пароль"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              error={fields.currentPassword}
              required
              autoFocus
            />
            <PasswordInput
              label="Новый пароль"
              description="Не короче 8 символов"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
              error={fields.newPassword}
              minLength={8}
              required
            />
            <PasswordInput
              label="Новый пароль ещё раз"
              autoComplete="new-password"
              value={repeat}
              onChange={(e) => setRepeat(e.currentTarget.value)}
              error={fields.repeat}
              required
            />
            <Button type="submit" loading={busy} fullWidth>
              Сменить пароль и продолжить
            </Button>
            <Button variant="subtle" color="gray" onClick={signOut}>
              Выйти
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
