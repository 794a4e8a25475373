import { performance } from "node:perf_hooks";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { warmEngine } from "./benchEngine.js";
import { eventMix } from "./eventMix.js";

/**
 * What the online models and the segments cost on the hot path: the in-process ingest
 * loop of the pipeline suite on the default configuration, with the models off, the
 * segments off, and both off, in alternating rounds so that machine noise hits every
 * variant alike (not a suite of bench/run.ts: the variants are the comparison).
 *
 *   node --import tsx bench/micro/ingestCost.measure.ts [rounds] [seconds per variant]
 */
const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 2);
const mix = eventMix();
const base = loadConfig();
const variants: Readonly<Record<string, CxConfig>> = {
  "default configuration": base,
  "models off": { ...base, engine: { ...base.engine, models: null } },
  "segments off": { ...base, decisions: { ...base.decisions, segments: [] } },
  "models and segments off": { ...base, engine: { ...base.engine, models: null }, decisions: { ...base.decisions, segments: [] } },
};

const rates = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, config] of Object.entries(variants)) {
    const { engine } = warmEngine(mix, config);
    let seq = mix.payloads.length;
    let events = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      for (let i = 0; i < mix.payloads.length; i++) engine.ingest(mix.payloads[i]!, mix.subjects[i]!, ++seq);
      events += mix.payloads.length;
    }
    rates.get(name)!.push(events / ((performance.now() - started) / 1000));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const reference = median(rates.get("models and segments off")!);
for (const [name, values] of rates) {
  const rate = median(values);
  console.log(`${name.padEnd(26)} ${Math.round(rate).toLocaleString("en").padStart(9)} events/s (median of ${values.length})  x${(rate / reference).toFixed(2)}`);
}
