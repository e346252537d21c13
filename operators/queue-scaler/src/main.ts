/** Reads the configuration and starts the operator; SIGTERM stops it cleanly and releases the Lease. */
import { shutdownOnSignals } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { readConfig } from './config.ts';
import { startOperator } from './operator.ts';

const config = readConfig();
const logger = createLogger({ service: 'queue-scaler', level: config.LOG_LEVEL });
const operator = await startOperator(config, logger, () => {
  // like client-go: a leader that lost its Lease exits, and comes back as a standby
  logger.error('lost leadership: exiting');
  process.exit(1);
});
shutdownOnSignals(logger, () => operator.stop());
