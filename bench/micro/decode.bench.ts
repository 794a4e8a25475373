import Benchmark from "benchmark";
import { decodePayload } from "../../engine/index.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * Decoding inbound payloads: the engine's `decodePayload` (format sniffing, size and
 * shape checks) on the mix as MessagePack and as JSON, and the bare `JSON.parse` of the
 * same JSON bytes, the least a JSON consumer pays, as the JSON reference.
 */
const { events, payloads } = eventMix();
const utf8 = new TextEncoder();
const jsonPayloads = events.map((event) => utf8.encode(JSON.stringify(event)));
const textDecoder = new TextDecoder();
const MAX_PAYLOAD_BYTES = 65_536;
const unpackr = bareDecoder();
const next = cyclicIndex(payloads.length);
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("decode")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(payloads[next()]!);
  })
  .add("decode MessagePack", () => {
    sink = decodePayload(payloads[next()]!, MAX_PAYLOAD_BYTES);
  })
  .add("reference: JSON.parse of the same events as JSON", () => {
    sink = JSON.parse(textDecoder.decode(jsonPayloads[next()]!));
  })
  .add("decode JSON", () => {
    sink = decodePayload(jsonPayloads[next()]!, MAX_PAYLOAD_BYTES);
  });

await reportSuite(suite, () => sink, [{ name: "decode JSON vs bare JSON.parse", faster: "decode JSON", slower: "reference: JSON.parse of the same events as JSON" }]);
