#!/usr/bin/env node
// Run @cloud-copilot/iam-simulate on cpa request files and print one JSON line
// per file: {"file", "decision": "allowed"|"explicitDeny"|"implicitDeny"|"error", ...}.
// With --expected FILE (a {"name.json": "decision"} map) each line also gets
// "expected" and "agree". The exit code is 1 if any decision is "error" or
// disagrees with the expectation.
//
// usage: node iam-simulate/simulate.mjs [--expected requests/expected.json] FILE...
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { fileLabel, readRequest, toDecision, toSimulation } from './translate.mjs';

const args = process.argv.slice(2);
let expected;
const i = args.indexOf('--expected');
if (i >= 0) {
  expected = readRequest(args[i + 1]);
  args.splice(i, 2);
}
const files = args.filter((f) => !f.endsWith('/expected.json') && f !== 'expected.json');
if (files.length === 0) {
  console.error('usage: simulate.mjs [--expected expected.json] REQUEST.json...');
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const name = fileLabel(file);
  let line;
  try {
    line = { file: name, ...toDecision(await runSimulation(toSimulation(readRequest(file)), {})) };
  } catch (e) {
    line = { file: name, decision: 'error', error: String(e?.message ?? e) };
  }
  if (expected) {
    line.expected = expected[name];
    line.agree = line.decision === line.expected;
  }
  if (line.decision === 'error' || line.agree === false) failed++;
  console.log(JSON.stringify(line));
}
if (expected) console.error(`${files.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
