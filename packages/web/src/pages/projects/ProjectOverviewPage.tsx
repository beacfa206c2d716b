import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Money } from '../../components/money';
import { StatusBadge } from '../../components/StatusBadge';
import { Loading } from '../../components/states';
import { useApi } from '../../session';
import { BalanceSummary } from '../billing/BalanceSummary';
import { useVmsQuery } from '../vms/VmsPage';
import { useProject } from './project-context';

export function ProjectOverviewPage() {
  const project = useProject();
  const api = useApi();
  const vms = useVmsQuery(project.id);
  const domains = useQuery({
    queryKey: ['domains', project.id],
    queryFn: () => api.domains.list(project.id),
  });

  return (
    <div className="grid">
      <BalanceSummary project={project} />
      <section className="card" aria-labelledby="resources-heading">
        <h2 id="resources-heading">Resources</h2>
        <dl className="facts">
          <dt>VMs</dt>
          <dd>{vms.data ? vms.data.meta.total : '…'}</dd>
          <dt>Domains</dt>
          <dd>{domains.data ? domains.data.meta.total : '…'}</dd>
          <dt>Balance</dt>
          <dd>
            <Money amount={project.balance} />
          </dd>
        </dl>
        {vms.isPending ? (
          <Loading rows={2} label="Loading VMs" />
        ) : vms.data && vms.data.data.length > 0 ? (
          <ul className="plain">
            {vms.data.data.slice(0, 5).map((vm) => (
              <li key={vm.id} className="vm-line">
                <Link to={`/vms/${vm.id}`}>{vm.name}</Link> <StatusBadge status={vm.status} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">
            No VMs yet. <Link to={`/projects/${project.id}/vms`}>Go to VMs</Link>
          </p>
        )}
      </section>
    </div>
  );
}
