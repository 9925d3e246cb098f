import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = ['--import', 'tsx', 'src/cli/main.ts'];

async function verify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [...cli, 'verify', ...args], { cwd: process.cwd() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('verify command', () => {
  it('writes reports and exits 0 for a verified claim', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const result = await verify(['--claim', 'SCALE', '--effort', 'quick', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SCALE');
    expect(existsSync(join(out, 'SCALE.md'))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.claims[0].status).toBe('verified');
    expect(results.command).toBe('npm run verify -- --effort quick --seed 1 --claim SCALE');
  });

  it('rejects an unknown effort with exit 2', async () => {
    const result = await verify(['--effort', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('effort "fast" is not one of quick, standard, thorough');
  });

  it('rejects an unknown claim id naming the valid ones', async () => {
    const result = await verify(['--claim', 'RISKY', '--out', mkdtempSync(join(tmpdir(), 'cli-'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RISKY');
    expect(result.stderr).toContain('GLA-1');
  });

  it('rejects a negative seed with exit 2', async () => {
    const result = await verify(['--seed', '-4']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('seed');
  });

  it('rejects an empty --out before running', async () => {
    const result = await verify(['--out', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out is empty');
  });

  it('rejects an --out inside a file before running', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(folder, 'plain-file'), '');
    const result = await verify(['--out', join(folder, 'plain-file', 'reports')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is inside a file');
    expect(result.stderr).not.toContain('    at ');
  });

  it('rejects an --out that is a file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(folder, 'plain-file'), '');
    const result = await verify(['--out', join(folder, 'plain-file')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out is a file, not a folder');
  });

  it('names every unknown claim id', async () => {
    const result = await verify(['--claim', 'NOPE', '--claim', 'ALSO-NOPE']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('got NOPE, ALSO-NOPE');
  });

  it('accepts the effort in any letter case', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const result = await verify(['--claim', 'SCALE', '--effort', 'QUICK', '--out', out]);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).effort).toBe('quick');
  });

  it('lists the claim ids', async () => {
    const result = await verify(['--list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NONUNIQUE');
  });
});
