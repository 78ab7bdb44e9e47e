import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes } from 'react-router-dom';
import { useAuth } from './auth';
import { Shell } from './components/Shell';
import { AdminPage } from './pages/admin/AdminPage';
import { AppealPage } from './pages/appeal/AppealPage';
import { DashboardPage } from './pages/DashboardPage';
import { InboxPage } from './pages/InboxPage';
import { LoginPage } from './pages/LoginPage';
import { ReportsPage } from './pages/ReportsPage';

export function App() {
  const { user, loading } = useAuth();
  if (loading && !user) {
    return (
      <Center h="100vh">
        <Loader aria-label="Загрузка" />
      </Center>
    );
  }
  if (!user) return <LoginPage />;
  const home = user.role === 'supervisor' ? '/dashboard' : user.role === 'admin' ? '/admin' : '/inbox';
  const reports = user.role !== 'operator';
  return (
    <Shell>
      <Routes>
        <Route path="/" element={<Navigate to={home} replace />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/appeals/:id" element={<AppealPage />} />
        {reports && <Route path="/dashboard" element={<DashboardPage />} />}
        {reports && <Route path="/reports" element={<ReportsPage />} />}
        {user.role === 'admin' && <Route path="/admin/:section?" element={<AdminPage />} />}
        <Route path="*" element={<Navigate to={home} replace />} />
      </Routes>
    </Shell>
  );
}
