// Every task type skiff knows, by the name playbooks use. Ansible's short names (file, command, debug...)
// are Ansible's modules: skiff's own types have names Ansible does not use.
import type { Registry, TaskType, TaskTypes } from '../src/engine/task-type.ts';
import { typeTable } from './ansible/names.ts';
import { ANSIBLE_TYPES } from './ansible/index.ts';
import { content } from './content.ts';
import { line } from './line.ts';
import { waitHttp } from './wait-http.ts';
import { container } from './container.ts';
import { preparePrometheus } from './prepare-prometheus.ts';
import { runSidecar } from './run-sidecar.ts';
import { runQuery } from './run-query.ts';
import { patchDatasource } from './patch-datasource.ts';
import { verifyThanos } from './verify-thanos.ts';
import { gatherFactsType, setup } from './setup.ts';
import { ansibleFacts } from './ansible/python-module.ts';

export const TASK_TYPES: TaskTypes = typeTable(
  [content, line, waitHttp, container, preparePrometheus, runSidecar, runQuery, patchDatasource, verifyThanos] as TaskType[],
  [...ANSIBLE_TYPES, setup, gatherFactsType] as TaskType[],
);

/** What the CLI gives the engine: these task types. */
export const REGISTRY: Registry = { types: TASK_TYPES, ansibleFacts };
