// Reads the runtime (last) stage of a Dockerfile: the instructions that
// decide how the container starts. Line continuations are joined; JSON
// (exec-form) arguments are parsed, shell form is kept as a string.
export interface RuntimeStage {
  stages: string[];
  from: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  expose: string[];
  cmd: string[];
  entrypoint: string[];
  volumes: string[];
  healthcheck: { options: Record<string, string>; cmd: string[] };
  runs: string[];
  copies: string[];
}

function logicalLines(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string'))
    throw new Error(`not an exec-form array: ${args}`);
  return parsed as string[];
}

function parseEnv(args: string, into: Record<string, string>): void {
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    into[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  }
}

export function parseDockerfile(text: string): RuntimeStage {
  const lines = logicalLines(text);
  const stages = lines.filter((l) => /^FROM\s/i.test(l));
  const last = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const stage: RuntimeStage = {
    stages,
    from: lines[last] ?? '',
    workdir: '/',
    env: {},
    expose: [],
    cmd: [],
    entrypoint: [],
    volumes: [],
    healthcheck: { options: {}, cmd: [] },
    runs: [],
    copies: [],
  };
  for (const line of lines.slice(last + 1)) apply(stage, line);
  return stage;
}

function apply(stage: RuntimeStage, line: string): void {
  const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
  switch (op.toUpperCase()) {
    case 'WORKDIR':
      stage.workdir = args;
      break;
    case 'ENV':
      parseEnv(args, stage.env);
      break;
    case 'USER':
      stage.user = args;
      break;
    case 'EXPOSE':
      stage.expose.push(...args.split(/\s+/));
      break;
    case 'CMD':
      stage.cmd = execForm(args);
      break;
    case 'ENTRYPOINT':
      stage.entrypoint = execForm(args);
      break;
    case 'VOLUME':
      stage.volumes.push(...(args.startsWith('[') ? execForm(args) : args.split(/\s+/)));
      break;
    case 'RUN':
      stage.runs.push(args);
      break;
    case 'COPY':
      stage.copies.push(args);
      break;
    case 'HEALTHCHECK':
      stage.healthcheck = parseHealthcheck(args);
      break;
    default:
      break;
  }
}

function parseHealthcheck(args: string): RuntimeStage['healthcheck'] {
  const m = /^((?:--\S+=\S+\s+)*)CMD\s+(.*)$/.exec(args);
  if (!m) throw new Error(`HEALTHCHECK without exec-form CMD: ${args}`);
  const options: Record<string, string> = {};
  for (const o of m[1]!.trim().split(/\s+/).filter(Boolean)) {
    const [k, v] = o.replace(/^--/, '').split('=');
    options[k!] = v ?? '';
  }
  return { options, cmd: execForm(m[2]!) };
}
