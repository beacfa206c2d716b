import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Route, Routes, useParams } from 'react-router';
import { Loading, QueryView } from '../../components/states';
import { POLL_BUSY_MS, POLL_IDLE_MS, vmIsBusyStatus } from '../../lib/vm-status';
import { useApi } from '../../session';
import { NotFoundPage } from '../NotFoundPage';
import { VmDetailPage } from './VmDetailPage';

// noVNC is most of the console's weight: only the console page loads it.
const ConsolePage = lazy(() => import('./ConsolePage').then((m) => ({ default: m.ConsolePage })));

export function useVmQuery(vmId: string, busy = false) {
  const api = useApi();
  return useQuery({
    queryKey: ['vm', vmId],
    queryFn: async () => (await api.vms.get(vmId)).data,
    refetchInterval: (query) =>
      busy || (query.state.data && vmIsBusyStatus(query.state.data.status))
        ? POLL_BUSY_MS
        : POLL_IDLE_MS,
  });
}

/** The VM's pages need its project (for the role); both load here. */
export function VmRoutes() {
  const { vmId } = useParams();
  const api = useApi();
  const vm = useVmQuery(vmId!);
  const project = useQuery({
    queryKey: ['projects', vm.data?.projectId],
    queryFn: async () => (await api.projects.get(vm.data!.projectId)).data,
    enabled: vm.data !== undefined,
  });
  return (
    <QueryView query={vm} rows={4} label="Loading the VM">
      {(v) => (
        <QueryView query={project} rows={4} label="Loading the VM">
          {(p) => (
            <Routes>
              <Route index element={<VmDetailPage vm={v} project={p} />} />
              <Route
                path="console"
                element={
                  <Suspense fallback={<Loading label="Loading the console" rows={6} />}>
                    <ConsolePage vm={v} project={p} />
                  </Suspense>
                }
              />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          )}
        </QueryView>
      )}
    </QueryView>
  );
}
