// Prints "N passed, N failed" (and skipped when any) from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.vitest-results.json';
if (!existsSync(path)) {
  console.log('0 passed, 1 failed');
  console.error(`${path} was not written: vitest did not finish.`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + countFilesFailedWithoutTests(report);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);

// A test file that failed to load has no failed tests of its own; count it once.
// numFailedTestSuites is no help here: it counts every describe block on the
// path of a failing test as well as the file.
function countFilesFailedWithoutTests(json) {
  return (json.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
}
