import { performance } from "node:perf_hooks";
import { Lookalike } from "../../engine/segments/profiles/Lookalike.js";
import { profileAttributes } from "../../engine/segments/profiles/ProfileAttributes.js";
import { warmEngine } from "./benchEngine.js";
import { eventMix } from "./eventMix.js";

/**
 * Measures the segment profiles, which run off the hot path (not a suite of bench/run.ts:
 * there is no baseline to compare with in the same run): a full refresh, the longest
 * slice of a refresh spread over `segmentProfiles.batch` customers, and what a lookalike
 * score costs and allocates when a rule reads it.
 *
 *   node --expose-gc --import tsx bench/micro/segmentProfiles.measure.ts [customers] [events]
 */
const customers = Number(process.argv[2] ?? 200_000);
const events = Number(process.argv[3] ?? 600_000);
const { engine, settings } = warmEngine(eventMix(events, { customers }));
const segments = engine.segmentSizes();
console.log(`customers in memory ${engine.customersInMemory}, segments ${segments.length}, node ${process.version}`);

const full: number[] = [];
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  engine.refreshSegmentProfiles();
  full.push(performance.now() - started);
}
console.log(`full refresh: ${full.map((ms) => ms.toFixed(1)).join(", ")} ms`);

for (const batch of [5_000, 20_000]) {
  const slices: number[] = [];
  let done = false;
  while (!done) {
    const started = performance.now();
    done = engine.refreshSegmentProfiles(batch);
    slices.push(performance.now() - started);
  }
  slices.sort((a, b) => a - b);
  console.log(`batch ${batch}: ${slices.length} slices, median ${slices[slices.length >> 1]!.toFixed(1)} ms, longest ${slices.at(-1)!.toFixed(1)} ms`);
}

// The scorer rules read (the engine's own is private): same attributes, the same profiles installed.
const lookalike = new Lookalike(profileAttributes({ lifecycle: settings.lifecycle }), () => Number.NaN);
lookalike.install(engine.segmentProfiles());
const states = Array.from({ length: 10_000 }, (_, i) => engine.customerState(`C${i}`)).filter((s) => s !== undefined);
const now = engine.watermark;
let checksum = 0;
const rounds = 50;
// Each customer scored for every segment in turn, as a rule set reads the customer of the event at hand
// (its state in cache); the first read of each state is a cache miss, as it is for the engine too.
const pass = () => {
  // A local sum: a captured one would box every addition and look like the score allocating.
  let sum = 0;
  for (const state of states) for (let segment = 0; segment < segments.length; segment++) sum += lookalike.score(segment, state, now);
  return sum;
};
for (let r = 0; r < 10; r++) checksum += pass();
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
for (let r = 0; r < rounds; r++) checksum += pass();
const elapsed = performance.now() - started;
const heapAfter = process.memoryUsage().heapUsed;
const calls = rounds * states.length * segments.length;
console.log(
  `lookalike score: ${((elapsed * 1e6) / calls).toFixed(0)} ns per call over ${calls} calls; heap grew ${((heapAfter - heapBefore) / 1024).toFixed(0)} KiB ` +
    `(gc ${globalThis.gc ? "forced before" : "not exposed"}); checksum ${checksum.toFixed(3)}`,
);
