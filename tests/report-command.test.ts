import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckRecord, RunRecord } from '../src/runner/records.ts';
import { readRunRecord } from '../src/runner/results-file.ts';

const exec = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec('node', ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as CliResult;
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Returns every file under `folder` with its content, keyed by the path relative to `folder`. */
function filesUnder(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(folder, path), readFileSync(path, 'utf8'));
  }
  return files;
}

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'report-command-'));
}

/** Writes a copy of `folder`/results.json, changed by `edit`, into a new folder and returns its path. */
function editedRecord(folder: string, edit: (record: RunRecord) => void): string {
  const record = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as RunRecord;
  edit(record);
  const path = join(tempFolder(), 'results.json');
  writeFileSync(path, JSON.stringify(record));
  return path;
}

describe('report command', () => {
  let verified: string;

  beforeAll(async () => {
    // SCALAR-CORR's order-sweep check draws a figure, so the rebuild covers the SVG files too.
    verified = tempFolder();
    const result = await cli(['verify', '--claim', 'SCALAR-CORR', '--check', 'order-sweep', '--effort', 'quick', '--out', verified]);
    expect(result.code).toBe(0);
  });

  it('rebuilds the files verify wrote into --out', async () => {
    const out = tempFolder();
    const result = await cli(['report', join(verified, 'results.json'), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Reports: 4 files in ${out}`);
    const expected = filesUnder(verified);
    expect([...expected.keys()].sort()).toEqual(['README.md', 'SCALAR-CORR.md', 'figures/SCALAR-CORR-risk-vs-correlation-order.svg', 'results.json']);
    expect(filesUnder(out)).toEqual(expected);
  });

  it('writes next to RESULTS.json without --out', async () => {
    const folder = tempFolder();
    copyFileSync(join(verified, 'results.json'), join(folder, 'results.json'));
    const result = await cli(['report', join(folder, 'results.json')]);
    expect(result.code).toBe(0);
    expect(filesUnder(folder)).toEqual(filesUnder(verified));
  });

  it('removes reports of claims the run does not include', async () => {
    const folder = tempFolder();
    copyFileSync(join(verified, 'results.json'), join(folder, 'results.json'));
    writeFileSync(join(folder, 'SCALE.md'), 'an old report');
    mkdirSync(join(folder, 'figures'));
    writeFileSync(join(folder, 'figures', 'DEPTH-risk-vs-depth.svg'), '<svg/>');
    expect((await cli(['report', join(folder, 'results.json')])).code).toBe(0);
    expect(filesUnder(folder)).toEqual(filesUnder(verified));
  });

  describe('rejects with exit 2', () => {
    async function rejected(path: string): Promise<string> {
      const result = await cli(['report', path, '--out', tempFolder()]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toContain('    at ');
      return result.stderr;
    }

    it('a missing file', async () => {
      const path = join(tempFolder(), 'results.json');
      expect(await rejected(path)).toBe(`error: RESULTS.json names a file that does not exist (got ${path}); pass a results.json that verify wrote, such as reports/results.json\n`);
    });

    it('a missing field, naming its path', async () => {
      const path = editedRecord(verified, (record) => {
        delete (record.claims[0].checks[0] as Partial<CheckRecord>).status;
      });
      expect(await rejected(path)).toBe(
        `error: RESULTS.json is not a valid results.json: claims[0].checks[0] lacks the field "status" (got ${path}); pass a results.json that verify wrote, such as reports/results.json\n`,
      );
    });

    it('no RESULTS.json argument', async () => {
      const result = await cli(['report']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("missing required argument 'RESULTS.json'");
    });
  });

  describe('readRunRecord rejects', () => {
    const reading = (path: string) => () => readRunRecord(path, 'RESULTS.json');

    it('a folder, pointing at its results.json', () => {
      expect(reading(verified)).toThrow(`RESULTS.json is a folder, not a file (got ${verified}); pass the file inside it, ${join(verified, 'results.json')}`);
    });

    it('invalid JSON', () => {
      const path = join(tempFolder(), 'results.json');
      writeFileSync(path, '{"tool": ');
      expect(reading(path)).toThrow(/^RESULTS\.json is not valid JSON: .* \(got .*results\.json\); pass a results\.json that verify wrote/);
    });

    it('JSON that is not an object', () => {
      const path = join(tempFolder(), 'results.json');
      writeFileSync(path, '[1, 2]');
      expect(reading(path)).toThrow('RESULTS.json is not a results.json: its JSON is not an object');
    });

    it('JSON without a tool name', () => {
      expect(reading('package.json')).toThrow('RESULTS.json is not a results.json: it has no tool.name (a results.json has "gla-wpgd-verify" there) (got package.json)');
    });

    it('another tool’s JSON', () => {
      const path = editedRecord(verified, (record) => {
        record.tool.name = 'other-tool';
      });
      expect(reading(path)).toThrow(`RESULTS.json was written by "other-tool", not by gla-wpgd-verify (got ${path})`);
    });

    it('a value outside its set', () => {
      const path = editedRecord(verified, (record) => {
        (record as { effort: string }).effort = 'fast';
      });
      expect(reading(path)).toThrow('RESULTS.json is not a valid results.json: effort is "fast", not one of quick, standard, thorough');
    });

    it('a value of the wrong type', () => {
      const path = editedRecord(verified, (record) => {
        (record.claims[0].checks[0].metrics[0] as { value: unknown }).value = [1];
      });
      expect(reading(path)).toThrow('RESULTS.json is not a valid results.json: claims[0].checks[0].metrics[0].value is [1], not of type number,string');
    });

    it('accepts a record with a stored baseline comparison', () => {
      const path = editedRecord(verified, (record) => {
        (record as { baseline: unknown }).baseline = { file: 'old/results.json' };
      });
      expect(reading(path)().claims[0].id).toBe('SCALAR-CORR');
    });
  });

  it('help gives the default folder and the exit status', async () => {
    const result = await cli(['report', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(default: the folder of RESULTS.json)');
    expect(result.stdout).toContain('Exit status: 0 reports written, 1 writing a report file failed, 2 invalid arguments');
  });
});
