/**
 * One service in its own process, as standalone's supervisor starts it: `service-process.ts <name>`
 * with the service's environment, as its pod would have it in Kubernetes. It runs the service's own
 * definition (its src/main.ts) with three differences: it migrates its database first, its events
 * travel on Redis Streams, and it tells the supervisor its ports over IPC. It stops on SIGTERM, or by
 * itself when the supervisor is gone (killed with -9), so no orphan keeps a port or a consumer name.
 */
import type { DefinedService } from '@ticketping/runtime';
import { configOrExit } from '@ticketping/config';
import { loadServiceProcessConfig, SERVICE_NAMES, type ServiceName } from './config.ts';

/** Only this service's code is loaded (each process pays the start-up of its own service alone). */
const DEFINITIONS: Record<ServiceName, () => Promise<{ definition: Pick<DefinedService, 'run'> }>> = {
  auth: () => import('@ticketping/auth/main'),
  catalog: () => import('@ticketping/catalog/main'),
  queue: () => import('@ticketping/queue/main'),
  booking: () => import('@ticketping/booking/main'),
  payment: () => import('@ticketping/payment/main'),
  tickets: () => import('@ticketping/tickets/main'),
  gateway: () => import('@ticketping/gateway/main'),
};

const name = process.argv[2] as ServiceName;
if (!SERVICE_NAMES.includes(name)) throw new Error(`usage: service-process.ts <${SERVICE_NAMES.join('|')}>`);
// ps, top and the benches' per-process figures name the process after its service.
process.title = `tp-${name}`;
const own = configOrExit(loadServiceProcessConfig);

const { definition } = await DEFINITIONS[name]();
await definition.run({
  listen: { port: own.PORT, managementPort: own.MANAGEMENT_PORT, host: '127.0.0.1' },
  logLevel: own.LOG_LEVEL,
  migrate: true,
  busRedisUrl: own.BUS_REDIS_URL,
  onListening: ({ port, managementPort }) => {
    process.send?.({ listening: port, management: managementPort });
    // The supervisor is gone (killed with -9): stop as if it had asked.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  },
  // Stopping already: the supervisor going away now needs no second signal.
  onStopping: () => process.removeAllListeners('disconnect'),
  onStopped: () => {
    // The IPC channel would keep the process alive.
    if (process.connected) process.disconnect();
  },
});
