// A YAML file loaded with positions kept, so any value found bad later can be pointed at.
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { InputProblem } from './errors.ts';

export type Path = ReadonlyArray<string | number>;

export interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

/**
 * YAML 1.1 on purpose: Ansible users write `yes`/`no`/`on`/`off` as booleans, and reading them as
 * strings would silently turn `become: yes` into a truthy string that validation cannot catch.
 */
export function parseYaml(file: string, text: string): { source?: YamlSource; problems: InputProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: '1.1', uniqueKeys: true, prettyErrors: false });
  const problems: InputProblem[] = [];
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    const lineText = text.slice(e.pos[0]).split('\n')[0];
    const found = (e.code === 'DUPLICATE_KEY' ? lineText.match(/^[^:]*/)![0] : lineText.slice(0, 40)).trim() || text.split('\n')[pos.line - 1]?.trim() || '';
    const message =
      e.code === 'DUPLICATE_KEY'
        ? `duplicate key ${JSON.stringify(found)}: expected each key once per map`
        : `YAML syntax error${found ? ` at ${JSON.stringify(found)}` : " at end of file"}: ${firstLine(e.message)}`;
    problems.push({ file, line: pos.line, col: pos.col, message });
  }
  if (problems.length) return { problems };
  return { source: { file, doc, lines, value: doc.toJS({ maxAliasCount: 100 }) }, problems };
}

export function loadYaml(file: string): { source?: YamlSource; problems: InputProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [{ file, line: 0, col: 0, message: `cannot read: ${(e as Error).message}` }] };
  }
  return parseYaml(file, text);
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Line/col of the node at `path` (or of its key when origin is 'key'); falls back to the nearest parent. */
export function locate(src: YamlSource, path: Path, origin: 'key' | 'value' = 'value'): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const range = rangeOf(src.doc, sub, n === path.length ? origin : 'value');
    if (range) {
      const p = src.lines.linePos(range);
      return { line: p.line, col: p.col };
    }
  }
  return { line: 1, col: 1 };
}

function rangeOf(doc: Document, path: Path, origin: 'key' | 'value'): number | undefined {
  if (path.length === 0) return (doc.contents as Node | null)?.range?.[0];
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last));
    if (!pair) return undefined;
    const node = (origin === 'key' ? pair.key : pair.value ?? pair.key) as Node | null;
    return node?.range?.[0];
  }
  if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined)?.range?.[0];
  return undefined;
}

export function problemAt(src: YamlSource, path: Path, message: string, origin: 'key' | 'value' = 'value'): InputProblem {
  return { file: src.file, ...locate(src, path, origin), message };
}
