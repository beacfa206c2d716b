import type { Action, PowerActionName, Project, Vm } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useNavigate } from 'react-router';
import { describeError } from '../../api/errors';
import { PageHeader } from '../../components/Layout';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { TypedConfirm } from '../../components/TypedConfirm';
import { formatTime } from '../../lib/dates';
import { POLL_BUSY_MS, POLL_IDLE_MS, powerChoices } from '../../lib/vm-status';
import { useApi } from '../../session';
import { can } from '../projects/roles';

const ACTION_WORDS: Record<Action['type'], string> = {
  create: 'Create',
  start: 'Start',
  stop: 'Stop',
  shutdown: 'Shut down',
  reboot: 'Reboot',
  reset: 'Reset',
  delete: 'Delete',
  suspend: 'Suspended for lack of funds',
};

const inProgress = (a: Action) => a.status === 'pending' || a.status === 'running';

export function VmDetailPage({ vm, project }: { vm: Vm; project: Project }) {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const write = can(project.role).write;

  const actions = useQuery({
    queryKey: ['vm', vm.id, 'actions'],
    queryFn: () => api.vms.actions(vm.id),
    refetchInterval: (q) => (q.state.data?.data.some(inProgress) ? POLL_BUSY_MS : POLL_IDLE_MS),
  });
  const busy = actions.data?.data.some(inProgress) ?? false;

  // When an action finishes, the VM's status has changed: fetch it again.
  const wasBusy = useRef(busy);
  useEffect(() => {
    if (wasBusy.current && !busy) void queryClient.invalidateQueries({ queryKey: ['vm', vm.id] });
    wasBusy.current = busy;
  }, [busy, queryClient, vm.id]);

  const power = useMutation({
    mutationFn: (action: PowerActionName) => api.vms.power(vm.id, { action }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['vm', vm.id] });
      void queryClient.invalidateQueries({ queryKey: ['vms', project.id] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.vms.remove(vm.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['vms', project.id] });
      navigate(`/projects/${project.id}/vms`);
    },
  });

  const choices = powerChoices(vm);
  const disabled = busy || power.isPending;

  return (
    <section>
      <PageHeader
        title={vm.name}
        crumbs={
          <>
            <Link to="/">Projects</Link> /{' '}
            <Link to={`/projects/${project.id}`}>{project.name}</Link> /{' '}
            <Link to={`/projects/${project.id}/vms`}>VMs</Link>
          </>
        }
      >
        {write ? (
          <Link className="button secondary" to={`/vms/${vm.id}/console`}>
            Open console
          </Link>
        ) : null}
      </PageHeader>

      <div className="card">
        <dl className="facts wide">
          <dt>Status</dt>
          <dd data-testid="vm-status">
            <StatusBadge status={vm.status} />
          </dd>
          <dt>Power</dt>
          <dd>{vm.powerState}</dd>
          <dt>IP address</dt>
          <dd>
            <code>{vm.ipAddress ?? '—'}</code> {vm.publicIp ? '(public)' : '(private)'}
          </dd>
          <dt>Size</dt>
          <dd>{vm.size}</dd>
          <dt>Template</dt>
          <dd>{vm.template}</dd>
          <dt>Created</dt>
          <dd>{formatTime(vm.createdAt)}</dd>
        </dl>
        {vm.error ? (
          <p className="warning" role="alert">
            The hypervisor reported: {vm.error}
          </p>
        ) : null}
      </div>

      {write ? (
        <div className="card">
          <h2>Power</h2>
          <div className="actions" role="group" aria-label="Power">
            <button
              type="button"
              disabled={disabled || !choices.start}
              onClick={() => power.mutate('start')}
            >
              Start
            </button>
            <button
              type="button"
              className="secondary"
              disabled={disabled || !choices.stop}
              onClick={() => power.mutate('shutdown')}
              title="Asks the operating system to shut down"
            >
              Shut down
            </button>
            <button
              type="button"
              className="secondary"
              disabled={disabled || !choices.stop}
              onClick={() => power.mutate('stop')}
              title="Cuts the power at once"
            >
              Stop
            </button>
            <button
              type="button"
              className="secondary"
              disabled={disabled || !choices.reboot}
              onClick={() => power.mutate('reboot')}
            >
              Reboot
            </button>
          </div>
          {power.isError ? <ErrorState error={power.error} /> : null}
          {busy ? (
            <p className="muted" role="status">
              <span className="spinner" aria-hidden="true" /> Working on it…
            </p>
          ) : null}
        </div>
      ) : null}

      <div className="card">
        <h2>Activity</h2>
        <QueryView query={actions} rows={3} label="Loading activity">
          {({ data }) =>
            data.length === 0 ? (
              <Empty>Nothing has happened to this VM yet.</Empty>
            ) : (
              <ol className="timeline" aria-label="Activity">
                {data.map((a) => (
                  <li key={a.id} className={`action-${a.status}`}>
                    <strong>{ACTION_WORDS[a.type]}</strong>{' '}
                    <span className="badge">{a.status}</span>{' '}
                    <span className="muted">{formatTime(a.createdAt)}</span>
                    {a.error ? <p className="field-error">{a.error}</p> : null}
                  </li>
                ))}
              </ol>
            )
          }
        </QueryView>
      </div>

      {write && vm.status !== 'deleting' ? (
        <TypedConfirm
          what="VM"
          name={vm.name}
          consequence="The VM and its disk are destroyed and its IP address released. This cannot be undone."
          pending={remove.isPending}
          error={remove.isError ? describeError(remove.error) : null}
          onConfirm={() => remove.mutate()}
        />
      ) : null}
    </section>
  );
}
