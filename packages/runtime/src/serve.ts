import { listen, shutdownOnSignals, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { shutdownTracing } from '@ticketping/telemetry';

export interface RunnableService {
  app: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The end of every service's main.ts: start its background work, listen, and on SIGTERM stop
 * accepting, drain in-flight requests, stop the background work, then close the clients (in the
 * order given) and flush traces.
 */
export async function serve(
  name: string,
  service: RunnableService,
  { port, host, logger, closeClients }: { port: number; host: string; logger: Logger; closeClients: Array<() => unknown> },
): Promise<void> {
  await service.start();
  const server = await listen(service.app, port, host);
  logger.info({ port: server.port }, `${name} listening`);
  shutdownOnSignals(logger, async () => {
    await server.close();
    await service.stop();
    for (const close of closeClients) await close();
    await shutdownTracing();
  });
}
