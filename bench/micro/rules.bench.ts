import Benchmark from "benchmark";
import { RuleContext } from "../../engine/decisions/RuleContext.js";
import { compileDecisionConfig, type CustomerState } from "../../engine/index.js";
import { BARE_DECODE, bareDecoder } from "./bareDecoder.js";
import { warmEngine } from "./benchEngine.js";
import { cyclicIndex, eventMix } from "./eventMix.js";
import { jsonRulesPeer } from "./jsonRulesPeer.js";
import { reportSuite } from "./reportSuite.js";

/**
 * The default catalog's eligibility rules, compiled to closures by the engine, against
 * the same rules written for json-rules-engine (the peer), on the same customer states:
 * every customer of the mix after it was ingested. One operation is one customer with
 * every rule evaluated. json-rules-engine answers with a promise, so its case is
 * deferred: an operation ends when its run resolves. Before measuring, both sides must
 * agree on every rule for every customer.
 */
const mix = eventMix();
const { engine, config } = warmEngine(mix);
const { actions } = compileDecisionConfig(config.decisions, config.locate);
const rules = actions.filter((action) => action.eligibility !== null).map((action) => action.eligibility!);
const states = [...new Set(mix.events.map((event) => event.customerId))].map((id) => engine.customerState(id) as CustomerState);
const ctx = new RuleContext(states[0]!, config.engine.lifecycle);
ctx.now = engine.watermark;
ctx.channel = "web";
const peer = jsonRulesPeer(actions, ctx);

const eligibleCount = await checkBothSidesAgree();
process.stderr.write(`rules: ${rules.length} rules on ${states.length} customers; ${eligibleCount} (rule, customer) pairs eligible on both sides\n`);

const unpackr = bareDecoder();
const nextEvent = cyclicIndex(mix.payloads.length);
const nextState = cyclicIndex(states.length);
let sink: unknown;

const OURS = "eligibility rules, compiled: every rule on one customer";
const PEER = "peer: json-rules-engine, the same rules on one customer";
const suite = () =>
  new Benchmark.Suite("rules")
  .add(BARE_DECODE, () => {
    sink = unpackr.unpack(mix.payloads[nextEvent()]!);
  })
  .add(OURS, () => {
    ctx.customer = states[nextState()]!;
    let eligible = 0;
    for (const rule of rules) if (rule.evaluate(ctx)) eligible++;
    sink = eligible;
  })
  .add(PEER, {
    defer: true,
    fn: (deferred: Benchmark.Deferred) => {
      ctx.customer = states[nextState()]!;
      void peer.run().then((result) => {
        sink = result.events.length;
        deferred.resolve();
      });
    },
  });

await reportSuite(suite, () => sink, [{ name: "eligibility rules vs json-rules-engine", faster: OURS, slower: PEER }]);

async function checkBothSidesAgree(): Promise<number> {
  let eligible = 0;
  for (const state of states) {
    ctx.customer = state;
    const peerEligible = new Set((await peer.run()).events.map((event) => event.type));
    for (const action of actions) {
      if (action.eligibility === null) continue;
      const ours = action.eligibility.evaluate(ctx);
      if (ours !== peerEligible.has(action.id)) {
        throw new Error(`customer ${state.customerId}, action ${action.id}: the engine says ${ours}, json-rules-engine says ${!ours}`);
      }
      if (ours) eligible++;
    }
  }
  return eligible;
}
