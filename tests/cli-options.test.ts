import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireWritableFile } from '../src/cli/output-file.ts';
import { parseBackend } from '../src/cli/options.ts';

describe('output file check', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gla-out-'));
  const file = join(folder, 'existing.json');
  writeFileSync(file, '{}');

  it('accepts new and existing files', () => {
    expect(() => requireWritableFile('--out', join(folder, 'new', 'deeper', 'x.json'))).not.toThrow();
    expect(() => requireWritableFile('--out', file)).not.toThrow();
  });

  it('rejects a folder', () => {
    expect(() => requireWritableFile('--out', folder)).toThrow(/--out is a folder, not a file/);
  });

  it('rejects a path below a file', () => {
    expect(() => requireWritableFile('--out', join(file, 'x.json'))).toThrow(/lies inside a file/);
  });

  it('rejects an empty path', () => {
    expect(() => requireWritableFile('--out', '')).toThrow(/--out is empty/);
  });
});

describe('backend option', () => {
  it('accepts any letter case', () => {
    expect(parseBackend('WebGPU')).toBe('webgpu');
    expect(parseBackend('CPU')).toBe('cpu');
  });

  it('rejects unknown names', () => {
    expect(() => parseBackend('gpu')).toThrow(/not one of cpu, webgpu/);
  });
});
