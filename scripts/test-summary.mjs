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
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);

// A suite that failed to load has no failed tests of its own; count it once.
function countSuitesWithFailedTests(json) {
  return (json.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
}
