import { WebGpuError } from '../backend/webgpu-device.ts';
import { InputError } from '../core/errors.ts';

/** An expected error as the CLI shows it: one line for stderr and the exit status. */
export interface ExpectedError {
  readonly line: string;
  readonly exitCode: number;
}

/**
 * Returns how the CLI shows an expected error: invalid input exits 2, a GPU
 * device failure 1. Returns undefined for any other error, which is a
 * defect the caller rethrows with its stack.
 */
export function expectedError(error: unknown): ExpectedError | undefined {
  if (error instanceof InputError) return { line: `error: ${error.message}`, exitCode: 2 };
  if (error instanceof WebGpuError) return { line: `error: the WebGPU device failed: ${error.message}`, exitCode: 1 };
  return undefined;
}

/** Prints an expected error's line and sets its exit status. */
export function reportError({ line, exitCode }: ExpectedError): void {
  process.stderr.write(`${line}\n`);
  process.exitCode = exitCode;
}

/**
 * Prints an expected error as one `error:` line and sets the exit status
 * (see expectedError). Returns false for any other error, which is a defect
 * the caller rethrows with its stack.
 */
export function reportExpectedError(error: unknown): boolean {
  const expected = expectedError(error);
  if (expected === undefined) return false;
  reportError(expected);
  return true;
}
