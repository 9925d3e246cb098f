import type { Backend, BackendName } from './types.ts';

/**
 * A run's numeric backend, created on first use and shared by every check of
 * the run, so a run that needs no large case starts no workers and opens no
 * GPU device.
 */
export interface BackendHandle {
  readonly name: BackendName;
  /** Creates the backend on the first call; later calls return the same one. */
  get(): Promise<Backend>;
  /** Releases the backend if it was created. */
  dispose(): Promise<void>;
  /** The created backend's description (adapter or CPU), or undefined before first use. */
  description(): string | undefined;
}

export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'webgpu'];

async function createBackend(name: BackendName): Promise<Backend> {
  if (name === 'webgpu') {
    const { createWebGpuBackend } = await import('./webgpu.ts');
    return createWebGpuBackend();
  }
  const { createCpuBackend } = await import('./cpu.ts');
  return createCpuBackend({});
}

export function backendHandle(name: BackendName): BackendHandle {
  let created: Promise<Backend> | undefined;
  let description: string | undefined;
  return {
    name,
    get: () =>
      (created ??= createBackend(name).then((backend) => {
        description = backend.description;
        return backend;
      })),
    description: () => description,
    dispose: async () => {
      if (created === undefined) return;
      const backend = await created.catch(() => undefined);
      created = undefined;
      await backend?.dispose();
    },
  };
}
