import Benchmark from "benchmark";
import { EngineMetrics } from "../../connectors/http/EngineMetrics.js";
import { CHANNELS, EVENT_TYPES } from "../../engine/index.js";
import { Rng } from "../../simulator/Rng.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * What observing costs on the hot path: the engine's own counter per event (a typed-array
 * increment, read by Prometheus only when scraped) and the prom-client histograms the
 * runtime observes once per batch and once per decide request, on seeded durations.
 */
const mix = eventMix();
const { engine } = warmEngine(mix);
const metrics = new EngineMetrics(engine);
const typeIndexes = mix.events.map((event) => EVENT_TYPES.indexOf(event.type));
const channelIndexes = mix.events.map((event) => CHANNELS.indexOf(event.channel));
const rng = new Rng(9_464);
const durationsSeconds = Array.from({ length: 4_096 }, () => rng.logNormal(0.000_2, 1));
const APPLIED = 0;
const unpackr = bareDecoder();
const nextEvent = cyclicIndex(mix.payloads.length);
const nextDuration = cyclicIndex(durationsSeconds.length);
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("metrics")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(mix.payloads[nextEvent()]!);
  })
  .add("engine stats: count an event by type, channel and outcome", () => {
    const i = nextEvent();
    engine.stats.countEvent(typeIndexes[i]!, channelIndexes[i]!, APPLIED);
  })
  .add("prom-client: observe a batch duration (histogram)", () => {
    metrics.batchDuration.observe(durationsSeconds[nextDuration()]!);
  })
  .add("prom-client: observe a decide duration (histogram, labelled)", () => {
    metrics.decideDuration.observe({ result: "ok" }, durationsSeconds[nextDuration()]!);
  });

await reportSuite(suite, () => [sink, engine.stats.totalEvents(APPLIED)]);
