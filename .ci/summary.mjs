// Prints `N passed, N failed` from vitest's JSON results; exits 1 when a test failed, none ran, or
// the results are missing (npm test stopped before vitest could write them).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no test results at ${file}: npm test stopped before the tests ran (see above)`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8'));
const passed = results.numPassedTests ?? 0;
let failed = results.numFailedTests ?? 0;
// A test file that failed to load has no failed tests but failed all the same.
const brokenFiles = (results.testResults ?? []).filter((f) => f.status === 'failed' && f.assertionResults.length === 0);
failed += brokenFiles.length;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
for (const f of brokenFiles) console.error(`test file failed to run: ${f.name}: ${String(f.message).split('\n')[0]}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
