/** `npm start`: the whole platform on this machine, with embedded defaults. */
import { createLogger } from '@ticketping/logger';
import { shutdownOnSignals } from '@ticketping/http';
import { loadStandaloneConfig } from './config.ts';
import { startStandalone } from './standalone.ts';

const config = loadStandaloneConfig();
const logger = createLogger({ service: 'standalone', level: config.LOG_LEVEL });
const started = Date.now();
const platform = await startStandalone({ port: config.PORT, dataDir: config.DATA_DIR, mailPort: config.MAIL_PORT, seedDemo: config.SEED_DEMO, logLevel: config.LOG_LEVEL, logger });
shutdownOnSignals(logger, platform.stop);
process.stdout.write([
  '',
  `  TicketPing is running in standalone mode (ready in ${((Date.now() - started) / 1000).toFixed(1)}s)`,
  `  Open          ${platform.url}`,
  `  Admin login   ${platform.adminEmail} / ${platform.adminPassword}`,
  `  Mail          ${platform.mailUrl}  (every e-mail the platform sends: tickets, sign-up checks)`,
  '  Stop with Ctrl-C',
  '',
].join('\n') + '\n');
