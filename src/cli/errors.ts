import { WebGpuError } from '../backend/webgpu-device.ts';
import { InputError } from '../core/errors.ts';

/**
 * Prints an expected error as one `error:` line and sets the exit status:
 * 2 for invalid input, 1 for a GPU device failure. Returns false for any
 * other error, which is a defect the caller rethrows with its stack.
 */
export function reportExpectedError(error: unknown): boolean {
  if (error instanceof InputError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 2;
    return true;
  }
  if (error instanceof WebGpuError) {
    process.stderr.write(`error: the WebGPU device failed: ${error.message}\n`);
    process.exitCode = 1;
    return true;
  }
  return false;
}
