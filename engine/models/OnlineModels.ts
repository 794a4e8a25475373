import { EventTypeIndex } from "../events/EventType.js";
import type { InteractionEvent } from "../events/InteractionEvent.js";
import { isCustomerActivity, type CustomerState, type LifecyclePolicy } from "../state/CustomerState.js";
import { customerFeatures, CUSTOMER_FEATURE_COUNT } from "./customerFeatures.js";
import { FeatureVector, hashString } from "./FeatureVector.js";
import { FtrlLogistic, type FtrlSnapshot } from "./FtrlLogistic.js";
import { PurchaseWatch, ResponseWatch } from "./LabelWatch.js";
import { ModelQuality, type ModelQualitySnapshot, type QualityReport } from "./ModelQuality.js";

/** How the online models learn; durations in event-time milliseconds. */
export interface ModelSettings {
  /** Hashed feature slots per model are 2^bits (FtrlLogistic: 40 bytes a slot). */
  readonly bits: number;
  /** A decision with no positive response within this is a negative; a positive up to one more window later corrects it. */
  readonly responseWindowMs: number;
  /** A purchase-propensity label: a purchase in the category within this of the watch's start. */
  readonly purchaseWindowMs: number;
  /**
   * Categories that get a purchase model (at most 31), from configuration rather than
   * from events: a model's name is a metric label, and a label must never carry
   * unchecked payload text.
   */
  readonly categories: readonly string[];
  /** Decisions and purchase windows watched at once, over all customers; more are not learned from. */
  readonly maxLabelWatches: number;
  /**
   * Share of customer interactions that open a churn observation, chosen by a hash of
   * customer and time (so a replay picks the same ones). Independent of the label, so
   * the model stays calibrated while learning costs that share of the interactions.
   */
  readonly churnSampleRate: number;
  /** Labelled predictions each model's rolling quality keeps. */
  readonly qualityWindow: number;
  /** Cold-start priors: the rates an untrained model predicts. */
  readonly priors: { readonly churn: number; readonly response: number; readonly purchase: number };
}

/** A model with its live quality. */
export class TrackedModel {
  readonly model: FtrlLogistic;
  readonly quality: ModelQuality;
  /** Positives that came after the window had closed on them as negatives. */
  latePositives = 0;

  constructor(model: FtrlLogistic, quality: ModelQuality) {
    this.model = model;
    this.quality = quality;
  }

  /** Learns one label for `features`, scoring the prediction it had in the quality window. */
  learn(features: FeatureVector, label: 0 | 1): void {
    this.quality.observe(this.model.update(features, label), label);
  }
}

interface TrackedModelSnapshot {
  readonly model: FtrlSnapshot;
  readonly quality: ModelQualitySnapshot;
  readonly latePositives: number;
}

/** The models part of a checkpoint (the watches are in the customers' own snapshots). */
export interface OnlineModelsSnapshot {
  readonly churn: TrackedModelSnapshot;
  readonly response: [string, TrackedModelSnapshot][];
  readonly purchase: [string, TrackedModelSnapshot][];
  readonly watches: number;
  readonly watchesSkipped: number;
}

/** A model's name and quality, for metrics and queries. */
export interface ModelReport {
  readonly model: "churn" | "response" | "purchase";
  /** The action (response) or category (purchase); "" for churn. */
  readonly target: string;
  readonly quality: QualityReport;
  readonly latePositives: number;
}

const POSITIVE_RESPONSES: ReadonlySet<string> = new Set(["accept", "convert"]);
const MAX_WATCHES_PER_CUSTOMER = 8;

/**
 * The predictive models that learn online from outcomes the engine observes itself,
 * each an FtrlLogistic over the customer's features (customerFeatures) with its rolling
 * quality. Features are always those of the moment the prediction is about, never of the
 * moment the label arrives:
 * - churn: a sample of the customer-initiated interactions (`churnSampleRate`) each
 *   start an observation: will the customer
 *   cancel, or go quiet for longer than the lifecycle's `churnedAfter`? The next
 *   interaction within that time labels it 0 (a cancellation 1); the moment that time
 *   runs out labels it 1. Until then the state holds no other activity, so the features
 *   are read from it at the observation's start, and nothing is stored;
 * - response, per action: each decision keeps its features (a ResponseWatch in the
 *   customer's state) until an accept or convert (1), a decline (0), or the end of the
 *   response window (0); a positive in the window after that corrects the negative;
 * - purchase, per category: a PurchaseWatch keeps the features at an interaction and,
 *   at the end of the purchase window, labels each category bought in it 1, the others 0.
 * The engine calls `beforeApply` and `afterApply` around each event, `decided` for
 * each decision, and `fire` when the customer's timer (`nextDue`) comes.
 */
export class OnlineModels {
  readonly settings: ModelSettings;
  #churn: TrackedModel;
  readonly response = new Map<string, TrackedModel>();
  readonly purchase = new Map<string, TrackedModel>();
  /** A category's index in `settings.categories`: its bit in PurchaseWatch.bought. */
  readonly #categoryIndex: ReadonlyMap<string, number>;
  readonly #policy: LifecyclePolicy;
  readonly #scratch: FeatureVector;
  /** Watches open now, over all customers, and those not opened because of the limit. */
  watches = 0;
  watchesSkipped = 0;

  constructor(settings: ModelSettings, policy: LifecyclePolicy) {
    if (settings.categories.length > 31) throw new RangeError(`at most 31 categories can have a purchase model, not ${settings.categories.length}`);
    this.settings = settings;
    this.#categoryIndex = new Map(settings.categories.map((category, index) => [category, index]));
    for (const category of settings.categories) this.purchase.set(category, this.#newModel(settings.priors.purchase));
    this.#policy = policy;
    this.#scratch = new FeatureVector(settings.bits, CUSTOMER_FEATURE_COUNT);
    this.#churn = this.#newModel(settings.priors.churn);
  }

  get churn(): TrackedModel {
    return this.#churn;
  }

  /** Probability that the customer churns (cancels or goes quiet past `churnedAfter`) from `nowTs`. */
  churnRisk(state: CustomerState, nowTs: number): number {
    return this.churn.model.predict(this.#features(state, nowTs));
  }

  /** Probability that the customer buys in `category` within the purchase window; NaN for a category without a model. */
  purchasePropensity(state: CustomerState, nowTs: number, category: string): number {
    const tracked = this.purchase.get(category);
    return tracked === undefined ? Number.NaN : tracked.model.predict(this.#features(state, nowTs));
  }

  /** Probability that the customer accepts `actionId` if offered now (the prior until the action has a model). */
  responsePropensity(state: CustomerState, nowTs: number, actionId: string): number {
    const tracked = this.response.get(actionId);
    return tracked === undefined ? this.settings.priors.response : tracked.model.predict(this.#features(state, nowTs));
  }

  /**
   * Builds the customer's features once for several `preparedResponse` calls: a decision
   * scores every candidate action with its own model from the same features.
   */
  prepare(state: CustomerState, nowTs: number): void {
    this.#features(state, nowTs);
  }

  /** `responsePropensity` for the customer and time of the last `prepare`. */
  preparedResponse(actionId: string): number {
    const tracked = this.response.get(actionId);
    return tracked === undefined ? this.settings.priors.response : tracked.model.predict(this.#scratch);
  }

  /** Categories with a purchase model, as configured. */
  get categories(): readonly string[] {
    return this.settings.categories;
  }

  /** Labels what this event decides, from the state before it applies. */
  beforeApply(state: CustomerState, event: InteractionEvent): void {
    const observed = state.churnObservedTs;
    if (observed > 0 && event.ts > observed && isCustomerActivity(event)) {
      // Activity inside the horizon closes the observation: churned only by cancelling.
      const label = event.typeIndex === EventTypeIndex.cancel ? 1 : 0;
      this.churn.learn(this.#features(state, observed), label);
      state.churnObservedTs = 0;
    }
    if (event.typeIndex === EventTypeIndex.offer_response && event.decisionId !== "") this.#responded(state, event);
    const watch = state.purchaseWatch;
    if (watch !== null && event.typeIndex === EventTypeIndex.purchase && event.ts <= watch.dueTs) {
      const index = this.#categoryIndex.get(event.category);
      if (index !== undefined) watch.bought |= 1 << index;
    }
  }

  /** Starts the observations this event opens. */
  afterApply(state: CustomerState, event: InteractionEvent): void {
    if (state.cancelled) {
      state.churnObservedTs = 0;
      return;
    }
    if (!isCustomerActivity(event) || state.lastActiveTs !== event.ts) return;
    if (sampled(state.customerId, event.ts, this.settings.churnSampleRate)) state.churnObservedTs = event.ts;
    if (state.purchaseWatch === null && this.settings.categories.length > 0 && this.#canWatch()) {
      state.purchaseWatch = new PurchaseWatch(event.ts + this.settings.purchaseWindowMs, this.#features(state, event.ts).copy());
      this.watches++;
    }
  }

  /** A decision offered `actionId` to the customer at `nowTs`: watch for the response, for `windowMs` (the action's response window) or `models.responseWindow`. */
  decided(state: CustomerState, decisionId: string, actionId: string, nowTs: number, windowMs = this.settings.responseWindowMs): void {
    const watches = (state.responseWatches ??= []);
    if (watches.length >= MAX_WATCHES_PER_CUSTOMER) {
      this.watchesSkipped++;
      return;
    }
    if (!this.#canWatch()) return;
    if (!this.response.has(actionId)) this.response.set(actionId, this.#newModel(this.settings.priors.response));
    watches.push(new ResponseWatch(decisionId, actionId, nowTs + windowMs, this.#features(state, nowTs).copy()));
    this.watches++;
  }

  /** When time alone next labels something for this customer; Infinity if nothing is open. */
  nextDue(state: CustomerState): number {
    let due = state.churnObservedTs > 0 ? state.churnObservedTs + this.#policy.churnedAfterMs + 1 : Number.POSITIVE_INFINITY;
    if (state.purchaseWatch !== null && state.purchaseWatch.dueTs < due) due = state.purchaseWatch.dueTs;
    const watches = state.responseWatches;
    if (watches !== null) for (const watch of watches) if (watch.dueTs < due) due = watch.dueTs;
    return due;
  }

  /** Labels what time has decided by `nowTs`: quiet too long, windows closed. */
  fire(state: CustomerState, nowTs: number): void {
    const observed = state.churnObservedTs;
    if (observed > 0 && observed + this.#policy.churnedAfterMs < nowTs) {
      this.churn.learn(this.#features(state, observed), 1);
      state.churnObservedTs = 0;
    }
    const purchase = state.purchaseWatch;
    if (purchase !== null && purchase.dueTs <= nowTs) {
      this.settings.categories.forEach((category, index) => this.purchase.get(category)!.learn(purchase.features, (purchase.bought >>> index) & 1 ? 1 : 0));
      state.purchaseWatch = null;
      this.watches--;
    }
    const watches = state.responseWatches;
    if (watches === null) return;
    for (let i = watches.length - 1; i >= 0; i--) {
      const watch = watches[i]!;
      if (watch.dueTs > nowTs) continue;
      if (watch.expired) {
        this.#close(watches, i);
      } else {
        this.response.get(watch.actionId)?.learn(watch.features, 0);
        watch.expired = true;
        watch.dueTs += this.settings.responseWindowMs;
      }
    }
    if (watches.length === 0) state.responseWatches = null;
  }

  reports(): ModelReport[] {
    const report = (model: ModelReport["model"], target: string, tracked: TrackedModel): ModelReport => ({
      model,
      target,
      quality: tracked.quality.report(),
      latePositives: tracked.latePositives,
    });
    return [
      report("churn", "", this.churn),
      ...[...this.response].map(([action, tracked]) => report("response", action, tracked)),
      ...[...this.purchase].map(([category, tracked]) => report("purchase", category, tracked)),
    ];
  }

  toSnapshot(): OnlineModelsSnapshot {
    const snapshot = (tracked: TrackedModel): TrackedModelSnapshot => ({
      model: tracked.model.toSnapshot(),
      quality: tracked.quality.toSnapshot(),
      latePositives: tracked.latePositives,
    });
    return {
      churn: snapshot(this.churn),
      response: [...this.response].map(([action, tracked]) => [action, snapshot(tracked)]),
      purchase: [...this.purchase].map(([category, tracked]) => [category, snapshot(tracked)]),
      watches: this.watches,
      watchesSkipped: this.watchesSkipped,
    };
  }

  restore(snapshot: OnlineModelsSnapshot): void {
    const restore = (s: TrackedModelSnapshot) => {
      const tracked = new TrackedModel(FtrlLogistic.fromSnapshot(s.model), ModelQuality.fromSnapshot(s.quality));
      tracked.latePositives = s.latePositives;
      return tracked;
    };
    this.#churn = restore(snapshot.churn);
    this.response.clear();
    for (const [action, s] of snapshot.response) this.response.set(action, restore(s));
    // Categories no longer configured are dropped; new ones start from their prior.
    for (const [category, s] of snapshot.purchase) if (this.purchase.has(category)) this.purchase.set(category, restore(s));
    this.watches = snapshot.watches;
    this.watchesSkipped = snapshot.watchesSkipped;
  }

  #responded(state: CustomerState, event: InteractionEvent): void {
    const watches = state.responseWatches;
    if (watches === null) return;
    // A response to another offer under the decision's id does not answer this one.
    const i = watches.findIndex((watch) => watch.decisionId === event.decisionId && watch.actionId === event.offerId);
    if (i < 0) return;
    const watch = watches[i]!;
    const tracked = this.response.get(watch.actionId);
    if (POSITIVE_RESPONSES.has(event.response)) {
      if (watch.expired && tracked !== undefined) tracked.latePositives++;
      tracked?.learn(watch.features, 1);
      this.#close(watches, i);
    } else if (event.response === "decline" && !watch.expired) {
      tracked?.learn(watch.features, 0);
      this.#close(watches, i);
    }
    if (watches.length === 0) state.responseWatches = null;
  }

  #close(watches: ResponseWatch[], i: number): void {
    watches.splice(i, 1);
    this.watches--;
  }

  /** Whether another watch fits in the limit; counts the ones that do not. */
  #canWatch(): boolean {
    if (this.watches < this.settings.maxLabelWatches) return true;
    this.watchesSkipped++;
    return false;
  }

  #features(state: CustomerState, nowTs: number): FeatureVector {
    return customerFeatures(state, nowTs, this.#policy, this.#scratch);
  }

  #newModel(baseRate: number): TrackedModel {
    return new TrackedModel(new FtrlLogistic({ bits: this.settings.bits, baseRate }), new ModelQuality(this.settings.qualityWindow));
  }
}

/** Whether the interaction of `customerId` at `ts` is in a sample of `rate`: a hash, the same on every replay. */
function sampled(customerId: string, ts: number, rate: number): boolean {
  if (rate >= 1) return true;
  const mixed = Math.imul(hashString(customerId) ^ (ts % 2_147_483_647), 0x9e3779b1) >>> 0;
  return mixed / 4_294_967_296 < rate;
}
