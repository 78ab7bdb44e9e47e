import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Where "back" leads: the start page of the role. */
  home: string;
  /** Anything that, when it changes, clears the error (the route). */
  resetKey?: string;
}

/**
 * No dead ends: a page that throws shows what happened and the ways out (back, the start page, reload);
 * the menu around it stays. The error goes to the console for the developer, never to the screen raw.
 */
export class ErrorBoundary extends Component<Props, { error: Error | null; key?: string }> {
  state: { error: Error | null; key?: string } = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: Error | null; key?: string }) {
    // Navigating elsewhere clears the error: the next page gets its own chance.
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn('page error', error.message, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Stack gap="sm" maw={640} role="alert" data-testid="page-error">
        <Alert color="red" variant="light" title="Страницу не удалось показать">
          <Text size="sm">
            Во время показа страницы произошла ошибка. Данные не потеряны: вернитесь назад или откройте
            начальную страницу. Если ошибка повторяется, сообщите администратору время и адрес страницы.
          </Text>
        </Alert>
        <Group gap="xs">
          <Button variant="default" onClick={() => window.history.back()}>
            ← Назад
          </Button>
          <Button component="a" href={`/app${this.props.home}`}>
            На начальную страницу
          </Button>
          <Button variant="subtle" onClick={() => window.location.reload()}>
            Обновить страницу
          </Button>
        </Group>
      </Stack>
    );
  }
}
