import { performance } from "node:perf_hooks";
import type { CxConfig } from "../../config/loadConfig.js";
import { encodeOutbound, type FeatureVector } from "../../engine/index.js";
import { OffPolicyEstimate, type Estimate, type StrategyChoice } from "./OffPolicyEstimate.js";
import { ResponseModels } from "./ResponseModels.js";
import type { LogSource, LoggedDecision } from "./StrategyLog.js";
import { StrategyReplay } from "./StrategyReplay.js";

export const MAX_STRATEGIES = 20;
/** Reasons kept for entries of the log left out; the rest are only counted. */
const SKIP_EXAMPLES = 5;
const POSITIVE_RESPONSES: ReadonlySet<unknown> = new Set(["accept", "convert"]);
const DECLINE = "decline";

export interface StrategySpec {
  readonly name: string;
  readonly config: CxConfig;
}

export interface StrategyResult {
  readonly strategy: string;
  /** Decisions with an action: its triggers' anywhere in the log, and its answers at the logged requests. */
  readonly decisions: number;
  readonly contactsPerCustomer: number;
  /** Logged moments where it chose the logged action on the logged channel. */
  readonly matched: number;
  /** Logged moments where it chose an action the log never showed on that channel: its DR there is the response model's prior, not evidence. */
  readonly unsupported: number;
  readonly ipsResponses: Estimate;
  readonly drResponses: Estimate;
  readonly ipsRevenue: Estimate;
  readonly drRevenue: Estimate;
  /** Of the actions that reached its contact policy, the share the policy held back. */
  readonly policyPressure: number;
  readonly decideMicros: { readonly p50: number; readonly p99: number };
  readonly customersLost: number;
}

export interface SimulationResult {
  /** The log file, or the JetStream streams and range. */
  readonly source: string;
  readonly events: number;
  readonly rejectedEvents: number;
  readonly customers: number;
  /** Logged decisions compared at: each with the probability its action was chosen with. */
  readonly moments: number;
  /** Whether any logged decision was explored (probability below 1); without, a strategy is credited only where it agrees with the log. */
  readonly explored: boolean;
  readonly skipped: { readonly count: number; readonly examples: readonly string[] };
  readonly responseWindowMs: number;
  /** What the logged decisions brought: responses and revenue joined to them by decision id. */
  readonly logged: { readonly responses: number; readonly revenue: number };
  readonly strategies: readonly StrategyResult[];
  readonly elapsedSeconds: number;
}

/** A logged decision waiting for its responses until its window closes. */
interface OpenMoment {
  readonly decision: LoggedDecision;
  readonly closesAt: number;
  readonly features: FeatureVector;
  readonly loggedResponse: number;
  readonly loggedRevenuePerResponse: number;
  readonly choices: readonly StrategyChoice[];
  responded: boolean;
  revenue: number;
  /** The reward model has learnt it: at its first answer (accept, convert or decline), else when its window closes. */
  learnt: boolean;
}

/** Counters a progress display may poll while the simulation runs. */
export interface SimulationProgress {
  events: number;
  moments: number;
}

/**
 * Replays a recorded log through one engine per strategy, all in one pass, and compares
 * them at the log's decisions by off-policy estimates (OffPolicyEstimate): each logged
 * decision is a moment; every strategy says what it would have done there; the
 * responses the log joins to the decision (accept or convert by its decision id and
 * action, within `responseWindowMs`) are its outcome. The reward model learns a moment
 * at the customer's first answer to it (responses are fast, windows long), or with no
 * answer when its window closes; every strategy's estimate takes the moment then, when
 * its outcome is final.
 */
export async function simulateStrategies(
  log: LogSource,
  strategies: readonly StrategySpec[],
  responseWindowMs: number,
  progress: SimulationProgress = { events: 0, moments: 0 },
): Promise<SimulationResult> {
  if (strategies.length === 0 || strategies.length > MAX_STRATEGIES) throw new RangeError(`compare 1 to ${MAX_STRATEGIES} strategies, not ${strategies.length}`);
  const started = performance.now();
  const replays = strategies.map((spec) => new StrategyReplay(spec.name, spec.config));
  const estimates = strategies.map(() => new OffPolicyEstimate());
  // Per strategy, how often it chose each action on each channel; and what the log showed.
  const chosen = strategies.map(() => new Map<string, number>());
  const shown = new Set<string>();
  const models = new ResponseModels(strategies[0]!.config.engine.lifecycle);
  const open = new Map<string, OpenMoment>();
  const customers = new Set<string>();
  const skipped: string[] = [];
  let skippedCount = 0;
  let logTs = Number.NEGATIVE_INFINITY;
  let explored = false;
  const logged = { responses: 0, revenue: 0 };

  const close = (moment: OpenMoment) => {
    open.delete(moment.decision.decisionId);
    learn(moment);
    if (moment.responded) logged.responses++;
    logged.revenue += moment.revenue;
    const outcome = { ...moment, probability: moment.decision.probability };
    moment.choices.forEach((choice, s) => estimates[s]!.add(outcome, choice));
  };
  // Moments open in log order, and every window is as long: the first open closes first.
  const closeUntil = (ts: number) => {
    for (const moment of open.values()) {
      if (moment.closesAt > ts) break;
      close(moment);
    }
  };

  for await (const entry of log.entries()) {
    if (entry.kind === "skipped") {
      if (skippedCount++ < SKIP_EXAMPLES) skipped.push(`entry ${entry.position}: ${entry.why}`);
      continue;
    }
    if (entry.kind === "event") {
      const event = entry.event;
      progress.events++;
      const encoded = encodeOutbound(event);
      let accepted = true;
      for (const replay of replays) accepted = replay.replay(encoded) && accepted;
      // Bad input is the engine's to judge (and the same for every strategy): it neither moves time nor answers a decision.
      if (!accepted) continue;
      customers.add(event.customerId as string);
      const ts = event.ts as number;
      if (ts > logTs) {
        logTs = ts;
        closeUntil(logTs);
      }
      if (event.type === "offer_response") joinResponse(open.get(event.decisionId as string), event);
      continue;
    }
    const decision = entry.decision;
    if (open.has(decision.decisionId)) {
      if (skippedCount++ < SKIP_EXAMPLES) skipped.push(`decision ${decision.decisionId} is logged twice; the first counts`);
      continue;
    }
    progress.moments++;
    explored ||= decision.probability < 1;
    const features = models.features(replays[0]!.customer(decision.customerId), decision.ts, decision.channel).copy();
    const loggedPrediction = models.predict(decision.actionId, features);
    shown.add(`${decision.actionId}@${decision.channel}`);
    const choices = replays.map((replay, s): StrategyChoice => {
      const choice = replay.choiceAt(decision);
      if (choice === null) return { matched: false, response: 0, revenuePerResponse: 0 };
      const key = `${choice.actionId}@${choice.channel}`;
      chosen[s]!.set(key, (chosen[s]!.get(key) ?? 0) + 1);
      const prediction = models.predict(choice.actionId, features);
      return {
        matched: choice.actionId === decision.actionId && choice.channel === decision.channel,
        response: prediction.response,
        revenuePerResponse: prediction.revenuePerResponse,
      };
    });
    open.set(decision.decisionId, {
      decision,
      closesAt: decision.ts + responseWindowMs,
      features,
      loggedResponse: loggedPrediction.response,
      loggedRevenuePerResponse: loggedPrediction.revenuePerResponse,
      choices,
      responded: false,
      revenue: 0,
      learnt: false,
    });
  }
  for (const moment of open.values()) close(moment);

  const customerCount = Math.max(1, customers.size);
  return {
    source: log.name,
    events: progress.events,
    rejectedEvents: replays[0]!.rejectedEvents,
    customers: customers.size,
    moments: progress.moments,
    explored,
    skipped: { count: skippedCount, examples: skipped },
    responseWindowMs,
    logged,
    strategies: replays.map((replay, s) => ({
      strategy: replay.name,
      decisions: replay.decisions,
      contactsPerCustomer: replay.decisions / customerCount,
      matched: estimates[s]!.matched,
      unsupported: [...chosen[s]!].reduce((sum, [key, count]) => (shown.has(key) ? sum : sum + count), 0),
      ipsResponses: estimates[s]!.ipsResponses(),
      drResponses: estimates[s]!.drResponses(),
      ipsRevenue: estimates[s]!.ipsRevenue(),
      drRevenue: estimates[s]!.drRevenue(),
      policyPressure: replay.policyPressure(),
      decideMicros: { p50: quantile(replay.decideMicros, 0.5), p99: quantile(replay.decideMicros, 0.99) },
      customersLost: replay.customersLost,
    })),
    elapsedSeconds: (performance.now() - started) / 1000,
  };

  /** A positive response to the logged action within the window is the moment's outcome, revenue adding up; a decline only answers it. */
  function joinResponse(moment: OpenMoment | undefined, event: Readonly<Record<string, unknown>>): void {
    if (moment === undefined || event.offerId !== moment.decision.actionId || (event.ts as number) < moment.decision.ts) return;
    if (POSITIVE_RESPONSES.has(event.response)) {
      moment.responded = true;
      if (typeof event.amount === "number") moment.revenue += event.amount;
    } else if (event.response !== DECLINE) return;
    learn(moment);
  }

  function learn(moment: OpenMoment): void {
    if (moment.learnt) return;
    moment.learnt = true;
    models.learn(moment.decision.actionId, moment.features, moment.responded, moment.revenue);
  }
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
