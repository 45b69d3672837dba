#!/usr/bin/env node
// Decisions/second of @cloud-copilot/iam-simulate on cpa request files, one
// JSON line per file and mode:
//   {"file", "mode", "decision", "iterations", "decisionsPerSecond", "meanMicros",
//    "bestBatchMicros"}
//
// Each timed call is one full decision for the request with all its policies
// (identity, resource, boundary, session). Reading and translating the request
// file happens once, outside the timed loop; only the evaluation calls are timed.
//
// Modes:
//   validated (default)  runSimulation() with every policy pre-wrapped by
//                        iam-policy's createValidatedPolicy(), so validation runs
//                        once per file, not per call. This is the library's own
//                        "validate once" path and the fastest public API with
//                        unchanged semantics. Per call it still finds the action's
//                        resource types by matching the ARN against iam-data's
//                        patterns (most of the time for small requests), builds the
//                        Policy objects (loadPolicy), normalises context keys and
//                        evaluates. There is no public "compile once, evaluate
//                        many" API (the core authorize() is not exported).
//   full                 runSimulation() on raw documents: validation every call.
//   unsafe               runUnsafeSimulation(): no validation, no resource-type or
//                        context-key work; the closest public API to "evaluate
//                        only". NOT equivalent in general: it ignores the session
//                        policy and does not flag wildcard-only actions. Its
//                        decision is printed so a divergence is visible.
//
// usage: node iam-simulate/bench.mjs [--mode validated|full|unsafe|all]
//                                    [--seconds S] [--iterations N] FILE...
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { DECISIONS, fileLabel, readRequest, toDecision, toSimulation } from './translate.mjs';

const opts = { mode: 'validated', seconds: 2, iterations: 0 };
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--mode') opts.mode = argv[++i];
  else if (a === '--seconds') opts.seconds = Number(argv[++i]);
  else if (a === '--iterations') opts.iterations = Number(argv[++i]);
  else if (!a.endsWith('expected.json')) files.push(a);
}
const MODES = ['validated', 'full', 'unsafe'];
const modes = opts.mode === 'all' ? MODES : [opts.mode];
if (files.length === 0 || !modes.every((m) => MODES.includes(m))) {
  console.error('usage: bench.mjs [--mode validated|full|unsafe|all] [--seconds S] [--iterations N] FILE...');
  process.exit(2);
}

// Returns an async function doing one decision, and that decision.
async function makeDecider(req, mode) {
  if (mode === 'unsafe') {
    // runUnsafeSimulation loads the resource policy without a name and then
    // crashes reading it; a ValidatedPolicy carries the name in its metadata.
    const sim = toSimulation(req, { validated: true });
    const once = async () => runUnsafeSimulation(sim, {});
    const r = await once();
    return { once, decision: DECISIONS[r] ?? r };
  }
  const sim = toSimulation(req, { validated: mode === 'validated' });
  const once = () => runSimulation(sim, {});
  return { once, decision: toDecision(await once()).decision };
}

const BATCHES = 5;
const round2 = (x) => Number(x.toFixed(2));

async function timeLoop(once, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await once();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// Build every decider first and run each briefly, so that the first file
// measured does not pay for JIT warm-up of code shared by all of them.
const jobs = [];
for (const file of files) {
  const req = readRequest(file);
  for (const mode of modes) jobs.push({ file, req, mode, ...(await makeDecider(req, mode)) });
}
for (const { once } of jobs) {
  const t0 = performance.now();
  while (performance.now() - t0 < 200) await once();
}

for (const { file, req, mode, once, decision } of jobs) {
  // Warm-up: let the JIT settle and iam-data's lazy lookups fill their caches
  // (500 calls and 0.5 s, capped at 2 s), which also calibrates the iteration count.
  let warm = 0;
  let spent = 0;
  while ((warm < 500 || spent < 0.5) && spent < 2) {
    const n = Math.max(50, warm);
    spent += await timeLoop(once, n);
    warm += n;
  }
  // The timed run is split into BATCHES equal batches; the mean is over all of
  // them, bestBatchMicros is the fastest batch (useful on a busy machine).
  const total = opts.iterations || Math.max(100, Math.ceil((opts.seconds * warm) / spent));
  const per = Math.ceil(total / BATCHES);
  let secs = 0;
  let best = Infinity;
  for (let b = 0; b < BATCHES; b++) {
    const t = await timeLoop(once, per);
    secs += t;
    best = Math.min(best, t / per);
  }
  const n = per * BATCHES;
  const line = {
    file: fileLabel(file),
    mode,
    decision,
    iterations: n,
    decisionsPerSecond: Math.round(n / secs),
    meanMicros: round2((secs * 1e6) / n),
    bestBatchMicros: round2(best * 1e6)
  };
  if (mode === 'unsafe' && req.sessionPolicy) line.caveat = 'runUnsafeSimulation ignores the session policy';
  console.log(JSON.stringify(line));
}
