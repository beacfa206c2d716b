import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Loading } from './components/states';
import { Layout } from './components/Layout';
import { AccountPage } from './pages/account/AccountPage';
import { ApiKeysPage } from './pages/account/ApiKeysPage';
import { SignInPage, SignUpPage } from './pages/auth/AuthPages';
import { ProjectRoutes } from './pages/projects/ProjectRoutes';
import { ProjectsPage } from './pages/projects/ProjectsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { useSession } from './session';
import { VmRoutes } from './pages/vms/VmRoutes';
import { DomainPage } from './pages/domains/DomainPage';

// Administrators are few: their pages load only when opened.
const AdminRoutes = lazy(() =>
  import('./pages/admin/AdminRoutes').then((m) => ({ default: m.AdminRoutes })),
);

export function App() {
  const { user } = useSession();
  const location = useLocation();

  if (user === undefined) {
    return (
      <main className="auth-page">
        <Loading label="Opening SwiftCloud" />
      </main>
    );
  }

  if (user === null) {
    const next = location.pathname + location.search;
    return (
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/signup" element={<SignUpPage />} />
        <Route
          path="*"
          element={
            <Navigate
              to={next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`}
              replace
            />
          }
        />
      </Routes>
    );
  }

  return (
    <Routes>
      <Route path="/signin" element={<Navigate to="/" replace />} />
      <Route path="/signup" element={<Navigate to="/" replace />} />
      <Route element={<Layout />}>
        <Route index element={<ProjectsPage />} />
        <Route path="projects/:projectId/*" element={<ProjectRoutes />} />
        <Route path="vms/:vmId/*" element={<VmRoutes />} />
        <Route path="domains/:domainId" element={<DomainPage />} />
        <Route path="api-keys" element={<ApiKeysPage />} />
        <Route path="account" element={<AccountPage />} />
        {user.isAdmin ? (
          <Route
            path="admin/*"
            element={
              <Suspense fallback={<Loading label="Loading administration" />}>
                <AdminRoutes />
              </Suspense>
            }
          />
        ) : null}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
