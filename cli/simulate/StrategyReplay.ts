import { performance } from "node:perf_hooks";
import type { CxConfig } from "../../config/loadConfig.js";
import {
  compileDecisionConfig,
  Engine,
  IngestResult,
  SUPPRESSION_REASONS,
  systemClock,
  type CustomerState,
  type Decision,
} from "../../engine/index.js";
import type { LoggedDecision } from "./StrategyLog.js";

/** What a strategy does at a logged moment: its first action and channel, or nothing. */
export interface MomentChoice {
  readonly actionId: string;
  readonly channel: string;
}

/** Events whose triggered decisions are kept until the log's own decisions for them come by. */
const RECENT_EVENTS = 1024;
const POLICY = SUPPRESSION_REASONS.indexOf("policy");
/** Suppressed triggers that got past the contact policy (held by their campaign or its control). */
const PAST_POLICY = [SUPPRESSION_REASONS.indexOf("campaign"), SUPPRESSION_REASONS.indexOf("control")];
/** Reasons of request candidates removed at or after the contact policy. */
const AT_OR_AFTER_POLICY: ReadonlySet<string> = new Set(["policy", "campaign", "experiment", "noValue", "limit"]);

/**
 * One strategy's engine replaying the log: the engine as `cxpulse start` builds it from
 * the strategy's configuration, fed the logged interactions in order, asked at each
 * logged decide request what it would answer (with the logged decision's id, so the
 * log's responses to that decision reach it when it made the same offer), and watched
 * for what its own triggers decide. Exploration is off: a strategy is evaluated as the
 * policy it ranks.
 */
export class StrategyReplay {
  readonly name: string;
  readonly engine: Engine;
  /** Decisions the strategy made with an action: its triggers' and its answers at logged requests. */
  decisions = 0;
  /** Customers evicted from memory (past `engine.maxCustomers`) and started afresh: the replay has no store to reload them from. */
  customersLost = 0;
  readonly decideMicros: number[] = [];
  /** Events the engine rejected as bad input (the same for every strategy). */
  rejectedEvents = 0;
  #requestDecisionsWithAction = 0;
  #requestPolicyHeld = 0;
  #requestReachedPolicy = 0;
  readonly #triggered = new Map<string, Decision[]>();
  #seq = 0;

  constructor(name: string, config: CxConfig) {
    this.name = name;
    const decisions = compileDecisionConfig({ ...config.decisions, arbitration: { exploration: 0 } }, config.locate);
    this.engine = new Engine({
      settings: config.engine,
      decisions,
      clock: systemClock,
      output: {
        decision: (decision) => this.#tookTriggered(decision),
        rejected: () => {
          this.rejectedEvents++;
        },
        requestDecisionRecorded: () => undefined,
        segmentChanged: () => undefined,
      },
    });
  }

  /** Replays one logged interaction (encoded once for every strategy), false if the engine rejected it; its triggered decisions are kept for the log's decisions on that event. */
  replay(encoded: Uint8Array): boolean {
    const result = this.engine.ingest(encoded, "", ++this.#seq);
    if (result === IngestResult.NeedsLoad) {
      do this.customersLost++;
      while (this.engine.resume(null) !== null);
    }
    this.engine.fireDueTimers(Number.POSITIVE_INFINITY);
    return result !== IngestResult.Rejected;
  }

  /** The customer as this replay has them now (for the reward model's features). */
  customer(customerId: string): CustomerState | undefined {
    return this.engine.customerState(customerId);
  }

  /** What the strategy decides at a logged moment. */
  choiceAt(moment: LoggedDecision): MomentChoice | null {
    return moment.source === "trigger" ? this.#triggeredAt(moment) : this.#answer(moment);
  }

  /** Of the actions that reached the contact policy, the share it held back. */
  policyPressure(): number {
    let held = this.#requestPolicyHeld;
    let reached = this.#requestReachedPolicy;
    for (const counts of this.engine.stats.suppressed.values()) {
      held += counts[POLICY]!;
      reached += counts[POLICY]! + PAST_POLICY.reduce((sum, reason) => sum + counts[reason]!, 0);
    }
    reached += this.decisions - this.#requestDecisionsWithAction;
    return reached === 0 ? 0 : held / reached;
  }

  #answer(moment: LoggedDecision): MomentChoice | null {
    if (this.engine.needsLoad(moment.customerId)) {
      this.customersLost++;
      this.engine.restoreCustomer(moment.customerId, null);
    }
    const prefix = `${moment.customerId}:`;
    const requestId = moment.decisionId.startsWith(prefix) ? moment.decisionId.slice(prefix.length) : moment.decisionId;
    const started = performance.now();
    const decision = this.engine.decideFor({ customerId: moment.customerId, requestId, limit: 1 }, moment.channel);
    this.decideMicros.push((performance.now() - started) * 1000);
    for (const filtered of decision.filtered ?? []) {
      if (!AT_OR_AFTER_POLICY.has(filtered.reason.code)) continue;
      this.#requestReachedPolicy++;
      if (filtered.reason.code === "policy") this.#requestPolicyHeld++;
    }
    const first = decision.actions[0];
    if (first === undefined) return null;
    this.#requestReachedPolicy++;
    this.#requestDecisionsWithAction++;
    this.decisions++;
    return { actionId: first.actionId, channel: first.channel };
  }

  /** The strategy's decision on the event that fired the logged one: the same action on the same channel if it made it, else its first. */
  #triggeredAt(moment: LoggedDecision): MomentChoice | null {
    const decisions = this.#triggered.get(moment.eventId);
    if (decisions === undefined) return null;
    const choices = decisions.map((decision) => ({ actionId: decision.actions[0]!.actionId, channel: decision.channel as string }));
    return choices.find((choice) => choice.actionId === moment.actionId && choice.channel === moment.channel) ?? choices[0]!;
  }

  #tookTriggered(decision: Decision): void {
    if (decision.actions.length === 0) return;
    this.decisions++;
    if (decision.eventId === undefined) return;
    let decisions = this.#triggered.get(decision.eventId);
    if (decisions === undefined) {
      decisions = [];
      this.#triggered.set(decision.eventId, decisions);
      if (this.#triggered.size > RECENT_EVENTS) this.#triggered.delete(this.#triggered.keys().next().value!);
    }
    decisions.push(decision);
  }
}
