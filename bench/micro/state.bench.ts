import Benchmark from "benchmark";
import { InteractionEvent } from "../../engine/events/InteractionEvent.js";
import type { CustomerState } from "../../engine/index.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * Applying validated events to customer state, windows included: what the engine does
 * once an event is decoded, validated and its customer found (the lookup is left out;
 * `pipeline`'s ingest has it). The engine copies each event into its one reusable
 * `InteractionEvent`, so that copy is part of the measured work.
 */
const mix = eventMix();
const { events, payloads } = mix;
const { engine, settings } = warmEngine(mix);
const states = events.map((event) => engine.customerState(event.customerId) as CustomerState);
const event = new InteractionEvent();
const unpackr = bareDecoder();
const next = cyclicIndex(payloads.length);
let seq = engine.stats.lastSeq;
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("state")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(payloads[next()]!);
  })
  .add("apply an event to its customer's state and windows", () => {
    const i = next();
    sink = states[i]!.apply(event.assign(events[i]!, ++seq), true, settings.maxProductsPerCustomer);
  });

await reportSuite(suite, () => sink);
