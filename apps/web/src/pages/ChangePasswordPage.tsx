import { Button, PasswordInput, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError, call } from '../api/client';
import { useAuth } from '../auth';
import { AuthCard } from '../components/AuthCard';
import { fieldsOf } from '../components/forms';

/**
 * Shown right after sign-in while the password is a temporary one an administrator set: until it is replaced,
 * the server refuses everything else (403). The new password is known only to its owner.
 */
export function ChangePasswordPage() {
  const { user, reloadUser, signOut } = useAuth();
  const [values, setValues] = useState({ currentPassword: '', newPassword: '', repeat: '' });
  const [fields, setFields] = useState<Record<string, string>>({});
  const text = fieldsOf(values, setValues).text;
  /** A password input's value, change and the server's (or the repeat check's) word about it. */
  const field = (key: keyof typeof values) => ({ ...text(key), error: fields[key], required: true });

  async function submit() {
    setFields({});
    if (values.newPassword !== values.repeat) {
      setFields({ repeat: 'Пароли не совпадают' });
      return;
    }
    try {
      const { currentPassword, newPassword } = values;
      await call('changePassword', { body: { currentPassword, newPassword } });
      reloadUser();
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields);
      throw err;
    }
  }

  return (
    <AuthCard
      label="Смена временного пароля"
      width={420}
      heading={
        <div>
          <Title order={1} fz={20}>
            Смените временный пароль
          </Title>
          <Text size="sm" c="dimmed">
            {user?.fullName}: пароль задал администратор. Придумайте свой — его будете знать только вы.
          </Text>
        </div>
      }
      submitLabel="Сменить пароль и продолжить"
      onSubmit={submit}
      footer={
        <Button variant="subtle" color="gray" onClick={signOut}>
          Выйти
        </Button>
      }
    >
      <PasswordInput
        label="Временный пароль"
        autoComplete="current-password"
        {...field('currentPassword')}
        autoFocus
      />
      <PasswordInput
        label="Новый пароль"
        description="Не короче 8 символов"
        autoComplete="new-password"
        {...field('newPassword')}
        minLength={8}
      />
      <PasswordInput label="Новый пароль ещё раз" autoComplete="new-password" {...field('repeat')} />
    </AuthCard>
  );
}
