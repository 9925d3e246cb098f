import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One CPU cache of core 0, as Linux reports it under /sys/devices/system/cpu/cpu0/cache. */
export interface CpuCache {
  readonly level: number;
  /** 'Data', 'Instruction' or 'Unified'. */
  readonly type: string;
  readonly bytes: number;
}

const CACHE_DIRECTORY = '/sys/devices/system/cpu/cpu0/cache';

/** Parses a sysfs cache size such as "48K" or "2048K" into bytes, or returns null. */
export function parseCacheSize(text: string): number | null {
  const match = /^(\d+)([KMG]?)$/.exec(text.trim());
  if (match === null) return null;
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[match[2] as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}

/** Returns core 0's data and unified caches, smallest level first, or [] where sysfs does not list them (not Linux, or a container without /sys). */
export function dataCaches(directory = CACHE_DIRECTORY): CpuCache[] {
  let entries: string[];
  try {
    entries = readdirSync(directory).filter((entry) => /^index\d+$/.test(entry));
  } catch {
    return [];
  }
  const caches: CpuCache[] = [];
  for (const entry of entries) {
    try {
      const read = (name: string) => readFileSync(join(directory, entry, name), 'utf8').trim();
      const type = read('type');
      const bytes = parseCacheSize(read('size'));
      const level = Number(read('level'));
      if (type !== 'Instruction' && bytes !== null && Number.isInteger(level)) caches.push({ level, type, bytes });
    } catch {
      // An index without readable attributes is left out; the page lists the caches that were readable.
    }
  }
  return caches.sort((a, b) => a.level - b.level);
}

/**
 * Linux reports /proc/stat in USER_HZ ticks, which the kernel ABI fixes at
 * 100 per second on x86 and ARM.
 */
const USER_HZ = 100;

/**
 * Parses the aggregate "cpu" line of /proc/stat and returns the busy CPU
 * seconds of the whole machine since boot: user, nice, system, irq, softirq
 * and steal, all but idle and iowait. Returns null for a line of another form.
 */
export function parseBusyCpuSeconds(stat: string): number | null {
  const line = stat.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (line === undefined) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((value) => !Number.isFinite(value))) return null;
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

/** Returns the machine's busy CPU seconds since boot from /proc/stat, or null where it is not readable (not Linux). */
export function machineBusyCpuSeconds(): number | null {
  try {
    return parseBusyCpuSeconds(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

export function describeCaches(caches: readonly CpuCache[]): string {
  if (caches.length === 0) return 'cache sizes not available from sysfs';
  return caches.map((cache) => `L${cache.level} ${cache.type === 'Data' ? 'data ' : ''}${formatBytes(cache.bytes)}`).join(', ');
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}
