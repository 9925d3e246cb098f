import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The toolkit's own package.json (name and version). */
export function toolPackage(): { name: string; version: string } {
  const path = fileURLToPath(new URL('../../package.json', import.meta.url));
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { name: string; version: string };
  return { name: parsed.name, version: parsed.version };
}

/** Installed versions of the packages whose arithmetic or figures the results depend on, plus Node.js. */
export function dependencyVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node };
  for (const name of ['mathjs', 'ml-matrix', 'fast-check', 'nerdamer', 'pure-rand', 'quadprog', 'vega', 'vega-lite']) {
    versions[name] = installedVersion(name);
  }
  return versions;
}

function installedVersion(name: string): string {
  try {
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    // Some packages do not export package.json; fall back to the folder next to this project.
    try {
      const path = fileURLToPath(new URL(`../../node_modules/${name}/package.json`, import.meta.url));
      return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
}
