/**
 * One-off command that creates the first administrator (or promotes an existing account):
 *   DATABASE_URL=… ADMIN_EMAIL=… ADMIN_PASSWORD=… node --conditions=source src/create-admin.ts
 * There is deliberately no public endpoint for this.
 */
import { loadConfig, z } from '@ticketping/config';
import { createDb } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { createPasswordHasher } from './passwords/password-hasher.ts';
import { authConfigSchema } from './config.ts';
import { SCHEMA } from './migrate.ts';
import { createUsersRepo } from './users/users.repo.ts';
import { createUsersService } from './users/users.service.ts';

const config = loadConfig(z.object({
  DATABASE_URL: z.string().min(1),
  ADMIN_EMAIL: z.string().email(),
  ADMIN_PASSWORD: z.string().min(8).max(256),
  PASSWORD_HASH_COST: authConfigSchema.shape.PASSWORD_HASH_COST,
}));
const logger = createLogger({ service: 'auth-create-admin' });
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: 1 });
try {
  const users = createUsersService({ db, users: createUsersRepo(db), requestVerification: async () => {}, hasher: createPasswordHasher({ cost: config.PASSWORD_HASH_COST }), logger });
  const { id, created } = await users.ensureAdmin({ email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
  process.stdout.write(`${created ? 'created' : 'promoted or kept'} administrator ${config.ADMIN_EMAIL} (${id})\n`);
} finally {
  await db.destroy();
}
