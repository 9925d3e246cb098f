import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Command prefix that pins measurement processes to a core, with the page's sentence about it. */
export interface Pinning {
  /** Prepended to the node command, for example `['taskset', '-c', '0']`, and empty when not pinned. */
  readonly prefix: readonly string[];
  readonly description: string;
}

/** The result of one worker process that ran to its end or was stopped. */
export type WorkerOutcome =
  | { readonly kind: 'completed'; readonly stdout: string; readonly wallMs: number }
  | { readonly kind: 'timed-out'; readonly limitSeconds: number }
  | { readonly kind: 'out-of-memory' }
  | { readonly kind: 'killed'; readonly signal: string };

/** The project root, from which `--import tsx` resolves in a worker whatever the caller's working folder. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Stderr kept from a worker for error messages. */
const MAX_STDERR_CHARS = 4000;

/**
 * Pins workers to one CPU with `taskset` when it exists and may use a CPU of
 * this process's affinity list, so each measurement runs on one core. V8's
 * garbage-collector threads are then confined to that core too.
 */
export function detectPinning(): Pinning {
  const affinity = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (affinity.error !== undefined || affinity.status !== 0) {
    return { prefix: [], description: 'not pinned to a core, because `taskset` is not available' };
  }
  // taskset prints "pid 123's current affinity list: 0-3,6".
  const match = /list:\s*(\d+)/.exec(affinity.stdout);
  if (match === null) {
    return { prefix: [], description: `not pinned to a core, because the output of \`taskset -cp\` was not understood: ${affinity.stdout.trim()}` };
  }
  const cpu = match[1];
  const probe = spawnSync('taskset', ['-c', cpu, 'true']);
  if (probe.status !== 0) {
    return { prefix: [], description: `not pinned to a core, because \`taskset -c ${cpu}\` failed` };
  }
  return { prefix: ['taskset', '-c', cpu], description: `pinned to CPU ${cpu} with \`taskset -c ${cpu}\`` };
}

/**
 * Runs `node --import tsx script ...args` in a fresh process and waits for it.
 * A worker still running after `limitSeconds` is killed with SIGKILL. A V8
 * heap exhaustion becomes an `out-of-memory` outcome, and any other non-zero
 * exit is an error, because a worker that fails has found a bug, not a limit.
 */
export function runWorker(script: string, args: readonly string[], limitSeconds: number, pinning: Pinning): Promise<WorkerOutcome> {
  const command = [...pinning.prefix, process.execPath, '--import', 'tsx', script, ...args];
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
    });

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitSeconds * 1000);

    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`failed to start the worker \`${command.join(' ')}\`: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (timedOut) {
        resolve({ kind: 'timed-out', limitSeconds });
      } else if (/heap out of memory/i.test(stderr)) {
        resolve({ kind: 'out-of-memory' });
      } else if (signal !== null) {
        resolve({ kind: 'killed', signal });
      } else if (code !== 0) {
        reject(new Error(`worker \`${command.join(' ')}\` exited with code ${code}:\n${stderr.trim()}`));
      } else {
        resolve({ kind: 'completed', stdout, wallMs });
      }
    });
  });
}
