// Shared pieces of the Thanos and Grafana stand-ins (see README.md): a kingpin-like flag parser,
// a logfmt logger, Prometheus-style durations, and small HTTP helpers.
// Bundled by build.ts into single-file scripts; only node: modules and the `yaml` package.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Flags (kingpin v2 semantics, as used by Thanos)

export type FlagKind = 'string' | 'bool' | 'duration' | 'enum' | 'url' | 'int' | 'float';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  default?: string;
  repeatable?: boolean;
  /** a real flag kingpin hides from --help (accepted all the same) */
  hidden?: boolean;
  enumValues?: string[];
  placeholder?: string;
}

export interface CommandSpec {
  name: string;
  help: string;
  flags: FlagSpec[];
}

export interface Parsed {
  command: string | null;
  /** last value of each non-repeatable flag (default applied) */
  values: Map<string, string>;
  /** all values of repeatable flags */
  lists: Map<string, string[]>;
  bools: Map<string, boolean>;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

/** Prometheus/Thanos model.Duration: 1y2w3d4h5m6s7ms, or "0". Returns milliseconds. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(s);
  if (!m || s === '') throw new Error(`not a valid duration string: "${s}"`);
  const mult = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];
  let ms = 0;
  for (let i = 0; i < mult.length; i++) if (m[i + 1]) ms += Number(m[i + 1]) * mult[i];
  return ms;
}

function checkValue(f: FlagSpec, v: string): void {
  if (f.kind === 'duration') {
    try {
      parseDuration(v);
    } catch (e) {
      throw new UsageError(`${(e as Error).message}`);
    }
  } else if (f.kind === 'enum' && f.enumValues && !f.enumValues.includes(v)) {
    throw new UsageError(`enum value must be one of ${f.enumValues.join(',')}, got '${v}'`);
  } else if (f.kind === 'int') {
    if (!/^[+-]?\d+$/.test(v)) throw new UsageError(`strconv.ParseInt: parsing "${v}": invalid syntax`);
  } else if (f.kind === 'float') {
    if (v.trim() === '' || !Number.isFinite(Number(v))) throw new UsageError(`strconv.ParseFloat: parsing "${v}": invalid syntax`);
  } else if (f.kind === 'url') {
    try {
      new URL(v);
    } catch {
      throw new UsageError(`invalid URL '${v}'`);
    }
  }
}

/**
 * Parses argv like kingpin: `--flag=value`, `--flag value`, `--bool`, `--no-bool`, `--bool=false`,
 * `-h`, `--help`, `--version`, `--` ends flags. Flags before the command must be app flags.
 * Throws UsageError with kingpin's wording ("unknown long flag '--x'", "unknown short flag '-p'",
 * "unexpected X", "expected command but got ...").
 */
export function parseArgs(argv: string[], appFlags: FlagSpec[], commands: CommandSpec[]): Parsed {
  const out: Parsed = {
    command: null,
    values: new Map(),
    lists: new Map(),
    bools: new Map(),
    help: false,
    version: false,
  };
  let active = [...appFlags];
  const seen = new Set<string>();
  let onlyArgs = false;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (!onlyArgs && tok === '--') {
      onlyArgs = true;
      continue;
    }
    if (!onlyArgs && tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      let name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
      let inline: string | undefined = eq >= 0 ? tok.slice(eq + 1) : undefined;
      if (name === 'help' || name === 'help-long' || name === 'help-man') {
        out.help = true;
        continue;
      }
      if (name === 'version' && inline === undefined) {
        out.version = true;
        continue;
      }
      let negated = false;
      let spec = active.find((f) => f.name === name);
      if (!spec && name.startsWith('no-')) {
        const pos = active.find((f) => f.name === name.slice(3) && f.kind === 'bool');
        if (pos) {
          spec = pos;
          negated = true;
          name = pos.name;
        }
      }
      if (!spec) throw new UsageError(`unknown long flag '--${name}'`);
      if (!spec.repeatable && seen.has(spec.name)) throw new UsageError(`flag '${spec.name}' cannot be repeated`);
      seen.add(spec.name);
      if (spec.kind === 'bool') {
        if (inline !== undefined && !/^(true|false|1|0)$/.test(inline)) {
          throw new UsageError(`strconv.ParseBool: parsing "${inline}": invalid syntax`);
        }
        const v = inline === undefined ? true : inline === 'true' || inline === '1';
        out.bools.set(spec.name, negated ? !v : v);
        continue;
      }
      if (inline === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`expected argument for flag '--${spec.name}'`);
        inline = argv[++i];
      }
      checkValue(spec, inline);
      if (spec.repeatable) {
        const l = out.lists.get(spec.name) ?? [];
        l.push(inline);
        out.lists.set(spec.name, l);
      } else out.values.set(spec.name, inline);
      continue;
    }
    if (!onlyArgs && tok.startsWith('-') && tok.length > 1) {
      if (tok === '-h') {
        out.help = true;
        continue;
      }
      throw new UsageError(`unknown short flag '-${tok[1]}'`);
    }
    // positional
    if (out.command === null) {
      const cmd = commands.find((c) => c.name === tok);
      if (!cmd) throw new UsageError(`expected command but got "${tok}"`);
      out.command = cmd.name;
      active = [...appFlags, ...cmd.flags];
      continue;
    }
    throw new UsageError(`unexpected ${tok}`);
  }
  for (const f of active) {
    if (f.kind === 'bool') {
      if (!out.bools.has(f.name)) out.bools.set(f.name, f.default === 'true');
    } else if (f.repeatable) {
      if (!out.lists.has(f.name)) out.lists.set(f.name, []);
    } else if (!out.values.has(f.name) && f.default !== undefined) out.values.set(f.name, f.default);
  }
  if (out.command === null && !out.help && !out.version && commands.length > 0) {
    throw new UsageError('expected command but got nothing');
  }
  return out;
}

export function usage(prog: string, cmd: CommandSpec | null, appFlags: FlagSpec[], commands: CommandSpec[]): string {
  const lines: string[] = [];
  const flagLine = (f: FlagSpec) => {
    const name = f.kind === 'bool' ? `--[no-]${f.name}` : `--${f.name}=${f.default !== undefined ? JSON.stringify(f.default) : (f.placeholder ?? '<value>')}`;
    return `      ${name}${f.repeatable ? ' ...' : ''}\n          ${f.help}`;
  };
  if (cmd) {
    lines.push(`usage: ${prog} ${cmd.name} [<flags>]`, '', cmd.help, '', 'Flags:');
    lines.push('  -h, --help  Show context-sensitive help.', '      --version  Show application version.');
    for (const f of [...appFlags, ...cmd.flags]) if (!f.hidden) lines.push(flagLine(f));
  } else {
    lines.push(`usage: ${prog} [<flags>] <command> [<args> ...]`, '', 'Flags:');
    lines.push('  -h, --help  Show context-sensitive help.', '      --version  Show application version.');
    for (const f of appFlags) if (!f.hidden) lines.push(flagLine(f));
    lines.push('', 'Commands:');
    for (const c of commands) lines.push(`  ${c.name}\n    ${c.help}`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Logging: logfmt lines on stderr, like go-kit's logfmt logger used by Thanos

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(msg: string, kv?: Record<string, unknown>): void;
  info(msg: string, kv?: Record<string, unknown>): void;
  warn(msg: string, kv?: Record<string, unknown>): void;
  error(msg: string, kv?: Record<string, unknown>): void;
  with(kv: Record<string, unknown>): Logger;
}

function fmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
  if (s === undefined) return '""';
  if (s === '' || /[\s"=\\]/.test(s) || /[^\x21-\x7e]/.test(s)) return JSON.stringify(s);
  return s;
}

export function makeLogger(minLevel: string, format: string, base: Record<string, unknown> = {}): Logger {
  const min = Math.max(0, LEVELS.indexOf(minLevel as Level));
  const emit = (level: Level, msg: string, kv: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < min) return;
    const rec: Record<string, unknown> = { ts: new Date().toISOString(), level, ...base, msg, ...kv };
    let line: string;
    if (format === 'json') {
      line = JSON.stringify(rec, (_k, v: unknown) => (v instanceof Error ? v.message : v));
    } else {
      line = Object.entries(rec)
        .map(([k, v]) => `${k}=${fmtValue(v)}`)
        .join(' ');
    }
    process.stderr.write(line + '\n');
  };
  return {
    debug: (m, kv) => emit('debug', m, kv),
    info: (m, kv) => emit('info', m, kv),
    warn: (m, kv) => emit('warn', m, kv),
    error: (m, kv) => emit('error', m, kv),
    with: (kv) => makeLogger(minLevel, format, { ...base, ...kv }),
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`address ${addr}: missing port in address`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`address ${addr}: invalid port`);
  return { host: m[1] ?? m[2] ?? '', port };
}

export type Handler = (req: http.IncomingMessage, url: URL, body: string) => Promise<Reply> | Reply;
export interface Reply {
  status: number;
  body: string;
  type?: string;
  headers?: Record<string, string>;
}

export const json = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
  type: 'application/json',
});
export const text = (status: number, body: string): Reply => ({ status, body, type: 'text/plain; charset=utf-8' });

/** Listens on host:port ("0.0.0.0:10902", ":10902", "[::1]:80"); rejects like Go's net.Listen. */
export function listen(addr: string, handler: Handler): Promise<http.Server> {
  const { host, port } = splitHostPort(addr);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      Promise.resolve()
        .then(() => handler(req, url, Buffer.concat(chunks).toString()))
        .catch((e: unknown): Reply => text(500, `internal error: ${(e as Error).message}\n`))
        .then((r) => {
          res.writeHead(r.status, { 'Content-Type': r.type ?? 'text/plain', ...(r.headers ?? {}) });
          res.end(r.body);
        });
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const what = e.code === 'EADDRINUSE' ? 'bind: address already in use' : e.code === 'EACCES' ? 'bind: permission denied' : e.message;
      reject(new Error(`listen tcp ${addr}: ${what}`));
    });
    server.listen({ host: host === '' ? undefined : host, port }, () => resolve(server));
  });
}

export function boundPort(s: http.Server): number {
  return (s.address() as AddressInfo).port;
}

/** GET/POST with a deadline. Resolves with status and body text; rejects on network errors. */
export async function fetchText(
  url: string,
  timeoutMs: number,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

/** Short, single-line description of a fetch failure ("connect ECONNREFUSED 127.0.0.1:9") */
export function netError(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string; code?: string } };
  if (err.cause?.message) return err.cause.message;
  return err.message ?? String(e);
}

/** Request parameters from the query string and, for POST, an urlencoded body. */
export function params(url: URL, req: http.IncomingMessage, body: string): URLSearchParams {
  const p = new URLSearchParams(url.searchParams);
  const ct = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && (ct.startsWith('application/x-www-form-urlencoded') || ct === '')) {
    for (const [k, v] of new URLSearchParams(body)) p.append(k, v);
  }
  return p;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
