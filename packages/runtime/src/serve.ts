import { listenBoth, shutdownOnSignals, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { shutdownTracing } from '@ticketping/telemetry';

export interface RunnableService {
  app: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The end of every service's main.ts: start its background work, listen on both ports, and on
 * SIGTERM stop accepting, drain in-flight requests, stop the background work, then close the
 * clients (in the order given) and flush traces.
 */
export async function serve(
  name: string,
  service: RunnableService,
  { port, managementPort, host, logger, closeClients }: { port: number; managementPort: number; host: string; logger: Logger; closeClients: Array<() => unknown> },
): Promise<void> {
  await service.start();
  const listeners = await listenBoth(service.app, { port, managementPort, host });
  logger.info({ port: listeners.public.port, managementPort: listeners.management.port }, `${name} listening`);
  shutdownOnSignals(logger, async () => {
    await listeners.close();
    await service.stop();
    for (const close of closeClients) await close();
    await shutdownTracing();
  });
}
