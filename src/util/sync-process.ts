// A long-lived child process asked synchronously, one JSON line per request and per answer. Template
// evaluation is synchronous, so a Python filter plugin must answer before evaluation goes on: a worker
// thread owns the child's pipes (it alone sees the child die) and the caller blocks on Atomics.wait
// until the worker has put the answer on a MessageChannel, read with receiveMessageOnPort. Starting
// the child once (importing ansible costs ~1 s) makes each further call cost a pipe round trip.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** The worker: plain CommonJS (eval'd, so a bundle needs no file for it). */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { writeSync } = require('node:fs');
const { command, args, cwd, env, flag, port, forward } = workerData;
const signal = new Int32Array(flag);
let child, out = '', err = '', dead;
function answer(msg) {
  port.postMessage(msg);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
function start() {
  child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.on('error', (e) => { dead = e.message; answer({ dead }); });
  child.on('exit', (code, sig) => {
    dead = (err.trim().split('\\n').slice(-3).join('\\n')) || 'exited with ' + (sig || code);
    answer({ dead });
  });
  // the child's own messages (ansible-core's warnings: "[WARNING]: Skipping filter plugin ...") are the run's,
  // shown as they come
  child.stderr.on('data', (d) => {
    err = (err + d.toString()).slice(-4000);
    if (forward) writeSync(2, d);
  });
  child.stdout.on('data', (d) => {
    out += d.toString();
    for (let i; (i = out.indexOf('\\n')) >= 0; ) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      answer({ line });
    }
  });
}
port.on('message', (line) => {
  if (dead) return answer({ dead });
  if (!child) start();
  child.stdin.write(line + '\\n');
});
`;

export class ProcessGone extends Error {}

export class SyncProcess {
  private worker?: Worker;
  private port?: MessagePort;
  private signal = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private command: string,
    private args: string[],
    /** the longest one answer may take */
    /** the child's stderr is written to skiff's as it comes */
    private forwardStderr = true,
    private timeoutMs = 600_000,
    /** the child's environment, asked when it starts (the run's settings are known by then) */
    private env: () => NodeJS.ProcessEnv = () => process.env,
  ) {}

  /**
   * Sends one line, returns the child's answer line; ProcessGone when the child cannot answer.
   * `reply`: the child may ask back before it answers (a lookup reading hostvars): a line `reply`
   * gives an answer to is a question, its answer sent back, and the wait goes on.
   */
  ask(line: string, reply?: (line: string) => string | undefined): string {
    if (!this.port) this.open();
    for (let next = line; ; ) {
      Atomics.store(this.signal, 0, 0);
      this.port!.postMessage(next);
      const got = this.receive();
      const back = reply?.(got);
      if (back === undefined) return got;
      next = back;
    }
  }

  private receive(): string {
    if (Atomics.wait(this.signal, 0, 0, this.timeoutMs) === 'timed-out') {
      this.close();
      throw new ProcessGone(`${this.command} gave no answer in ${this.timeoutMs / 1000} s`);
    }
    const m = receiveMessageOnPort(this.port!)?.message as { line?: string; dead?: string } | undefined;
    if (m?.line !== undefined) return m.line;
    this.close();
    throw new ProcessGone(`${this.command} stopped: ${m?.dead ?? 'no answer'}`);
  }

  private open(): void {
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(WORKER, { eval: true, workerData: { command: this.command, args: this.args, cwd: process.cwd(), env: this.env(), flag: this.signal.buffer, port: port2, forward: this.forwardStderr }, transferList: [port2] });
    // neither keeps the run alive: when skiff ends, the worker goes and the child reads the end of its input
    this.worker.unref();
    port1.unref();
    this.port = port1;
  }

  /** Stops the worker (its child sees its input end); the next ask starts both again. */
  close(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = this.port = undefined;
  }
}
