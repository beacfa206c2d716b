import type { Project, Vm } from '@swiftcloud/contracts';
import RFB from '@novnc/novnc';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/Layout';
import { ErrorState, Loading } from '../../components/states';
import { useApi } from '../../session';

type Screen =
  { state: 'connecting' } | { state: 'connected' } | { state: 'closed'; message: string };

/** The VM's screen through noVNC, on the websocket of a fresh single-use console ticket. */
export function ConsolePage({ vm, project }: { vm: Vm; project: Project }) {
  const api = useApi();
  const running = vm.status === 'running';
  const ticket = useQuery({
    queryKey: ['vm', vm.id, 'console'],
    queryFn: async () => (await api.vms.console(vm.id)).data,
    enabled: running,
    // A ticket works once, for a minute: never reuse one, never fetch one in the background.
    gcTime: 0,
    staleTime: Infinity,
    retry: false,
    refetchOnWindowFocus: false,
  });
  const frame = useRef<HTMLDivElement>(null);
  const screenEl = useRef<HTMLDivElement>(null);
  const rfb = useRef<RFB | null>(null);
  const [screen, setScreen] = useState<Screen>({ state: 'connecting' });

  useEffect(() => {
    const url = ticket.data?.url;
    const target = screenEl.current;
    if (!url || !target) return;
    let client: RFB | null = null;
    // Connect on the next tick: React's strict mode (development) mounts, unmounts and mounts
    // again at once, and a ticket works only once.
    const start = setTimeout(() => {
      setScreen({ state: 'connecting' });
      client = new RFB(target, url, { shared: true });
      client.scaleViewport = true;
      client.background = '#111';
      client.addEventListener('connect', () => setScreen({ state: 'connected' }));
      client.addEventListener('disconnect', (event) => {
        const clean = (event as CustomEvent<{ clean: boolean }>).detail?.clean;
        setScreen({
          state: 'closed',
          message: clean
            ? 'The console was closed.'
            : 'The connection to the screen was lost, or the ticket was refused.',
        });
      });
      client.addEventListener('securityfailure', (event) => {
        const reason = (event as CustomEvent<{ reason?: string }>).detail?.reason;
        setScreen({
          state: 'closed',
          message: `The screen refused the connection${reason ? `: ${reason}` : '.'}`,
        });
      });
      rfb.current = client;
    }, 0);
    return () => {
      clearTimeout(start);
      rfb.current = null;
      client?.disconnect();
    };
  }, [ticket.data?.url]);

  const crumbs = (
    <>
      <Link to="/">Projects</Link> / <Link to={`/projects/${project.id}`}>{project.name}</Link> /{' '}
      <Link to={`/vms/${vm.id}`}>{vm.name}</Link>
    </>
  );

  if (!running) {
    return (
      <section>
        <PageHeader title={`Console of ${vm.name}`} crumbs={crumbs} />
        <div className="card" role="status">
          <p>
            The VM is {vm.status === 'provisioning' ? 'still being made' : 'not running'}, so it has
            no screen to show. {vm.status === 'provisioning' ? 'Wait a moment.' : 'Start it first.'}
          </p>
          <Link className="button" to={`/vms/${vm.id}`}>
            Back to the VM
          </Link>
        </div>
      </section>
    );
  }

  return (
    <section>
      <PageHeader title={`Console of ${vm.name}`} crumbs={crumbs}>
        <button
          type="button"
          className="secondary"
          disabled={screen.state !== 'connected'}
          onClick={() => rfb.current?.sendCtrlAltDel()}
        >
          Send Ctrl-Alt-Del
        </button>
        <button
          type="button"
          className="secondary"
          disabled={screen.state !== 'connected'}
          onClick={() => void frame.current?.requestFullscreen().catch(() => undefined)}
        >
          Full screen
        </button>
      </PageHeader>
      {ticket.isPending ? <Loading label="Asking for a console ticket" rows={1} /> : null}
      {ticket.isError ? (
        <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />
      ) : null}
      {screen.state === 'closed' ? (
        <div className="error-state" role="alert">
          <p>{screen.message}</p>
          <button type="button" className="secondary" onClick={() => void ticket.refetch()}>
            Reconnect
          </button>
        </div>
      ) : null}
      <p className="visually-hidden" role="status">
        {screen.state === 'connected' ? 'Connected to the screen' : ''}
      </p>
      <div className="console-frame" ref={frame}>
        <div
          className="console-screen"
          ref={screenEl}
          data-testid="console-screen"
          data-state={screen.state}
          aria-label={`Screen of ${vm.name}`}
          role="application"
        />
      </div>
    </section>
  );
}
