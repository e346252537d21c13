/** Reads the configuration and starts the operator; SIGTERM stops it cleanly and releases the Lease. */
import { shutdownOnSignals } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { readConfig } from './config.ts';
import { startOperator } from './operator.ts';

const config = readConfig();
const logger = createLogger({ service: 'queue-scaler', level: config.LOG_LEVEL });
const operator = await startOperator(config, logger, () => {
  // like client-go: a leader that lost its Lease ends (code 1) and the kubelet brings it back as a
  // standby; once stopped, nothing holds the event loop, so the process ends by itself
  logger.error('lost leadership: stopping');
  process.exitCode = 1;
  void operator.stop();
});
shutdownOnSignals(logger, () => operator.stop());
