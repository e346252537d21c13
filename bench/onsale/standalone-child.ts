/**
 * Standalone in its own process, so its CPU and memory are measured apart from the fans' driver.
 * Forked by targets.ts with the data directory as argument; sends `{ url, adminEmail,
 * adminPassword }` once ready and stops cleanly on SIGTERM or when the parent goes away.
 */
import { startStandalone } from '@ticketping/standalone';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: standalone-child.ts <dataDir>');
const platform = await startStandalone({ port: 0, dataDir, seedDemo: false, logLevel: 'warn' });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await platform.stop();
  if (process.connected) process.disconnect(); // the channel to the parent is the last thing keeping this process alive
};
process.once('SIGTERM', () => void stop());
process.once('disconnect', () => void stop());
process.send!({ url: platform.url, metricsUrl: platform.management.gateway, adminEmail: platform.adminEmail, adminPassword: platform.adminPassword, databaseUrls: platform.databaseUrls });
