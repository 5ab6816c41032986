// Ansible's Python callback plugins (callbacks_enabled / ANSIBLE_CALLBACKS_ENABLED: ansible.posix.profile_tasks,
// timer, a collection's or a playbook's callback_plugins/) run as ansible-playbook runs them: loaded by
// ansible-core's own TaskQueueManager.load_callbacks in one controller Python process for the run, and
// called with Ansible's objects (Playbook, Play, Task, TaskResult, AggregateStats) made from skiff's run
// events. skiff's own output stays the default callback's: the plugins' stdout callback slot holds a
// silent one. What a plugin displays comes back with its answer and is written where Ansible writes it,
// in the order of the events (each call waits for its answer: SyncProcess).
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { RunEvent } from '../engine/events.ts';
import { bannerKey, type BannerTask } from './ansible-lines.ts';
import type { Recap } from '../engine/recap.ts';
import { CONTROLLER_PYTHON, collectionsEnv } from '../playbook/collections.ts';
import { ProcessGone, SyncProcess } from '../util/sync-process.ts';

const SERVER = String.raw`
import io, json, os, sys
proto = os.fdopen(os.dup(1), 'w')
os.dup2(2, 1)
from ansible.utils.display import Display
display = Display()
from ansible import constants as C
from ansible.executor.stats import AggregateStats
from ansible.executor.task_queue_manager import TaskQueueManager
from ansible.executor.task_result import TaskResult
from ansible.inventory.host import Host
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.yaml.objects import AnsibleMapping
from ansible.playbook import Playbook
from ansible.playbook.play import Play
from ansible.playbook.role import Role
from ansible.playbook.task import Task
from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import add_all_plugin_dirs
from ansible.utils.collection_loader import AnsibleCollectionConfig

class Silent(CallbackBase):
    # the stdout callback: skiff prints the default callback's lines itself
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'skiff'

def captured(f):
    so, se = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        f()
    except Exception as e:
        display.warning('skiff: a callback plugin failed: %s' % e)
    finally:
        got = {'out': sys.stdout.getvalue(), 'err': sys.stderr.getvalue()}
        sys.stdout, sys.stderr = so, se
    return got

loader = DataLoader()
tqm = None
tasks = {}
hosts = {}

def host(name):
    if name not in hosts:
        hosts[name] = Host(name)
    return hosts[name]

def task(spec):
    key = spec['key']
    if key not in tasks:
        t = Task()
        t.name = spec.get('name') or ''
        t.action = spec.get('action') or ''
        t.args = {}
        if spec.get('role'):
            r = Role()
            r._role_name = spec['role']
            t._role = r
        at = spec.get('at')
        if at:
            ds = AnsibleMapping()
            f, line, col = at.rsplit(':', 2)
            ds.ansible_pos = (f, int(line), int(col))
            t._ds = ds
        tasks[key] = t
    return tasks[key]

def handle(r):
    global tqm
    what = r['call']
    if what == 'init':
        display.verbosity = r['verbosity']
        for d in r['dirs']:
            if os.path.isdir(d):
                add_all_plugin_dirs(d)
        AnsibleCollectionConfig.playbook_paths = r['dirs']
        tqm = TaskQueueManager(None, None, loader, {}, stdout_callback=Silent())
        tqm.load_callbacks()
        # Ansible's own run ends with the callbacks set: none left means nothing more to ask
        return
    if what == 'playbook_on_start':
        pb = Playbook(loader)
        pb._file_name = r['file']
        pb._basedir = os.path.dirname(r['file'])
        tqm.send_callback('v2_playbook_on_start', pb)
    elif what == 'play_start':
        tqm.send_callback('v2_playbook_on_play_start', Play.load({'name': r['name'], 'hosts': r['hosts'] or ['all'], 'gather_facts': False}, loader=loader))
    elif what == 'task_start':
        t = task(r['task'])
        if r['task'].get('handler'):
            tqm.send_callback('v2_playbook_on_handler_task_start', t)
        else:
            tqm.send_callback('v2_playbook_on_task_start', t, is_conditional=False)
    elif what == 'result':
        res = TaskResult(host(r['host']), task(r['task']), r['result'], task_fields={'name': r['task'].get('name') or ''})
        status = r['status']
        if status == 'failed':
            tqm.send_callback('v2_runner_on_failed', res, ignore_errors=r.get('ignored', False))
        elif status == 'skipped':
            tqm.send_callback('v2_runner_on_skipped', res)
        elif status == 'unreachable':
            tqm.send_callback('v2_runner_on_unreachable', res)
        else:
            tqm.send_callback('v2_runner_on_ok', res)
    elif what == 'stats':
        stats = AggregateStats()
        for h, c in r['recap'].items():
            stats.processed[h] = 1
            for mine, theirs in (('ok', 'ok'), ('changed', 'changed'), ('failed', 'failures'), ('unreachable', 'dark'), ('skipped', 'skipped'), ('rescued', 'rescued'), ('ignored', 'ignored')):
                if c.get(mine):
                    getattr(stats, theirs)[h] = c[mine]
        tqm.send_callback('v2_playbook_on_stats', stats)

for line in sys.stdin:
    r = json.loads(line)
    got = captured(lambda: handle(r))
    if r['call'] == 'init':
        got['plugins'] = len(tqm._callback_plugins) if tqm else 0
    proto.write(json.dumps(got) + '\n')
    proto.flush()
`;

/** Where Ansible's callback loader looks for callback plugins besides the collections: `callback_plugins` (ANSIBLE_CALLBACK_PLUGINS) and the playbooks' callback_plugins/. */
function pluginDirs(playbooks: string[], configured: string | undefined): string[] {
  const conf = (configured ?? `${join(homedir(), '.ansible/plugins/callback')}:/usr/share/ansible/plugins/callback`).split(':').filter(Boolean);
  return [...conf, ...playbooks.map((p) => join(dirname(resolve(p)), 'callback_plugins'))];
}

const hasPython = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.py') && f !== '__init__.py');

export interface CallbackBridge {
  listen(e: RunEvent): void;
  /** a task's banner was printed (plain output): the task starts for the plugins, right under it */
  taskStart(t: BannerTask): void;
  /** the run's end: v2_playbook_on_stats with the recap */
  stats(recap: Record<string, Recap>): void;
  close(): void;
}

export interface CallbackOptions {
  /** callbacks_enabled: the plugins' names (short, redirected or FQCN) */
  enabled: string[];
  playbooks: string[];
  /** callback_plugins (ANSIBLE_CALLBACK_PLUGINS), colon-separated */
  pluginPath?: string;
  verbosity: number;
  /** the task starts come from the banners (taskStart), not from the engine's task-start events */
  bannerDriven: boolean;
  out(text: string): void;
  err(text: string): void;
}

/**
 * The run's Python callback plugins, or undefined when Ansible would load none: nothing enabled and no
 * plugin beside the playbooks or in the configured directories (one that does not need enabling is
 * loaded from there, as Ansible loads it).
 */
export function pythonCallbacks(o: CallbackOptions): CallbackBridge | undefined {
  const dirs = pluginDirs(o.playbooks, o.pluginPath);
  if (!o.enabled.length && !dirs.some(hasPython)) return undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, ...collectionsEnv(), ...(o.pluginPath ? { ANSIBLE_CALLBACK_PLUGINS: o.pluginPath } : {}) };
  // what skiff read from ansible.cfg or the environment, as ansible-core's own setting (none: not set at all)
  if (o.enabled.length) env.ANSIBLE_CALLBACKS_ENABLED = o.enabled.join(',');
  else delete env.ANSIBLE_CALLBACKS_ENABLED;
  delete env.ANSIBLE_CALLBACK_WHITELIST;
  const proc = new SyncProcess(CONTROLLER_PYTHON, ['-c', SERVER], true, 600_000, () => env);
  let gone = false;
  type Answer = { out: string; err: string; plugins?: number };
  const show = (a: Answer) => {
    if (a.out) o.out(a.out.replace(/\n$/, ''));
    if (a.err) o.err(a.err.replace(/\n$/, ''));
  };
  // `later`: the answer's output is the caller's to show (a task's start, shown under its banner)
  const call = (req: Record<string, unknown>, later = false): Answer | undefined => {
    if (gone) return undefined;
    try {
      const a = JSON.parse(proc.ask(JSON.stringify(req))) as Answer;
      if (!later) show(a);
      return a;
    } catch (e) {
      gone = true;
      o.err(`[WARNING]: skiff: the callback plugins stopped: ${e instanceof ProcessGone ? e.message : (e as Error).message}`);
      return undefined;
    }
  };
  // the playbooks' directories: their callback_plugins/ and collections/ (the configured directories are ANSIBLE_CALLBACK_PLUGINS')
  const init = call({ call: 'init', dirs: [...new Set(o.playbooks.map((p) => dirname(resolve(p))))], verbosity: o.verbosity });
  // nothing loaded (only plugins that need enabling, none enabled): no more calls
  if (!init || init.plugins === 0) {
    proc.close();
    return undefined;
  }
  call({ call: 'playbook_on_start', file: resolve(o.playbooks[0]) });
  let lastTask: string | undefined;
  // a task's identity for the plugins (profile_tasks keys its timings by it): two tasks of one name are
  // two tasks, where they are written tells them apart
  const idOf = (t: BannerTask) => (t.at ? `${t.play}\0${t.at}` : bannerKey(t));
  const spec = (t: BannerTask) => ({ key: idOf(t), name: t.task, action: t.type, role: t.role, at: t.at, handler: t.handler });
  const start = (t: BannerTask, later = false) => call({ call: 'task_start', task: spec(t) }, later);
  // a start told when the task starts (its timings are right), its output held for the banner
  let held: { key: string; answer?: Answer } | undefined;
  const flush = () => {
    if (held?.answer) show(held.answer);
    held = undefined;
  };
  return {
    listen(e) {
      if (e.kind === 'play') {
        flush();
        lastTask = undefined;
        call({ call: 'play_start', name: e.name, hosts: e.hosts });
      } else if (e.kind === 'task-start') {
        // one start per task, however many hosts run it (the linear strategy's banner)
        const id = idOf(e);
        if (id === lastTask) return;
        lastTask = id;
        flush();
        const answer = start({ ...e, type: e.action }, o.bannerDriven);
        if (o.bannerDriven) held = { key: bannerKey(e), answer };
      } else if (e.kind === 'result') {
        flush();
        const r = e.result;
        call({ call: 'result', host: r.host, status: r.status, ignored: r.ignored === true, result: r.result ?? { changed: r.status === 'changed' }, task: spec(r) });
      }
    },
    taskStart(t) {
      // the start already told (its output shown now, under the banner), or one no task-start came for (an include's)
      if (held?.key === bannerKey(t)) flush();
      else if (idOf(t) !== lastTask) {
        flush();
        lastTask = idOf(t);
        start(t);
      }
    },
    stats(recap) {
      flush();
      call({ call: 'stats', recap });
    },
    close() {
      proc.close();
    },
  };
}
