import Benchmark from "benchmark";
import { EventValidator } from "../../engine/events/EventValidator.js";
import { decodePayload, ManualClock, Rejection } from "../../engine/index.js";
import type { DecodedObject } from "../../engine/wire/decodePayload.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { cyclicIndex, eventMix, MIX_SPAN_MS, MIX_START_TS } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * Validating decoded events against the event contract (the compiled per-type schema
 * check and the semantic checks), on objects decoded once up front: validation only
 * reads them, so they can be validated again and again.
 */
const { payloads } = eventMix();
const MAX_PAYLOAD_BYTES = 65_536;
const decoded = payloads.map((bytes) => decodePayload(bytes, MAX_PAYLOAD_BYTES) as DecodedObject);
const validator = new EventValidator({ clock: new ManualClock(MIX_START_TS + MIX_SPAN_MS), maxFutureSkewMs: 300_000 });
const rejected = decoded.filter((object) => validator.validate(object) instanceof Rejection).length;
if (rejected > 0) throw new Error(`${rejected} events of the mix fail validation; the mix must be valid`);
const unpackr = bareDecoder();
const next = cyclicIndex(payloads.length);
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("validate")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(payloads[next()]!);
  })
  .add("validate a decoded event", () => {
    sink = validator.validate(decoded[next()]!);
  });

await reportSuite(suite, () => sink);
