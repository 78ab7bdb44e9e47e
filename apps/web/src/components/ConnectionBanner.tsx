import { Alert, Button, Group, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { isOnline, onConnectionChange } from '../api/client';

/**
 * A lost connection says so, where the user is looking (top of the page), and keeps retrying; it never
 * signs the user out. The queries retry on their own; "Повторить сейчас" does not wait for the next try.
 */
export function ConnectionBanner() {
  const queryClient = useQueryClient();
  const [serverAnswers, setServerAnswers] = useState(isOnline());
  useEffect(() => onConnectionChange(setServerAnswers), []);
  // With the browser itself offline the queries wait without asking (nothing fails), so say it from here.
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const up = () => setBrowserOnline(true);
    const down = () => setBrowserOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  const online = serverAnswers && browserOnline;
  useEffect(() => {
    if (online) {
      void queryClient.invalidateQueries();
      return;
    }
    const timer = setInterval(() => void queryClient.refetchQueries({ type: 'active' }), 5_000);
    return () => clearInterval(timer);
  }, [online, queryClient]);
  if (online) return null;
  return (
    <Alert color="orange" variant="light" role="alert" mb="sm" data-testid="connection-lost" py={8}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>
          Нет связи с сервером. Повторяем попытку каждые 5 секунд; вы не вышли из системы, несохранённый ввод
          остаётся на экране.
        </Text>
        <Button size="xs" variant="white" onClick={() => void queryClient.refetchQueries({ type: 'active' })}>
          Повторить сейчас
        </Button>
      </Group>
    </Alert>
  );
}
