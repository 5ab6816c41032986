// Runs properties of properties.ts in a worker thread, one at a time as the test asks: a case that
// hangs or eats memory cannot be stopped in-process, but a worker can be terminated, and the test
// still says which case it was. (uvu also imports this file when given test/fuzz without a pattern:
// on the main thread it does nothing.)
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

if (!isMainThread && workerData?.fuzz) {
  const { register } = await import('tsx/esm/api');
  register();
  const { runProperty } = await import('./properties.ts');
  const { cleanup } = await import('./check.ts');
  parentPort.on('message', (property) => {
    let report;
    try {
      report = runProperty(property, (n) => parentPort.postMessage({ property, case: n }));
    } finally {
      // before the report: on the last one the test ends this worker, maybe mid-cleanup
      cleanup();
    }
    parentPort.postMessage({ property, report });
  });
  parentPort.postMessage({ ready: true });
}
