// Every task type skiff knows, by the name playbooks use.
import type { Registry, TaskType } from '../src/engine/task-type.ts';
import { readManyFacts } from './lib/files.ts';
import { command } from './command.ts';
import { content } from './content.ts';
import { file } from './file.ts';
import { line } from './line.ts';
import { waitHttp } from './wait-http.ts';
import { debug } from './debug.ts';
import { container } from './container.ts';
import { preparePrometheus } from './prepare-prometheus.ts';
import { runSidecar } from './run-sidecar.ts';
import { runQuery } from './run-query.ts';
import { patchDatasource } from './patch-datasource.ts';
import { verifyThanos } from './verify-thanos.ts';

export const TASK_TYPES: Map<string, TaskType> = new Map(
  [file, content, line, command, waitHttp, debug, container, preparePrometheus, runSidecar, runQuery, patchDatasource, verifyThanos].map((t) => [t.name, t as TaskType]),
);

/** What the CLI gives the engine: these task types, and the one-round-trip file facts read-ahead. */
export const REGISTRY: Registry = { types: TASK_TYPES, readFacts: readManyFacts as Registry['readFacts'] };
