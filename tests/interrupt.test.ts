import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../src/claims/registry.ts';

/** Starts `verify`, sends SIGINT once the second check starts, and resolves with the exit code. */
function interruptedRun(out: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', ['--import', 'tsx', 'src/cli/main.ts', 'verify', '--effort', 'quick', '--out', out], { cwd: process.cwd() });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('[2/')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('interrupted verify', () => {
  it('stops, exits 130 and leaves whole reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'interrupt-'));
    const { code, stderr } = await interruptedRun(out);
    expect(stderr).toContain('Interrupted');
    expect(code).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.claims).toHaveLength(CLAIMS.length);
    expect(results.counts.incomplete).toBeGreaterThanOrEqual(CLAIMS.length - 1);
    expect(results.claims[0].status).toBe('incomplete');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('incomplete');
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
