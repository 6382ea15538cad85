// Runs @doyensec/electronegativity offline: node run-electronegativity.cjs INPUT_DIR OUT.csv
// The tool fetches translations and Electron's release list from GitHub; offline, its HTTP
// client (got + p-cancelable) throws "The `onCancel` handler was attached after the promise
// settled" from a retry timer after the fetch already failed. That one error is ignored;
// any other still fails the run. The network-only release check is excluded.
'use strict';
process.on('uncaughtException', (error) => {
  if (/onCancel` handler was attached after the promise settled/.test(String(error && error.message))) return;
  console.error(error);
  process.exit(1);
});
const run = require('@doyensec/electronegativity');
const [input, output] = process.argv.slice(2);
run({
  input,
  output,
  isSarif: false,
  customScan: [],
  excludeFromScan: ['availablesecurityfixesglobalcheck'],
  isRelative: true,
  isVerbose: false,
  parserPlugins: [],
})
  // The report is written asynchronously after run() resolves: wait for it to land.
  .then(() => waitForReport(output, Date.now() + 10_000))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });

function waitForReport(file, deadline) {
  const fs = require('node:fs');
  const done = fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('\n');
  if (done) setTimeout(() => process.exit(0), 200);
  else if (Date.now() > deadline) {
    console.error('electronegativity wrote no report');
    process.exit(1);
  } else setTimeout(() => waitForReport(file, deadline), 100);
}
