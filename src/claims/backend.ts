import { createCpuBackend } from '../backend/cpu.ts';
import type { Backend } from '../backend/types.ts';
import type { CheckContext } from './types.ts';

/**
 * Runs `work` on the run's numeric backend. A context built without one (a
 * test calling a check directly) gets a CPU backend that lives for this call.
 */
export async function withContextBackend<T>(context: CheckContext, work: (backend: Backend) => Promise<T>): Promise<T> {
  if (context.backend !== undefined) return work(await context.backend.get());
  const backend = createCpuBackend({});
  try {
    return await work(backend);
  } finally {
    await backend.dispose();
  }
}
