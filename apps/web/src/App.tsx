import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './auth';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Shell } from './components/Shell';
import { AdminPage } from './pages/admin/AdminPage';
import { AppealPage } from './pages/appeal/AppealPage';
import { ChannelQuarantinePage, seesChannelQuarantine } from './pages/ChannelQuarantinePage';
import { CorrectionsPage } from './pages/CorrectionsPage';
import { DashboardPage } from './pages/DashboardPage';
import { FailedDeliveriesPage } from './pages/FailedDeliveriesPage';
import { IncidentsPage } from './pages/IncidentsPage';
import { InboxPage } from './pages/InboxPage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { EnrolPage } from './pages/EnrolPage';
import { LoginPage } from './pages/LoginPage';
import { RegisterPage, registersAppeals } from './pages/register/RegisterPage';
import { ReportsPage } from './pages/ReportsPage';
import { ArticlePage } from './pages/knowledge/ArticlePage';
import { KnowledgePage } from './pages/knowledge/KnowledgePage';
import { RequestPage } from './pages/knowledge/RequestPage';
import { RequestsPage } from './pages/knowledge/RequestsPage';
import { ReviewsPage } from './pages/knowledge/ReviewsPage';

export function App() {
  const { user, loading, unreachable, retry } = useAuth();
  const location = useLocation();
  if (unreachable && !user) {
    // The session is kept: the server did not answer, which is not the same as "signed out".
    return (
      <Center h="100vh" p="md">
        <Stack maw={460} gap="sm">
          <Alert color="orange" variant="light" title="Нет связи с сервером" role="alert">
            <Text size="sm">
              Сервер не отвечает. Вход сохранён: повторяем попытку каждые 5 секунд, рабочее место откроется
              само, как только связь восстановится.
            </Text>
          </Alert>
          <Button variant="default" onClick={retry}>
            Повторить сейчас
          </Button>
        </Stack>
      </Center>
    );
  }
  if (loading && !user) {
    return (
      // Said in words too: on a slow network a bare spinner on an empty page stood for seconds.
      <Center h="100vh">
        <Stack align="center" gap="xs">
          {/* A spinner is named as a progress bar: a bare span may not carry aria-label (axe, serious). */}
          <Loader role="progressbar" aria-label="Загрузка" />
          <Text size="sm" c="dimmed" role="status">
            Открываем рабочее место…
          </Text>
        </Stack>
      </Center>
    );
  }
  // Signed out: the sign-in screen, or sign-in by a reset's one-time code (its link in the letter, «Вход по коду»).
  if (!user) return location.pathname === '/enrol' ? <EnrolPage /> : <LoginPage />;
  // A temporary password (set by an administrator) allows nothing but replacing it.
  if (user.mustChangePassword) return <ChangePasswordPage />;
  const home = user.role === 'supervisor' ? '/dashboard' : user.role === 'admin' ? '/admin' : '/inbox';
  const reports = user.role !== 'operator';
  const incidents = user.role !== 'clerk';
  return (
    <Shell>
      <ErrorBoundary home={home} resetKey={location.pathname}>
        <Routes>
          <Route path="/" element={<Navigate to={home} replace />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/appeals/:id" element={<AppealPage />} />
          <Route path="/knowledge" element={<KnowledgePage />} />
          <Route path="/knowledge/articles/:id" element={<ArticlePage />} />
          <Route path="/knowledge/requests" element={<RequestsPage />} />
          <Route path="/knowledge/requests/:id" element={<RequestPage />} />
          <Route path="/knowledge/reviews" element={<ReviewsPage />} />
          {registersAppeals(user) && <Route path="/register" element={<RegisterPage />} />}
          {user.role !== 'admin' && <Route path="/deliveries" element={<FailedDeliveriesPage />} />}
          {seesChannelQuarantine(user) && <Route path="/quarantine" element={<ChannelQuarantinePage />} />}
          {incidents && <Route path="/incidents/:id?" element={<IncidentsPage />} />}
          {reports && <Route path="/dashboard" element={<DashboardPage />} />}
          {reports && <Route path="/reports" element={<ReportsPage />} />}
          {user.role === 'supervisor' && <Route path="/corrections" element={<CorrectionsPage />} />}
          {user.role === 'admin' && <Route path="/admin/:section?" element={<AdminPage />} />}
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      </ErrorBoundary>
    </Shell>
  );
}
