// tasks/lib/container/argv.ts: the create command line, every value one argv element once quoted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { parseMount, parsePort, type ContainerSpec } from '../../tasks/lib/container/spec.ts';
import { createArgv } from '../../tasks/lib/container/argv.ts';
import { recreateScript } from '../../tasks/lib/container/recreate.ts';

test('createArgv: ports before the image, none with host network, every value one argv element', () => {
  const spec: ContainerSpec = {
    name: 'sidecar',
    image: 'quay.io/thanos/thanos:v0.39.2',
    args: ['sidecar', "--prometheus.url=http://x:9090/'; rm -rf /"],
    env: { A: 'b c' },
    labels: { l: '1' },
    mounts: [parseMount('/srv/prometheus/data:/prometheus:z')],
    ports: [parsePort('10911:10911'), parsePort('10912:10912')],
    network: 'bridge',
    user: '65534:65534',
    restart: 'unless-stopped',
  };
  const a = createArgv('docker', spec, 'sidecar-skiff-new');
  assert.equal(a, [
    'docker', 'create', '--name', 'sidecar-skiff-new', '--user', '65534:65534', '--network', 'bridge', '--restart', 'unless-stopped',
    '-e', 'A=b c', '--label', 'l=1', '-v', '/srv/prometheus/data:/prometheus:z', '-p', '10911:10911', '-p', '10912:10912',
    'quay.io/thanos/thanos:v0.39.2', 'sidecar', "--prometheus.url=http://x:9090/'; rm -rf /",
  ]);
  assert.ok(a.indexOf('-p') < a.indexOf(spec.image), 'ports before the image');
  assert.not.ok(createArgv('podman', { ...spec, network: 'host' }).includes('-p'));
  // the script quotes them: sh reads back exactly the same words
  const script = recreateScript({ engine: 'docker', spec, exists: false, stopTimeout: 30, readyTimeout: 5 });
  const line = script.split('\n').find((l) => l.includes("'create'"))!;
  const cmd = line.slice(line.indexOf("'docker'"), line.indexOf(' >/dev/null'));
  const echoed = spawnSync('sh', ['-c', `for a in ${cmd}; do printf '%s\\n' "$a"; done`], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.equal(echoed, a);
});

test.run();
