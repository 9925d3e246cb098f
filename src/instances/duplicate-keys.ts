import { visit } from 'jsonc-parser';

/** A key that appears twice in one JSON object. */
export interface DuplicateKey {
  /** JSON pointer of the object that contains the key, "" for the top level. */
  readonly object: string;
  readonly key: string;
  /** 1-based line and column of the second occurrence. */
  readonly line: number;
  readonly column: number;
}

/**
 * Returns the keys that appear more than once in an object of a JSON text,
 * in the order of their repeats. JSON.parse keeps the last value of a
 * repeated key without an error, so a file that sets `d` twice would lose
 * one of its two values.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const duplicates: DuplicateKey[] = [];
  // One set of seen keys per open object. Arrays push null, so the stack stays aligned with the nesting.
  const seen: (Set<string> | null)[] = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        seen.push(new Set());
      },
      onObjectEnd: () => {
        seen.pop();
      },
      onArrayBegin: () => {
        seen.push(null);
      },
      onArrayEnd: () => {
        seen.pop();
      },
      onObjectProperty: (key, _offset, _length, startLine, startCharacter, pathSupplier) => {
        const keys = seen[seen.length - 1];
        if (!keys) return;
        if (keys.has(key)) duplicates.push({ object: jsonPointer(pathSupplier()), key, line: startLine + 1, column: startCharacter + 1 });
        keys.add(key);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return duplicates;
}

/** Writes a path of keys and indices as a JSON pointer (RFC 6901). */
function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
