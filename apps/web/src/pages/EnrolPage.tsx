import { Anchor, PasswordInput, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useAuth } from '../auth';
import { AuthCard } from '../components/AuthCard';
import { fieldsOf } from '../components/forms';

/** The login and code an enrolment letter's link carries in the address's fragment (never sent to the server). */
function fromLink(): { login: string; code: string } {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  return { login: params.get('login') ?? '', code: params.get('code') ?? '' };
}

/**
 * «Вход по коду»: after an administrator reset the password, the employee signs in with the one-time code from the
 * letter (or handed over by the administrator) and sets a password of their own; the code is spent. Reached from
 * the sign-in screen and from the letter's link, which fills the login and the code in.
 */
export function EnrolPage() {
  const { enrol } = useAuth();
  const navigate = useNavigate();
  const [values, setValues] = useState(() => ({ ...fromLink(), newPassword: '', repeat: '' }));
  const [fields, setFields] = useState<Record<string, string>>({});
  const text = fieldsOf(values, setValues).text;
  const field = (key: keyof typeof values) => ({ ...text(key), error: fields[key], required: true });
  // Read from the letter's link once, the code leaves the address (and the tab's history) at once.
  useEffect(() => {
    if (window.location.hash) navigate('/enrol', { replace: true });
  }, [navigate]);

  async function submit() {
    setFields({});
    const missing: Record<string, string> = {};
    if (!values.login.trim()) missing.login = 'Укажите логин';
    if (!values.code.trim()) missing.code = 'Укажите код';
    if (values.newPassword.length < 8) missing.newPassword = 'Пароль — не короче 8 символов';
    else if (values.newPassword !== values.repeat) missing.repeat = 'Пароли не совпадают';
    if (Object.keys(missing).length) {
      setFields(missing);
      throw new ApiError(400, 'Исправьте отмеченные поля');
    }
    try {
      await enrol(values.login.trim(), values.code.trim(), values.newPassword);
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields);
      throw err;
    }
    // Signed in: the workspace takes over this address and opens the role's first page.
  }

  return (
    <AuthCard
      label="Вход по коду"
      width={440}
      heading={
        <div>
          <Title order={1} fz={20}>
            Вход по коду
          </Title>
          <Text size="sm" c="dimmed">
            Администратор сбросил ваш пароль. Введите логин и одноразовый код из письма (или полученный от
            администратора) и задайте свой пароль — его будете знать только вы.
          </Text>
        </div>
      }
      submitLabel="Задать пароль и войти"
      onSubmit={submit}
      footer={
        <Anchor component={Link} to="/" size="sm" ta="center">
          Вход по паролю
        </Anchor>
      }
    >
      <TextInput label="Логин" autoComplete="username" {...field('login')} autoFocus={!values.login} />
      <TextInput
        label="Код"
        description="10 букв и цифр, например ABCDE-FGHJK"
        autoComplete="one-time-code"
        {...field('code')}
        styles={{ input: { fontFamily: 'monospace', letterSpacing: 1 } }}
      />
      <PasswordInput
        label="Новый пароль"
        description="Не короче 8 символов"
        autoComplete="new-password"
        {...field('newPassword')}
        autoFocus={!!values.login && !!values.code}
      />
      <PasswordInput label="Новый пароль ещё раз" autoComplete="new-password" {...field('repeat')} />
    </AuthCard>
  );
}
