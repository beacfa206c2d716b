import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, QueryView } from '../../components/states';
import { DataTable } from '../../components/table';
import { pollInterval } from '../../lib/vm-status';
import { useApi } from '../../session';
import { useProject } from '../projects/project-context';
import { can } from '../projects/roles';

export function useVmsQuery(projectId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['vms', projectId],
    queryFn: () => api.vms.list(projectId),
    // Refreshes every 2 s while a VM is provisioning or deleting, else every 30 s.
    refetchInterval: (query) => pollInterval(query.state.data?.data),
  });
}

export function VmsPage() {
  const project = useProject();
  const vms = useVmsQuery(project.id);
  const write = can(project.role).write;
  return (
    <section aria-labelledby="vms-heading">
      <div className="section-header">
        <h2 id="vms-heading">Virtual machines</h2>
        {write ? (
          <Link className="button" to={`/projects/${project.id}/vms/new`}>
            Create VM
          </Link>
        ) : null}
      </div>
      <QueryView query={vms} label="Loading VMs">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>
              No VMs in this project yet.
              {write ? ' Create one to run your software on SwiftCloud.' : ''}
            </Empty>
          ) : (
            <DataTable columns={['Name', 'Status', 'IP address', 'Size', 'Template']}>
              {data.map((vm) => (
                <tr key={vm.id}>
                  <td>
                    <Link to={`/vms/${vm.id}`}>{vm.name}</Link>
                  </td>
                  <td>
                    <StatusBadge status={vm.status} />
                  </td>
                  <td>
                    <code>{vm.ipAddress ?? '—'}</code>
                  </td>
                  <td>{vm.size}</td>
                  <td>{vm.template}</td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
    </section>
  );
}
