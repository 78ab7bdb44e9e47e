import {
  Alert,
  Avatar,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { errorText } from '../api/client';
import { useAuth } from '../auth';

export function LoginPage() {
  const { signIn } = useAuth();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(login, password);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" style={{ background: 'linear-gradient(160deg, #e7f0fb 0%, #f8f9fa 60%)' }}>
      <Paper shadow="md" p="xl" w={400} maw="100%" radius="lg" withBorder component="main">
        <form onSubmit={submit} aria-label="Вход в систему">
          <Stack>
            <Group gap="sm">
              <Avatar color="blue" variant="filled" radius="md" size={44} aria-hidden="true">
                ЕЦ
              </Avatar>
              <div>
                <Title order={1} fz={20}>
                  Единый центр обращений
                </Title>
                <Text size="sm" c="dimmed">
                  Рабочее место сотрудника
                </Text>
              </div>
            </Group>
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              label="Логин"
              autoComplete="username"
              value={login}
              onChange={(e) => setLogin(e.currentTarget.value)}
              required
              autoFocus
            />
            <PasswordInput
              label="Пароль"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              required
            />
            <Button type="submit" loading={busy} fullWidth>
              Войти
            </Button>
            <Text size="xs" c="dimmed">
              Действия в системе и просмотр персональных данных заявителей записываются в журнал.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
