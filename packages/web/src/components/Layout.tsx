import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useSession, useUser } from '../session';

/** The signed-in frame: a header with the main sections and the page below. */
export function Layout() {
  const user = useUser();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="SwiftCloud home">
          SwiftCloud
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Projects
          </NavLink>
          <NavLink to="/api-keys">API keys</NavLink>
          <NavLink to="/account">Account</NavLink>
          {user.isAdmin ? <NavLink to="/admin">Admin</NavLink> : null}
        </nav>
        <div className="who">
          <span className="who-email" title={user.email}>
            {user.email}
          </span>
          <button
            type="button"
            className="secondary small"
            disabled={leaving}
            onClick={async () => {
              setLeaving(true);
              await signOut().catch(() => undefined);
              navigate('/signin');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

/** A page's title row: heading, and its main action on the right. */
export function PageHeader({
  title,
  children,
  crumbs,
}: {
  title: string;
  children?: React.ReactNode;
  crumbs?: React.ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        {crumbs ? (
          <nav aria-label="Breadcrumb" className="crumbs">
            {crumbs}
          </nav>
        ) : null}
        <h1>{title}</h1>
      </div>
      {children ? <div className="actions">{children}</div> : null}
    </div>
  );
}
