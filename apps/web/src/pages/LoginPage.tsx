import { Anchor, Avatar, Group, PasswordInput, Text, TextInput, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { useAuth } from '../auth';
import { AuthCard } from '../components/AuthCard';
import { StatusAlert } from '../components/common';
import { textOf } from '../components/forms';

export function LoginPage() {
  const { signIn, endedBecause } = useAuth();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');

  return (
    <AuthCard
      label="Вход в систему"
      width={400}
      heading={
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
      }
      submitLabel="Войти"
      onSubmit={async () => {
        if (!login.trim() || !password) throw new ApiError(400, 'Введите логин и пароль');
        await signIn(login, password);
      }}
      footer={
        <>
          <Anchor component={Link} to="/enrol" size="sm" ta="center">
            Вход по коду
          </Anchor>
          <Text size="xs" c="dimmed">
            Пароль сбросил администратор — войдите по одноразовому коду из письма. Действия в системе и
            просмотр персональных данных заявителей записываются в журнал.
          </Text>
        </>
      }
    >
      {endedBecause && <StatusAlert color="yellow">{endedBecause}</StatusAlert>}
      <TextInput label="Логин" autoComplete="username" {...textOf(login, setLogin)} required autoFocus />
      <PasswordInput
        label="Пароль"
        autoComplete="current-password"
        {...textOf(password, setPassword)}
        required
      />
    </AuthCard>
  );
}
