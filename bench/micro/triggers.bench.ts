import Benchmark from "benchmark";
import { RuleContext } from "../../engine/decisions/RuleContext.js";
import { InteractionEvent } from "../../engine/events/InteractionEvent.js";
import { compileDecisionConfig, type CustomerState } from "../../engine/index.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { reportSuite } from "./reportSuite.js";

/**
 * Trigger evaluation with the default configuration: for each event of the mix, the
 * `when` rule of every trigger listening to its type and, where it holds, the action's
 * eligibility rule, on the customer's state after the event. Emitting the decision is
 * left out (`pipeline`'s ingest has it). Events are copied into fixed-shape
 * `InteractionEvent`s up front, as the engine does before its triggers run.
 */
const mix = eventMix();
const { events, payloads } = mix;
const { engine, config } = warmEngine(mix);
const decisions = compileDecisionConfig(config.decisions, config.locate);
const states = events.map((input) => engine.customerState(input.customerId) as CustomerState);
const interactions = events.map((input, i) => new InteractionEvent().assign(input, i + 1));
const ctx = new RuleContext(states[0]!, config.engine.lifecycle);
ctx.now = engine.watermark;
const unpackr = bareDecoder();
const next = cyclicIndex(payloads.length);
let sink: unknown;

const suite = () =>
  new Benchmark.Suite("triggers")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(payloads[next()]!);
  })
  .add("evaluate the triggers on the event's type", () => {
    const i = next();
    const event = interactions[i]!;
    ctx.customer = states[i]!;
    ctx.event = event;
    let fired = 0;
    for (const trigger of decisions.triggersByType[event.typeIndex]!) {
      if (trigger.when !== null && !trigger.when.evaluate(ctx)) continue;
      if (trigger.action.eligibility === null || trigger.action.eligibility.evaluate(ctx)) fired++;
    }
    sink = fired;
  });

await reportSuite(suite, () => sink);
