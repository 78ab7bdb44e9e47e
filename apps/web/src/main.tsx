import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import '@mantine/dates/styles.css';
import 'dayjs/locale/ru';
import './styles.css';
import { Alert, createTheme, type CSSVariablesResolver, MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { isConnectionError } from './api/client';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { AuthProvider } from './auth';

// WCAG 2.1 AA: filled buttons and links a shade darker than Mantine's default (white on blue.6 is 3.55:1).
const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  defaultRadius: 'md',
  fontFamily: 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '600' },
  // Every closable message has a named close button (axe: button-name).
  components: { Alert: Alert.extend({ defaultProps: { closeButtonLabel: 'Закрыть сообщение' } }) },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A lost connection is retried (the banner says so); a refusal is not.
      retry: (count, error) => (isConnectionError(error) ? count < 8 : count < 1),
      retryDelay: (attempt) => Math.min(1_000 * 2 ** attempt, 10_000),
    },
  },
});

/**
 * WCAG 2.1 AA contrast (4.5:1 for text): secondary ("dimmed") text and the text of light badges, buttons and
 * active menu items a shade or two darker than Mantine's defaults (grey 3.32:1 and blue 3.55:1 fail on white).
 */
/** Text colour of the light variants: Mantine's shade 9 where that is dark enough, else a darker tone. */
const LIGHT_TEXT: Record<string, string> = {
  blue: 'var(--mantine-color-blue-9)',
  violet: 'var(--mantine-color-violet-9)',
  grape: 'var(--mantine-color-grape-9)',
  indigo: 'var(--mantine-color-indigo-9)',
  pink: 'var(--mantine-color-pink-9)',
  red: '#b02525',
  orange: '#a63a00',
  yellow: '#7c5300',
  lime: '#4a6b00',
  green: '#1f6b30',
  teal: '#0a6b4d',
  cyan: '#0b6b7d',
  gray: 'var(--mantine-color-gray-8)',
  dark: 'var(--mantine-color-dark-8)',
};
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-blue-8)',
    ...Object.fromEntries(
      Object.entries(LIGHT_TEXT).map(([color, value]) => [`--mantine-color-${color}-light-color`, value]),
    ),
  },
  dark: {},
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
      {/* The calendars in Russian, weeks from Monday. */}
      <DatesProvider settings={{ locale: 'ru', firstDayOfWeek: 1 }}>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter basename="/app">
            <ErrorBoundary home="/">
              <AuthProvider>
                <App />
              </AuthProvider>
            </ErrorBoundary>
          </BrowserRouter>
        </QueryClientProvider>
      </DatesProvider>
    </MantineProvider>
  </StrictMode>,
);
