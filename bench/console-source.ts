/**
 * The VNC server both proxies relay in the console benchmark: the simulator's own RFB server
 * and guest console (the production build), for one VM, in a process of its own so that
 * neither proxy shares a CPU thread with it. Prints one JSON line ({port}) when listening.
 */
import { GuestConsole } from '../packages/server/dist/compute/hypervisor/simulator/console/guest-console.js';
import { RfbServer } from '../packages/server/dist/compute/hypervisor/simulator/rfb/rfb-server.js';

const guest = new GuestConsole({
  vmid: 100,
  name: 'bench-console',
  cores: 1,
  memoryMiB: 1024,
  diskGiB: 10,
  sourceTemplate: 'debian-12',
  sshKeys: [],
  ciUser: 'debian',
  network: { address: '10.0.0.5/24', gateway: '10.0.0.1', nameservers: [] },
});
const server = await RfbServer.listen(guest, '127.0.0.1');
console.log(JSON.stringify({ port: server.port }));

process.on('SIGTERM', () => {
  guest.close();
  void server.close().then(() => process.exit(0));
});
