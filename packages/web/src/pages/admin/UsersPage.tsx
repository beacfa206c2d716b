import type { AdminUser } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { TextField } from '../../components/fields';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { DataTable, RowButton } from '../../components/table';
import { formatDate } from '../../lib/dates';
import { useApi, useUser } from '../../session';

export function UsersPage() {
  const api = useApi();
  const me = useUser();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const users = useQuery({
    queryKey: ['admin', 'users', email],
    queryFn: () => api.admin.users(email.trim() || undefined),
    placeholderData: (previous) => previous,
  });
  const toggle = useMutation({
    mutationFn: (u: AdminUser) =>
      u.disabledAt ? api.admin.enableUser(u.id) : api.admin.disableUser(u.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });

  return (
    <section className="card" aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <TextField
        label="Find by email"
        name="email"
        type="search"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      {toggle.isError ? <ErrorState error={toggle.error} /> : null}
      <QueryView query={users} label="Loading users">
        {({ data, meta }) =>
          data.length === 0 ? (
            <Empty>No users match.</Empty>
          ) : (
            <DataTable
              columns={['Name', 'Email', 'Joined', 'State']}
              actions
              before={
                <p className="muted">
                  {meta.total} {meta.total === 1 ? 'user' : 'users'}
                  {meta.total > data.length ? `, the first ${data.length} shown` : ''}
                </p>
              }
            >
              {data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.name}
                    {u.isAdmin ? <span className="badge">admin</span> : null}
                  </td>
                  <td>{u.email}</td>
                  <td>{formatDate(u.createdAt)}</td>
                  <td>{u.disabledAt ? 'Disabled' : 'Active'}</td>
                  <td className="cell-actions">
                    {u.id === me.id ? null : (
                      <RowButton
                        action={u.disabledAt ? 'Enable' : 'Disable'}
                        subject={u.email}
                        danger={!u.disabledAt}
                        disabled={toggle.isPending}
                        onClick={() => toggle.mutate(u)}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
    </section>
  );
}
