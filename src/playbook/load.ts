// Loads a playbook file: a list of plays, each task normalized from Ansible's shape
// (`- name: x \n  content: {...}`, the type *is* the key) to { type, params, meta }, with positions kept.
import * as v from 'valibot';
import type { InputProblem } from '../util/errors.ts';
import { didYouMean, show } from '../util/errors.ts';
import { loadYaml, problemAt, type Path, type YamlSource } from '../util/yaml-source.ts';
import type { TaskType } from '../engine/task-type.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { issuesToProblems } from './issues.ts';
import { META_KEYS, PlaySchema, TaskMetaSchema, type TaskMeta } from './schema.ts';

export interface TaskDef {
  name: string;
  type: TaskType;
  /** raw params, templates not yet rendered */
  params: unknown;
  meta: TaskMeta;
  notify: string[];
  /** path of the task node in the yaml document */
  path: Path;
  src: YamlSource;
}

export interface PlayDef {
  name: string;
  hosts: string;
  vars: Record<string, unknown>;
  tasks: TaskDef[];
  handlers: TaskDef[];
  serial?: number | string;
  become?: boolean;
  path: Path;
}

export interface Playbook {
  file: string;
  src: YamlSource;
  plays: PlayDef[];
}

export function loadPlaybook(file: string, types: Map<string, TaskType>, vault: readonly VaultSecret[] = []): { playbook?: Playbook; problems: InputProblem[] } {
  const { source: src, problems } = loadYaml(file, vault);
  if (!src) return { problems };
  if (!Array.isArray(src.value)) {
    return { problems: [problemAt(src, [], `expected a list of plays (- hosts: ..., tasks: [...]), got ${show(src.value)}`)] };
  }
  const plays: PlayDef[] = [];
  src.value.forEach((raw, i) => {
    const r = v.safeParse(PlaySchema, raw);
    if (!r.success) {
      problems.push(...issuesToProblems(src, [i], r.issues, 'a play', Object.keys(PlaySchema.entries)));
      return;
    }
    const p = r.output;
    const play: PlayDef = {
      name: p.name ?? p.hosts,
      hosts: p.hosts,
      vars: p.vars ?? {},
      tasks: [],
      handlers: [],
      serial: p.serial,
      become: p.become,
      path: [i],
    };
    p.tasks.forEach((t, j) => {
      const def = normalizeTask(src, [i, 'tasks', j], t, types, problems);
      if (def) play.tasks.push(def);
    });
    p.handlers.forEach((t, j) => {
      const def = normalizeTask(src, [i, 'handlers', j], t, types, problems);
      if (def) play.handlers.push(def);
    });
    const handlerNames = new Set(play.handlers.map((h) => h.name));
    for (const t of [...play.tasks, ...play.handlers]) {
      t.notify.forEach((n, k) => {
        if (!handlerNames.has(n)) {
          const at = typeof t.meta.notify === 'string' ? [...t.path, 'notify'] : [...t.path, 'notify', k];
          problems.push(problemAt(src, at, `notify names unknown handler ${show(n)}${didYouMean(n, handlerNames)}: expected one of: ${[...handlerNames].join(', ') || '(this play has no handlers)'}`));
        }
      });
    }
    plays.push(play);
  });
  // The playbook is returned even with problems, so the checks that follow can report theirs too.
  return { playbook: { file, src, plays }, problems };
}

function normalizeTask(src: YamlSource, path: Path, raw: unknown, types: Map<string, TaskType>, problems: InputProblem[]): TaskDef | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(problemAt(src, path, `expected a task (a map with a name and one task type), got ${show(raw)}`));
    return undefined;
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const metaRaw = Object.fromEntries(entries.filter(([k]) => META_KEYS.includes(k)));
  const typeKeys = entries.filter(([k]) => !META_KEYS.includes(k));
  const known = [...types.keys()];
  if (typeKeys.length !== 1) {
    if (typeKeys.length === 0) problems.push(problemAt(src, path, `task has no task type: expected exactly one of ${known.join(', ')}`));
    else
      problems.push(
        problemAt(src, [...path, typeKeys[1][0]], `task has more than one task type (${typeKeys.map(([k]) => k).join(', ')}): expected exactly one of ${known.join(', ')}`, 'key'),
      );
    return undefined;
  }
  const [typeName, rawParams] = typeKeys[0];
  const type = types.get(typeName);
  if (!type) {
    const hint = didYouMean(typeName, [...known, ...META_KEYS]);
    problems.push(problemAt(src, [...path, typeName], `unknown task type ${show(typeName)}${hint}: expected one of ${known.join(', ')}`, 'key'));
    return undefined;
  }
  const m = v.safeParse(TaskMetaSchema, metaRaw);
  if (!m.success) {
    problems.push(...issuesToProblems(src, path, m.issues, 'a task'));
    return undefined;
  }
  let params = rawParams;
  if (typeof rawParams === 'string' && type.shortKey) params = { [type.shortKey]: rawParams };
  if (params === null || params === undefined) params = {};
  const notify = m.output.notify === undefined ? [] : Array.isArray(m.output.notify) ? m.output.notify : [m.output.notify];
  return { name: m.output.name ?? `${typeName}`, type, params, meta: m.output, notify, path, src };
}
