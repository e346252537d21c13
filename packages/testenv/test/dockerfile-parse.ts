/**
 * A parser for the Dockerfile instructions our images use (FROM/AS, WORKDIR, COPY/ADD with flags,
 * RUN, ENV, USER, CMD/ENTRYPOINT, EXPOSE, ARG): enough to check them without a Docker engine.
 * Anything else is an error, so a new instruction gets checked before it gets used.
 * Build args are applied as Docker does: global ARGs in FROM, a stage's ARGs (declared in that
 * stage) in its COPY/ADD/WORKDIR/ENV/USER/EXPOSE; RUN keeps its text and gets the ARGs in scope as
 * `env`, for the shell to expand.
 */
export interface Instruction {
  keyword: string;
  /** `--name=value` flags (COPY --from, --chown; RUN --mount). */
  flags: Record<string, string>;
  /** Exec form (`["node", "x"]`) as given; shell form as one string for RUN/CMD/ENTRYPOINT, else split on spaces. */
  args: string[];
  line: number;
  /** For RUN: the ARGs in scope there, as the shell's environment. */
  env?: Record<string, string>;
}

export interface Stage { name: string; image: string; instructions: Instruction[] }
export interface Dockerfile { args: Record<string, string>; stages: Stage[] }

const KEYWORDS = new Set(['FROM', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'ENV', 'USER', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'ARG']);
const SHELL_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT']);

/** Joins `\`-continued lines and drops comments and blank lines; keeps each instruction's first line number. */
function logicalLines(text: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (!trimmed && !pending)) return;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: index + 1 };
    if (!continued) {
      lines.push(pending);
      pending = undefined;
    }
  });
  if (pending) throw new Error(`line ${pending.line}: continuation at the end of the file`);
  return lines;
}

function parseInstruction({ text, line }: { text: string; line: number }): Instruction {
  const [keyword = '', ...rest] = text.split(/\s+/);
  const upper = keyword.toUpperCase();
  if (!KEYWORDS.has(upper)) throw new Error(`line ${line}: unsupported instruction ${keyword}`);
  const flags: Record<string, string> = {};
  while (rest[0]?.startsWith('--')) {
    const [name = '', value = ''] = rest.shift()!.slice(2).split(/=(.*)/s);
    flags[name] = value;
  }
  const body = rest.join(' ');
  let args: string[];
  if (body.startsWith('[')) {
    const parsed: unknown = JSON.parse(body);
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`line ${line}: exec form must be a JSON array of strings`);
    args = parsed as string[];
  } else {
    args = SHELL_FORM.has(upper) ? [body] : rest;
  }
  if (!args.length || !args[0]) throw new Error(`line ${line}: ${upper} without arguments`);
  if ((upper === 'COPY' || upper === 'ADD') && args.length < 2) throw new Error(`line ${line}: ${upper} needs a source and a destination`);
  return { keyword: upper, flags, args, line };
}

/** Instructions whose arguments Docker expands ARGs in (RUN and CMD are left to the shell, if any). */
const EXPANDED = new Set(['COPY', 'ADD', 'WORKDIR', 'ENV', 'USER', 'EXPOSE']);

/** `${NAME}` / `$NAME` from the ARGs in scope (FROM lines only see the global ones). */
function substitute(value: string, args: Record<string, string>, line: number, scope: string): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (!(name in args)) throw new Error(`line ${line}: ${name} is not ${scope}`);
    return args[name]!;
  });
}

/** `buildArgs` are `--build-arg`s: they override the default of every ARG of that name. */
export function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stageArgs: Record<string, string> = {};
  for (const instruction of logicalLines(text).map(parseInstruction)) {
    const { keyword, args, line } = instruction;
    const arg = keyword === 'ARG' ? args[0]!.split(/=(.*)/s) : [];
    if (keyword === 'FROM') {
      const [image = '', as, name] = args;
      if (as !== undefined && (as.toUpperCase() !== 'AS' || !name)) throw new Error(`line ${line}: FROM <image> [AS <name>]`);
      stages.push({ name: name ?? String(stages.length), image: substitute(image, globalArgs, line, 'a global ARG'), instructions: [] });
      stageArgs = {};
    } else if (stages.length) {
      if (keyword === 'ARG') {
        // A global ARG redeclared without a value brings the global value into the stage.
        const [name = '', value] = arg;
        stageArgs[name] = buildArgs[name] ?? value ?? globalArgs[name] ?? '';
      } else if (EXPANDED.has(keyword)) {
        instruction.args = args.map((a) => substitute(a, stageArgs, line, `an ARG of stage ${stages.at(-1)!.name}`));
      } else if (keyword === 'RUN') {
        instruction.env = { ...stageArgs };
      }
      stages.at(-1)!.instructions.push(instruction);
    } else if (keyword === 'ARG') {
      const [name = '', value = ''] = arg;
      globalArgs[name] = buildArgs[name] ?? value;
    } else {
      throw new Error(`line ${line}: only ARG may come before the first FROM`);
    }
  }
  if (!stages.length) throw new Error('no FROM');
  return { args: globalArgs, stages };
}
