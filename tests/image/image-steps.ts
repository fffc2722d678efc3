/**
 * Performs the image's build steps without a container runtime: reads the Dockerfile that
 * docker-compose.yml carries inline and carries out each instruction on a clean copy of the
 * committed tree (`git archive HEAD`, filtered by .dockerignore as `COPY . .` would be) — each
 * stage in its own folder standing for its WORKDIR — then reports how the final stage starts
 * (ENTRYPOINT + CMD, ENV) and its HEALTHCHECK command. An instruction it does not know fails the
 * run, so the Dockerfile cannot grow a step this check silently skips.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';

export interface ComposeFile {
  services: Record<string, Record<string, any>>;
  [k: string]: unknown;
}

export function readCompose(root: string): ComposeFile {
  return parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

export function inlineDockerfile(compose: ComposeFile, service = 'bot'): string {
  const text = compose.services[service]?.build?.dockerfile_inline;
  if (typeof text !== 'string') throw new Error(`service ${service} has no build.dockerfile_inline`);
  return text;
}

export interface BuiltImage {
  /** The final stage's WORKDIR, as built. */
  dir: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  user: string | undefined;
  healthcheck: string[];
  expose: string[];
  stages: string[];
  /** Debian packages the image installs (checked present on this host instead). */
  debianPackages: string[];
  /** Every instruction carried out, in order (for the report). */
  log: string[];
}

/** `.dockerignore` as the builder reads it: patterns from the context root, `!` re-includes, last match wins. */
export function dockerignore(text: string): (rel: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      const re = new RegExp(
        '^' +
          pattern
            .split('')
            .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
            .join('') +
          '$',
      );
      return { negate, re };
    });
  return (rel) => {
    // A path is excluded when it or any folder above it matches.
    const parts = rel.split('/');
    let ignored = false;
    for (const r of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (r.re.test(parts.slice(0, i).join('/'))) {
          ignored = !r.negate;
          break;
        }
      }
    }
    return ignored;
  };
}

function copyFiltered(from: string, to: string, ignored: (rel: string) => boolean): void {
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = relative(from, abs);
      if (ignored(rel)) continue;
      if (statSync(abs).isDirectory()) walk(abs);
      else {
        mkdirSync(dirname(join(to, rel)), { recursive: true });
        cpSync(abs, join(to, rel));
      }
    }
  };
  walk(from);
}

/** JSON-array (exec) form, or a plain shell string. */
function execForm(arg: string): string[] {
  const t = arg.trim();
  return t.startsWith('[') ? (JSON.parse(t) as string[]) : ['/bin/sh', '-c', t];
}

export function buildImage(opts: { root: string; work: string; dockerfile: string; runEnv?: Record<string, string> }): BuiltImage {
  const context = join(opts.work, 'context');
  const clean = join(opts.work, 'clean-clone');
  mkdirSync(clean, { recursive: true });
  // The committed tree only: what a clean clone holds, nothing of this checkout's node_modules.
  execFileSync('/bin/sh', ['-c', `git -C "${opts.root}" archive HEAD | tar -x -C "${clean}"`]);
  copyFiltered(clean, context, dockerignore(readFileSync(join(clean, '.dockerignore'), 'utf8')));

  const stages = new Map<string, string>();
  const img: BuiltImage = { dir: '', entrypoint: [], cmd: [], env: {}, user: undefined, healthcheck: [], expose: [], stages: [], debianPackages: [], log: [] };
  let dir = '';
  let workdir = '/';
  const inStage = (p: string) => join(dir, p.startsWith('/') ? relative(workdir, p) : p);

  for (const raw of opts.dockerfile.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op, arg = ''] = /^(\S+)\s*(.*)$/.exec(line)!;
    img.log.push(line);
    switch (op!.toUpperCase()) {
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(arg)!;
        const name = m[2] ?? `stage${stages.size}`;
        img.stages.push(m[1]!);
        dir = join(opts.work, 'stages', name);
        mkdirSync(dir, { recursive: true });
        stages.set(name, dir);
        img.env = {};
        img.user = undefined;
        workdir = '/';
        break;
      }
      case 'WORKDIR':
        workdir = arg;
        break;
      case 'ENV':
        for (const m of arg.matchAll(/(\w+)=("[^"]*"|\S+)/g)) img.env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
        break;
      case 'COPY': {
        const words = arg.split(/\s+/);
        const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
        const dest = words.pop()!;
        for (const src of words) {
          if (from) {
            const stageDir = stages.get(from);
            if (!stageDir) throw new Error(`COPY --from=${from}: no such stage`);
            // The source stage's WORKDIR was /app too; its paths map into its folder the same way.
            cpSync(join(stageDir, relative(workdir, src)), inStage(dest), { recursive: true });
          } else if (src === '.') {
            cpSync(context, inStage(dest), { recursive: true });
          } else {
            cpSync(join(context, src), join(inStage(dest), dest.endsWith('/') ? src : ''), { recursive: true });
          }
        }
        break;
      }
      case 'RUN': {
        // Debian packages are the base image's business, not this host's: they must already be
        // here (.ci/run installs them), and the rest of the line is not run.
        const apt = /\bapt-get install\b(.*?)(?:&&|$)/.exec(arg);
        if (apt) {
          const pkgs = apt[1]!.split(/\s+/).filter((w) => w && !w.startsWith('-'));
          for (const p of pkgs) execFileSync('dpkg', ['-s', p], { stdio: 'pipe' });
          img.debianPackages.push(...pkgs);
          break;
        }
        execFileSync('/bin/sh', ['-c', arg], { cwd: dir, stdio: 'pipe', env: { ...process.env, ...img.env, ...opts.runEnv } });
        break;
      }
      case 'USER':
        img.user = arg;
        break;
      case 'EXPOSE':
        img.expose.push(...arg.split(/\s+/));
        break;
      case 'HEALTHCHECK':
        img.healthcheck = execForm(arg.replace(/^(--\S+\s+)*CMD\s+/, ''));
        break;
      case 'ENTRYPOINT':
        img.entrypoint = execForm(arg);
        break;
      case 'CMD':
        img.cmd = execForm(arg);
        break;
      default:
        throw new Error(`instruction not covered by this check: ${line}`);
    }
  }
  img.dir = dir;
  return img;
}
