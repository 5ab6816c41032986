// How many tasks of real Ansible roles skiff accepts as written (issue #14): each tasks file of each
// role goes through prepare() in-process, as `skiff validate` does, imported into a generated play
// with import_role (skiff reads the role's defaults, vars, handlers and dependencies; one local host). Prints, per role,
// tasks accepted / total and the commonest reasons for the rest. Reads a corpus of role checkouts
// from a directory (not part of the repository, not run by `npm test`):
//   npm run compat -- DIR      (default: ../shared/corpus)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { prepare } from '../src/engine/prepare.ts';
import { REGISTRY } from '../tasks/index.ts';

interface Leaf {
  start: number;
  end: number;
  top: number;
}

/** Roles under `dir`: every directory with a tasks/ directory of YAML files. */
function findRoles(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'molecule' || e.name === 'tests') continue;
    const p = join(dir, e.name);
    if (e.name === 'tasks' && readdirSync(p).some((f) => /\.ya?ml$/.test(f))) out.push(dir);
    else out.push(...findRoles(p, depth + 1));
  }
  return [...new Set(out)];
}

/** The line ranges of each task (blocks opened) in a tasks file, shifted by `offset` lines. */
function leaves(text: string, offset: number): Leaf[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, version: '1.1' });
  const out: Leaf[] = [];
  const line = (o: number) => lc.linePos(o).line + offset;
  const walk = (seq: unknown, top: number | undefined) => {
    if (!isSeq(seq)) return;
    seq.items.forEach((item, i) => {
      const n = item as Node;
      const t = top ?? i;
      if (isMap(n) && ['block', 'rescue', 'always'].some((k) => n.has(k))) for (const k of ['block', 'rescue', 'always']) walk(n.get(k, true), t);
      else if (n?.range) out.push({ start: line(n.range[0]), end: line(n.range[1]), top: t });
    });
  };
  walk(doc.contents, undefined);
  return out;
}

/** A problem's message, reduced to a reason that many tasks share. */
function reason(msg: string): string {
  const m = msg.replace(/ \(host [^)]*\)$/, '');
  let r: RegExpMatchArray | null;
  if ((r = m.match(/^(\S+) is (?:an Ansible module|a module of the collection \S+) not supported/))) return `module ${r[1].replace(/^ansible\.(builtin|legacy)\./, '')}`;
  if ((r = m.match(/^(\S+) is an Ansible task keyword not supported/))) return `keyword ${r[1]}`;
  if ((r = m.match(/unknown filter "([^"]+)"/))) return `filter ${r[1]}`;
  if (/unknown variable "ansible_/.test(m) || /unknown variable "(ansible_facts|hostvars)"/.test(m)) return 'gathered facts (ansible_*)';
  if (/unknown variable/.test(m)) return 'unknown variable';
  if (/cannot read expression|unexpected "|expected ".*" near|expression ends too early|expected "defined" after "is"/.test(m)) return 'Jinja2 expression skiff cannot read';
  if ((r = m.match(/^unknown parameter "([^"]+)" for task type (\S+)/))) return `param ${r[2].replace(/^ansible\.builtin\./, '')}.${r[1]}`;
  if ((r = m.match(/^unknown task type "([^"]+)"/))) return `unknown module ${r[1]}`;
  if (/notify names unknown handler/.test(m)) return 'notify: handler not found';
  if (/^\S+ has no key /.test(m)) return 'a var has no such key';
  return m.replace(/"[^"]*"/g, '"…"').slice(0, 70);
}

/**
 * Each tasks file of a role, imported as Ansible would run it: `import_role` with `tasks_from` in a
 * generated play, the role found through roles_path (so its defaults, vars, handlers, meta
 * dependencies and includes are read by skiff itself). Problems point into the tasks file; those in
 * the role's other task files and handlers count where they are measured (or not at all: handlers),
 * the rest (a dependency not found, a bad defaults file) leave every task of the file refused.
 */
function measureRole(role: string, work: string): { total: number; accepted: number; reasons: Map<string, number> } {
  const reasons = new Map<string, number>();
  const add = (r: string, n: number) => reasons.set(r, (reasons.get(r) ?? 0) + n);
  let total = 0;
  let accepted = 0;
  const inv = join(work, 'hosts.yml');
  writeFileSync(inv, 'all:\n  hosts:\n    h: {connection: local}\n');
  for (const f of readdirSync(join(role, 'tasks')).filter((x) => /\.ya?ml$/.test(x))) {
    const file = join(role, 'tasks', f);
    const text = readFileSync(file, 'utf8');
    const ls = leaves(text, 0);
    if (!ls.length) continue;
    const pb = join(work, 'play.yml');
    writeFileSync(pb, `- hosts: all\n  tasks:\n    - import_role: {name: ${JSON.stringify(basename(role))}, tasks_from: ${JSON.stringify(f)}}\n`);
    const { problems } = prepare({ playbook: pb, inventory: inv, extraVars: [], check: true, diff: false, acceptNewHostKeys: false, rolesPath: [dirname(role)] }, REGISTRY);
    const elsewhere = (p: { file: string }) => /\/(tasks|handlers)\/[^/]+$/.test(p.file);
    const outside = problems.filter((p) => p.file !== file && !elsewhere(p));
    total += ls.length;
    if (outside.length) {
      for (const p of outside) add(`outside the tasks: ${reason(p.message)}`, ls.length);
      continue;
    }
    const bad = new Map<number, Set<string>>();
    for (const p of problems.filter((q) => q.file === file)) {
      const hit = ls.findIndex((l) => p.line >= l.start && p.line <= l.end);
      const idx = hit >= 0 ? [hit] : ls.map((l, i) => (l.start <= p.line ? i : -1)).filter((i) => i >= 0).slice(-1);
      for (const i of idx) (bad.get(i) ?? bad.set(i, new Set()).get(i)!).add(reason(p.message));
    }
    accepted += ls.length - bad.size;
    for (const rs of bad.values()) for (const r of rs) add(r, 1);
  }
  return { total, accepted, reasons };
}

function main(): number {
  const dir = resolve(process.argv[2] ?? '../shared/corpus');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`no corpus at ${dir}: give a directory of Ansible role checkouts, e.g.\n  git clone https://github.com/geerlingguy/ansible-role-docker CORPUS/ansible-role-docker\n  npm run compat -- CORPUS\n`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'skiff-compat-'));
  const rows: string[] = [];
  let [all, ok] = [0, 0];
  try {
    for (const role of findRoles(dir).sort()) {
      const r = measureRole(role, work);
      if (!r.total) continue;
      all += r.total;
      ok += r.accepted;
      const top = [...r.reasons].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${k} (${n})`).join(', ');
      rows.push(`${relative(dir, role).padEnd(48)} ${`${r.accepted}/${r.total}`.padStart(7)}  ${top}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${'role'.padEnd(48)} ${'accepted'.padStart(7)}  top reasons for the rest (tasks)\n${rows.join('\n')}\n${'total'.padEnd(48)} ${`${ok}/${all}`.padStart(7)}  (${all ? ((100 * ok) / all).toFixed(1) : 0}%)\n`);
  return 0;
}

process.exitCode = main();
