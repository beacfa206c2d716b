import { NavLink, Route, Routes } from 'react-router';
import { PageHeader } from '../../components/Layout';
import { NotFoundPage } from '../NotFoundPage';
import { AdjustmentsPage } from './AdjustmentsPage';
import { CatalogPage } from './CatalogPage';
import { CouponsPage } from './CouponsPage';
import { IpPoolsPage } from './IpPoolsPage';
import { NodesPage } from './NodesPage';
import { UsersPage } from './UsersPage';

export function AdminRoutes() {
  return (
    <section>
      <PageHeader title="Administration" />
      <nav className="tabs" aria-label="Administration">
        <NavLink to="/admin" end>
          Catalog
        </NavLink>
        <NavLink to="/admin/nodes">Nodes</NavLink>
        <NavLink to="/admin/ip-pools">IP pools</NavLink>
        <NavLink to="/admin/coupons">Coupons</NavLink>
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/adjustments">Adjustments</NavLink>
      </nav>
      <Routes>
        <Route index element={<CatalogPage />} />
        <Route path="nodes" element={<NodesPage />} />
        <Route path="ip-pools" element={<IpPoolsPage />} />
        <Route path="coupons" element={<CouponsPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="adjustments" element={<AdjustmentsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </section>
  );
}
