import Benchmark from "benchmark";
import { EventValidator } from "../../engine/events/EventValidator.js";
import { decodePayload, Rejection } from "../../engine/index.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * The in-process hot path, stage by stage, against the bare msgpackr decode of the same
 * bytes (the baseline): decode, decode + validate, and the whole ingest (decode,
 * validate, apply to state and windows, evaluate triggers, emit decisions).
 */
const mix = eventMix();
const { payloads, subjects } = mix;
const { engine, settings, clock } = warmEngine(mix);
const validator = new EventValidator({ clock, maxFutureSkewMs: settings.maxFutureSkewMs });
const unpackr = bareDecoder();
const next = cyclicIndex(payloads.length);
let seq = engine.stats.lastSeq;
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("pipeline")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(payloads[next()]!);
  })
  .add("decode", () => {
    sink = decodePayload(payloads[next()]!, settings.maxPayloadBytes);
  })
  .add("decode + validate", () => {
    const decoded = decodePayload(payloads[next()]!, settings.maxPayloadBytes);
    sink = decoded instanceof Rejection ? decoded : validator.validate(decoded);
  })
  .add("ingest: decode + validate + apply + triggers", () => {
    const i = next();
    sink = engine.ingest(payloads[i]!, subjects[i]!, ++seq);
  });

await reportSuite(suite, () => sink);
