/**
 * The images without a Docker engine. The one Dockerfile at the root, for each workspace's build
 * args (as the Tiltfile passes them): it parses, its stages and `--from`
 * references hold together, the production stage runs as a numeric non-root user from the folder
 * the chart expects, and every path it copies exists once its own `turbo prune` and build commands
 * have run (through the shell, with its build args). Then the production stage's COPY instructions
 * are replayed into a temporary /app (build-stage paths map
 * to the work tree after `turbo run build`), and what the chart runs there really runs: every
 * built module links without the `source` condition, the queue answers /healthz, and each database
 * service's `node dist/migrate.js` applies its built migrations to a fresh database.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { eventually, testEnv } from '@ticketping/testing';
import { parseDockerfile, type Dockerfile, type Instruction } from './dockerfile-parse.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../..');
const node = process.execPath;
const turbo = path.join(repo, 'node_modules/.bin/turbo');
const turboVersion = (JSON.parse(readFileSync(path.join(repo, 'node_modules/turbo/package.json'), 'utf8')) as { version: string }).version;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'tp-images-'));

/** The build args of each image, as the Tiltfile passes them (charts/ticketping/test/tiltfile.test.ts). */
const IMAGE_BUILD_ARGS: Record<string, Record<string, string>> = {
  ...Object.fromEntries(['gateway', 'auth', 'catalog', 'queue', 'booking', 'payment', 'tickets'].map((name) => [name, { WORKSPACE: `services/${name}` }])),
  gateway: { WORKSPACE: 'services/gateway', EXTRA_BUILD: 'services/web', EXTRA_FILES: 'docs/openapi.yaml' },
  'queue-scaler': { WORKSPACE: 'operators/queue-scaler' },
};

interface Image { dir: string; workspace: string; migrations: boolean; buildArgs: Record<string, string> }
const images: Image[] = Object.values(IMAGE_BUILD_ARGS).map((buildArgs) => ({
  dir: buildArgs.WORKSPACE!,
  workspace: `@ticketping/${path.basename(buildArgs.WORKSPACE!)}`,
  migrations: existsSync(path.join(repo, buildArgs.WORKSPACE!, 'migrations')),
  buildArgs,
}));
const dockerfileText = readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
const parsed = new Map<string, Dockerfile>(images.map((i) => [i.dir, parseDockerfile(dockerfileText, i.buildArgs)]));
const dockerfile = (image: Image) => parsed.get(image.dir)!;
const finalStage = (image: Image) => dockerfile(image).stages.at(-1)!;
const last = (instructions: Instruction[], keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1);
const layoutOf = (image: Image) => path.join(scratch, image.dir.replace('/', '-'), 'app');
/** The build stage's /image (what the production stage takes besides node_modules and packages/). */
const imageDirOf = (image: Image) => path.join(scratch, image.dir.replace('/', '-'), 'image');
const sh = (script: string, env: Record<string, string> = {}) =>
  run('sh', ['-c', script], { cwd: repo, env: { ...process.env, PATH: `${path.join(repo, 'node_modules/.bin')}:${process.env.PATH}`, ...env }, maxBuffer: 16 << 20 });

test('the parser reads continuations, flags and exec form, and refuses what it does not know', () => {
  const { args, stages } = parseDockerfile('ARG BASE=node:24-slim\nFROM ${BASE} AS a\n# note\nRUN echo one \\\n  two\nCOPY --from=a --chown=1000:1000 /x /y\nCMD ["node", "m.js"]\n');
  assert.equal(args, { BASE: 'node:24-slim' });
  assert.equal(stages[0]!.image, 'node:24-slim');
  assert.equal(stages[0]!.instructions.map((i) => [i.keyword, i.flags, i.args]), [
    ['RUN', {}, ['echo one two']],
    ['COPY', { from: 'a', chown: '1000:1000' }, ['/x', '/y']],
    ['CMD', {}, ['node', 'm.js']],
  ]);
  assert.throws(() => parseDockerfile('FROM node:24-slim\nHEALTHCHECK NONE\n'), /unsupported instruction HEALTHCHECK/);
  assert.throws(() => parseDockerfile('FROM node:24-slim\nRUN a \\'), /continuation at the end/);
  assert.throws(() => parseDockerfile('FROM ${MISSING}\n'), /MISSING is not a global ARG/);
});

test('the parser applies build args: global ARGs in FROM, stage ARGs in COPY/WORKDIR, and to RUN as env', () => {
  const text = 'ARG BASE=node:24-slim\nARG W=services/a\nARG X=\nFROM ${BASE} AS a\nARG W\nARG X\nRUN echo "$W"\nWORKDIR /app/${W}\nCOPY ${W}/dist ./dist\n';
  const { stages } = parseDockerfile(text, { W: 'operators/b' });
  assert.equal(stages[0]!.instructions.map((i) => [i.keyword, i.args, i.env]), [
    ['ARG', ['W'], undefined],
    ['ARG', ['X'], undefined],
    ['RUN', ['echo "$W"'], { W: 'operators/b', X: '' }],
    ['WORKDIR', ['/app/operators/b'], undefined],
    ['COPY', ['operators/b/dist', './dist'], undefined],
  ]);
  // A global ARG is not seen in a stage that does not declare it (Docker would expand it to nothing).
  assert.throws(() => parseDockerfile('ARG W=x\nFROM node:24-slim\nWORKDIR /app/${W}\n'), /W is not an ARG of stage 0/);
});

test('the Dockerfile, with each image\'s build args, parses into stages whose --from references name an earlier stage', () => {
  for (const image of images) {
    const { stages } = dockerfile(image);
    assert.ok(stages.length >= 3, `${image.dir}: multi-stage`);
    stages.forEach((stage, index) => {
      const earlier = new Set(stages.slice(0, index).map((s) => s.name));
      assert.ok(!earlier.has(stage.name), `${image.dir}: stage ${stage.name} named twice`);
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from)) {
        assert.ok(earlier.has(copy.flags.from!), `${image.dir}: COPY --from=${copy.flags.from} names no earlier stage`);
      }
      assert.ok(stage.image.startsWith('node:24-slim') || earlier.has(stage.image), `${image.dir}: ${stage.name} from ${stage.image}`);
    });
    // The prune stage installs turbo globally (nothing is installed yet): the lockfile's version.
    const turboArg = stages.find((s) => s.name === 'prune')?.instructions.find((i) => i.keyword === 'ARG' && i.args[0]?.startsWith('TURBO_VERSION='));
    assert.equal(turboArg?.args[0], `TURBO_VERSION=${turboVersion}`, image.dir);
  }
});

test('the production stage runs node dist/main.js as uid 1000 from the workspace folder', () => {
  for (const image of images) {
    const stage = finalStage(image);
    const user = last(stage.instructions, 'USER')?.args[0] ?? '';
    assert.match(user, /^\d+(:\d+)?$/, `${image.dir}: USER must be numeric`);
    assert.not.equal(Number(user.split(':')[0]), 0, `${image.dir}: USER must not be root`);
    assert.equal(last(stage.instructions, 'WORKDIR')?.args[0], `/app/${image.dir}`, image.dir);
    assert.equal(last(stage.instructions, 'CMD')?.args, ['node', 'dist/main.js'], image.dir);
    assert.ok(!stage.instructions.some((i) => i.keyword === 'RUN'), `${image.dir}: the production stage only copies`);
  }
});

test("the dev target keeps the repo under /app, owned by uid 1000, and watches src/main.ts (Tiltfile's contract)", () => {
  for (const image of images) {
    const dev = dockerfile(image).stages.find((s) => s.name === 'dev');
    assert.ok(dev, `${image.dir}: a dev stage`);
    const copy = dev.instructions.find((i) => i.keyword === 'COPY');
    assert.equal([copy?.flags.chown, copy?.args], ['1000:1000', ['/app', '/app']], image.dir);
    assert.equal(last(dev.instructions, 'USER')?.args, ['1000'], image.dir);
    assert.equal(last(dev.instructions, 'WORKDIR')?.args, [`/app/${image.dir}`], image.dir);
    assert.equal(last(dev.instructions, 'CMD')?.args, ['node', '--conditions=source', '--watch', 'src/main.ts'], image.dir);
  }
});

const runs = (image: Image, stage: string) => dockerfile(image).stages.find((s) => s.name === stage)!.instructions.filter((i) => i.keyword === 'RUN');

/**
 * Runs what the prune and build stages run, through the shell with each image's build args: its
 * turbo prune (into a scratch out dir), one turbo build with every image's filters (the `npx`
 * function prints the filters the build stage's command expands to), and the build stage's
 * assembly of /image (its /context and /image mapped to the repo and a scratch folder).
 */
async function pruneAndBuild(): Promise<void> {
  await Promise.all(images.map(async (image) => {
    const prune = runs(image, 'prune').find((i) => i.args[0]!.startsWith('turbo prune'))!;
    const out = path.join(scratch, 'prune', image.dir, 'out');
    await sh(`${prune.args[0]!} --out-dir=${out}`, prune.env);
    assert.ok(existsSync(path.join(out, 'full', image.dir, 'src/main.ts')), `${image.dir}: pruned for ${image.workspace}`);
    for (const extra of (image.buildArgs.EXTRA_BUILD ?? '').split(/\s+/).filter(Boolean)) assert.ok(existsSync(path.join(out, 'full', extra, 'package.json')), `${image.dir}: pruned with ${extra}`);
  }));
  const filters = new Set<string>();
  for (const image of images) {
    const build = runs(image, 'build').find((i) => i.args[0]!.startsWith('npx turbo run build'))!;
    const { stdout } = await sh(`npx() { shift 3; printf '%s\\n' "$@"; }; ${build.args[0]!}`, build.env);
    const expanded = stdout.split('\n').filter(Boolean);
    assert.ok(expanded.includes(`--filter=./${image.dir}`), `${image.dir}: builds ${expanded.join(' ')}`);
    for (const filter of expanded) filters.add(filter);
  }
  await run(turbo, ['run', 'build', '--output-logs=errors-only', ...filters], { cwd: repo, maxBuffer: 16 << 20 });
  for (const image of images) {
    const assembly = runs(image, 'build').find((i) => i.flags.mount === 'type=bind,target=/context')!;
    const script = assembly.args[0]!.replaceAll('"/image/', `"${imageDirOf(image)}/`).replaceAll('"/context/', `"${repo}/`);
    await sh(script, assembly.env);
  }
}

/** Where a COPY source is found here: the build context is the repo, build stages see the built repo. */
function sourcePath(image: Image, copy: Instruction, source: string): string {
  if (!copy.flags.from) return path.join(repo, source);
  const inStage = path.posix.relative('/app', source);
  if (copy.flags.from === 'prune') return path.join(scratch, 'prune', image.dir, inStage);
  if (copy.flags.from === 'build' && source.startsWith('/image')) return path.join(imageDirOf(image), path.posix.relative('/image', source));
  return path.join(repo, inStage);
}

test('every path the Dockerfile copies for each image exists after turbo prune and build, dist/ and built migrations included', async () => {
  await pruneAndBuild();
  for (const image of images) {
    for (const stage of dockerfile(image).stages) {
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY')) {
        for (const source of copy.args.slice(0, -1)) {
          assert.ok(existsSync(sourcePath(image, copy, source)), `${image.dir} (${stage.name}): COPY ${copy.flags.from ?? 'context'} ${source}`);
        }
      }
    }
    const service = path.join(repo, image.dir);
    assert.ok(existsSync(path.join(service, 'dist/main.js')), `${image.dir}/dist/main.js`);
    if (image.migrations) {
      assert.ok(existsSync(path.join(service, 'dist/migrate.js')), `${image.dir}/dist/migrate.js`);
      const sources = readdirSync(path.join(service, 'migrations')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '.js'));
      const built = readdirSync(path.join(service, 'dist/migrations')).filter((f) => f.endsWith('.js'));
      assert.equal(built.sort(), sources.sort(), `${image.dir}: every migration built`);
    }
  }
});

/**
 * Replays the production stage's COPY instructions into a scratch /app. Two shortcuts: the root
 * node_modules is linked rather than copied (npm's workspace links re-made inside the scratch /app),
 * and of packages/<name> only package.json and dist/ are taken, as the build stage's `find` leaves.
 */
function assemble(image: Image): string {
  const app = layoutOf(image);
  let workdir = '/';
  for (const instruction of finalStage(image).instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, instruction.args[0]!);
    if (instruction.keyword !== 'COPY') continue;
    const destination = path.join(app, path.posix.relative('/app', path.posix.resolve(workdir, instruction.args.at(-1)!)));
    const source = instruction.args[0]!;
    if (path.posix.basename(source) === 'node_modules') linkNodeModules(destination);
    else cpSync(sourcePath(image, instruction, source), destination, { recursive: true, filter: keepInPackages });
  }
  return app;
}

function keepInPackages(file: string): boolean {
  const relative = path.relative(repo, file).split(path.sep);
  if (relative.includes('node_modules')) return false;
  return relative[0] !== 'packages' || relative.length < 3 || ['package.json', 'dist'].includes(relative[2]!);
}

function linkNodeModules(destination: string): void {
  mkdirSync(path.join(destination, '@ticketping'), { recursive: true });
  for (const entry of readdirSync(path.join(repo, 'node_modules'))) {
    if (entry !== '@ticketping' && entry !== '.bin') symlinkSync(path.join(repo, 'node_modules', entry), path.join(destination, entry));
  }
  for (const folder of ['packages', 'services', 'operators']) {
    for (const name of readdirSync(path.join(repo, folder))) {
      const link = path.join(destination, '@ticketping', name);
      if (!existsSync(link)) symlinkSync(path.join('../..', folder, name), link);
    }
  }
}

/** What `node dist/main.js` loads, short of starting: the modules main.js imports (and the migrations). */
function entryModules(cwd: string, image: Image): string[] {
  const main = readFileSync(path.join(cwd, 'dist/main.js'), 'utf8');
  const modules = [...main.matchAll(/^import [^;]*?from ['"](\.\/[^'"]+)['"]/gm)].map((m) => `./dist/${m[1]!.slice(2)}`);
  if (image.migrations) {
    modules.push('./dist/migrate.js', ...readdirSync(path.join(cwd, 'migrations')).filter((f) => f.endsWith('.js')).map((f) => `./migrations/${f}`));
  }
  return modules;
}

test('in the assembled images what main.js imports links without the source condition', async () => {
  await Promise.all(images.map(async (image) => {
    const cwd = path.join(assemble(image), image.dir);
    const modules = entryModules(cwd, image);
    assert.ok(modules.length > 1, `${image.dir}: main.js imports its modules`);
    const script = `for (const m of ${JSON.stringify(modules)}) await import(new URL(m, 'file://' + process.cwd() + '/'));`;
    await run(node, ['--input-type=module', '-e', script], { cwd }).catch((error: Error & { stderr?: string }) => {
      assert.unreachable(`${image.dir}: ${error.stderr ?? error.message}`);
    });
  }));
});

test("the gateway image holds the web pages and the OpenAPI document where the gateway's config looks", async () => {
  const cwd = path.join(layoutOf(images[0]!), 'services/gateway');
  const script = "const { loadConfig } = await import('./dist/config.js'); const c = loadConfig({ INTERNAL_TOKEN: 'x'.repeat(16) }); process.stdout.write(JSON.stringify([c.WEB_DIST, c.OPENAPI_PATH]));";
  const { stdout } = await run(node, ['--input-type=module', '-e', script], { cwd });
  const [webDist, openapi] = JSON.parse(stdout) as [string, string];
  assert.ok(webDist.startsWith(layoutOf(images[0]!)) && existsSync(path.join(webDist, 'index.html')), webDist);
  assert.ok(openapi.startsWith(layoutOf(images[0]!)) && existsSync(openapi), openapi);
});

test('the queue image starts with node dist/main.js and answers /healthz', async () => {
  const queue = images.find((i) => i.dir === 'services/queue')!;
  const child = spawn(node, ['dist/main.js'], {
    cwd: path.join(layoutOf(queue), queue.dir),
    env: { PATH: process.env.PATH, REDIS_URL: testEnv.redisUrl, INTERNAL_TOKEN: 'images-test-internal-token', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const port = await eventually(() => /"port":(\d+)[^\n]*queue listening/.exec(output)?.[1], 20_000);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(response.status, 200, output);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

test("each database image's node dist/migrate.js applies its built migrations to a fresh database", async () => {
  const database: TestDatabase = await createTestDatabase(testEnv.postgresUrl, []);
  try {
    for (const image of images.filter((i) => i.migrations)) {
      const cwd = path.join(layoutOf(image), image.dir);
      // Exactly what the chart's migrate init container sets: no service secret.
      const env = { PATH: process.env.PATH, DATABASE_URL: database.url, LOG_LEVEL: 'info' };
      await run(node, ['dist/migrate.js'], { cwd, env }).catch((error: Error & { stderr?: string }) => {
        assert.unreachable(`${image.dir}: ${error.stderr ?? error.message}`);
      });
      const schema = (await import(path.join(repo, image.dir, 'src/migrate.ts')) as { SCHEMA: string }).SCHEMA;
      const applied = await database.knex.withSchema(schema).from('knex_migrations').pluck('name') as string[];
      const expected = readdirSync(path.join(cwd, 'migrations')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''));
      assert.equal(applied.sort(), expected.sort(), image.dir);
    }
  } finally {
    await database.drop();
  }
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
