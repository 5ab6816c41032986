// Every task type skiff knows, by the name playbooks use.
import type { TaskType } from '../src/engine/task-type.ts';
import { command } from './command.ts';
import { content } from './content.ts';
import { file } from './file.ts';
import { line } from './line.ts';
import { waitHttp } from './wait-http.ts';

export const TASK_TYPES: Map<string, TaskType> = new Map([file, content, line, command, waitHttp].map((t) => [t.name, t as TaskType]));
