import { NavLink, Outlet, Route, Routes, useParams } from 'react-router';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/states';
import { BillingPage } from '../billing/BillingPage';
import { DomainsPage } from '../domains/DomainsPage';
import { NotFoundPage } from '../NotFoundPage';
import { CreateVmPage } from '../vms/CreateVmPage';
import { VmsPage } from '../vms/VmsPage';
import { ProjectOverviewPage } from './ProjectOverviewPage';
import { ProjectSettingsPage } from './ProjectSettingsPage';
import { useProjectQuery } from './project-context';
import { Link } from 'react-router';

function ProjectFrame() {
  const { projectId } = useParams();
  const project = useProjectQuery(projectId);
  return (
    <QueryView query={project} rows={4} label="Loading the project">
      {(p) => (
        <>
          <PageHeader title={p.name} crumbs={<Link to="/">Projects</Link>} />
          <nav className="tabs" aria-label="Project">
            <NavLink to={`/projects/${p.id}`} end>
              Overview
            </NavLink>
            <NavLink to={`/projects/${p.id}/vms`}>VMs</NavLink>
            <NavLink to={`/projects/${p.id}/domains`}>Domains</NavLink>
            <NavLink to={`/projects/${p.id}/billing`}>Billing</NavLink>
            <NavLink to={`/projects/${p.id}/settings`}>Settings</NavLink>
          </nav>
          <Outlet context={p} />
        </>
      )}
    </QueryView>
  );
}

export function ProjectRoutes() {
  return (
    <Routes>
      <Route element={<ProjectFrame />}>
        <Route index element={<ProjectOverviewPage />} />
        <Route path="vms" element={<VmsPage />} />
        <Route path="vms/new" element={<CreateVmPage />} />
        <Route path="domains" element={<DomainsPage />} />
        <Route path="billing" element={<BillingPage />} />
        <Route path="settings" element={<ProjectSettingsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
