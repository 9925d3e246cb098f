import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../src/claims/registry.ts';

/**
 * Starts `npm run verify` in its own process group and, once the second check
 * starts, sends SIGINT to the whole group as a terminal's Ctrl-C does; resolves
 * with the exit code.
 */
function interruptedRun(out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'verify', '--', '--effort', 'quick', '--out', out], { cwd: process.cwd(), detached: true });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('[2/')) {
        sent = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('interrupted verify', () => {
  it('stops, exits 130 and leaves whole reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'interrupt-'));
    const { code, signal, stderr } = await interruptedRun(out);
    expect(stderr).toContain('Interrupted');
    // npm itself may die of the SIGINT it received (a shell then shows status 130) or pass on the tool's 130.
    expect(code === 130 || signal === 'SIGINT').toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.claims).toHaveLength(CLAIMS.length);
    expect(results.counts.incomplete).toBeGreaterThanOrEqual(CLAIMS.length - 1);
    expect(results.claims[0].status).toBe('incomplete');
    // Every selected check is accounted for: run, or named as not run.
    results.claims.forEach((claim: { id: string; checks: unknown[]; notRun?: string[] }, index: number) => {
      expect(claim.checks.length + (claim.notRun?.length ?? 0)).toBe(CLAIMS[index].checks.length);
    });
    const first = results.claims[0];
    const index = readFileSync(join(out, 'README.md'), 'utf8');
    expect(index).toContain('incomplete');
    expect(index).toContain(`/${CLAIMS[0].checks.length} (${first.notRun.length} not run)`);
    expect(readFileSync(join(out, `${first.id}.md`), 'utf8')).toContain(`\`${first.notRun[0]}\``);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
