import { InputError } from '../core/errors.ts';
import { measureProof } from './symbolic-risk-measure.ts';

// Worker process of the symbolic RISK benchmark: `node --import tsx symbolic-risk-worker.ts D N`
// proves RISK at (D, N) once and prints one JSON line. Each size runs in its own
// process so that the peak RSS belongs to that size alone.

const [dText, nText] = process.argv.slice(2);
const d = parseSize('d', dText);
const n = parseSize('n', nText);
process.stdout.write(`${JSON.stringify(measureProof(d, n))}\n`);

function parseSize(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InputError(name, 'is not a positive integer', text ?? 'nothing', `pass ${name} as the ${name === 'd' ? 'first' : 'second'} argument, for example 2`);
  }
  return value;
}
