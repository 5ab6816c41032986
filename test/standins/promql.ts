// What the Thanos stand-in needs from PromQL without a PromQL engine: handle label matchers on
// external labels the way the real sidecar does (Prometheus itself does not know its external
// labels, so the sidecar drops matchers that the external labels satisfy and selects nothing when
// they do not), and dedup/merge of results in the stand-in query.

export interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

export const NO_MATCH = '__thanos_standin_no_such_label__="never"';

function skipString(q: string, i: number): number {
  const quote = q[i];
  let j = i + 1;
  while (j < q.length) {
    if (quote !== '`' && q[j] === '\\') {
      j += 2;
      continue;
    }
    if (q[j] === quote) return j + 1;
    j++;
  }
  return q.length;
}

function decodeString(raw: string): string {
  const quote = raw[0];
  const inner = raw.slice(1, -1);
  if (quote === '`') return inner;
  return inner.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" })[c] ?? c);
}

interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  raw: string;
}

/** Parses `{a="b", c=~'d'}` starting at q[start] === '{'. null if it is not a plain matcher list. */
function parseMatchers(q: string, start: number): { end: number; matchers: Matcher[] } | null {
  const matchers: Matcher[] = [];
  let i = start + 1;
  const ws = () => {
    while (i < q.length && /\s/.test(q[i])) i++;
  };
  ws();
  if (q[i] === '}') return { end: i + 1, matchers };
  for (;;) {
    ws();
    const from = i;
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i));
    if (!id) return null;
    i += id[0].length;
    ws();
    const op = /^(=~|!~|!=|=)/.exec(q.slice(i));
    if (!op) return null;
    i += op[0].length;
    ws();
    if (!['"', "'", '`'].includes(q[i])) return null;
    const end = skipString(q, i);
    const rawValue = q.slice(i, end);
    i = end;
    matchers.push({ name: id[0], op: op[0] as Matcher['op'], value: decodeString(rawValue), raw: q.slice(from, i).trim() });
    ws();
    if (q[i] === ',') {
      i++;
      ws();
      if (q[i] === '}') return { end: i + 1, matchers };
      continue;
    }
    if (q[i] === '}') return { end: i + 1, matchers };
    return null;
  }
}

function matches(m: Matcher, v: string): boolean {
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/**
 * Rewrites every selector of a PromQL expression: a matcher on an external label is dropped when
 * the external label satisfies it and replaced by a never-matching matcher when it does not.
 */
export function rewriteExternalMatchers(q: string, ext: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(q, i);
      out += q.slice(i, end);
      i = end;
      continue;
    }
    if (c === '#') {
      const nl = q.indexOf('\n', i);
      const end = nl < 0 ? q.length : nl;
      out += q.slice(i, end);
      i = end;
      continue;
    }
    if (c === '{') {
      const parsed = parseMatchers(q, i);
      if (!parsed) {
        out += c;
        i++;
        continue;
      }
      const kept: string[] = [];
      for (const m of parsed.matchers) {
        if (Object.prototype.hasOwnProperty.call(ext, m.name)) {
          let ok: boolean;
          try {
            ok = matches(m, ext[m.name]);
          } catch {
            ok = false;
          }
          if (!ok) kept.push(NO_MATCH);
        } else kept.push(m.raw);
      }
      const before = /([A-Za-z0-9_:]+)\s*$/.exec(out);
      const hasName = !!before && !/^(and|or|unless)$/i.test(before[1]);
      if (kept.length === 0 && !hasName) kept.push('__name__=~".+"');
      out += '{' + kept.join(',') + '}';
      i = parsed.end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.keys(metric).sort().map((k) => [k, metric[k]]));
}

function strip(metric: Record<string, string>, drop: string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) if (!drop.includes(k)) m[k] = v;
  return m;
}

/**
 * Merges the results of several stores. With replica labels, they are removed from every series
 * and series that become identical are merged (instant: first one wins; range: union of samples,
 * first replica wins on equal timestamps), as Thanos does with dedup=true.
 */
export function mergeSeries(perStore: Series[][], replicaLabels: string[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const list of perStore) {
    for (const s of list) {
      const metric = strip(s.metric ?? {}, replicaLabels);
      const k = key(metric);
      const have = byKey.get(k);
      if (!have) {
        byKey.set(k, { ...s, metric, ...(s.values ? { values: [...s.values] } : {}) });
        continue;
      }
      if (have.values && s.values) {
        const seen = new Set(have.values.map((v) => v[0]));
        for (const v of s.values) if (!seen.has(v[0])) have.values.push(v);
        have.values.sort((a, b) => a[0] - b[0]);
      }
    }
  }
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, s]) => s);
}
