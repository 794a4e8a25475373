import {
  CUSTOMER_FEATURE_COUNT,
  customerFeatures,
  FeatureVector,
  FtrlLogistic,
  type CustomerState,
  type LifecyclePolicy,
} from "../../engine/index.js";

/** 2^14 slots a model (640 KiB): one model per action in the log. */
const MODEL_BITS = 14;
const CHANNEL_SEED = FeatureVector.seed("decision.channel");
/** What an untrained model predicts before the log has closed any response window. */
const FIRST_BASE_RATE = 0.1;

/**
 * The reward model of the doubly-robust estimate: for each action, the probability
 * that a customer responds to it (FTRL logistic regression over the customer's features
 * at the moment and the channel, the engine's own feature code), and the revenue per
 * response. The replay teaches it online, in log order, each logged decision once its
 * response window has closed, so the prediction made at a moment never saw that
 * moment's own outcome: the doubly-robust estimate stays unbiased whatever the model's
 * quality, and a good model only narrows it.
 */
export class ResponseModels {
  readonly #policy: LifecyclePolicy;
  readonly #models = new Map<string, FtrlLogistic>();
  readonly #revenue = new Map<string, { responses: number; revenue: number }>();
  #learnt = 0;
  #responses = 0;
  readonly #scratch = new FeatureVector(MODEL_BITS, CUSTOMER_FEATURE_COUNT + 1);

  constructor(policy: LifecyclePolicy) {
    this.#policy = policy;
  }

  /** The features of a moment, in a vector reused by the next call; a customer the replay does not know has none but the channel. */
  features(state: CustomerState | undefined, nowTs: number, channel: string): FeatureVector {
    if (state === undefined) this.#scratch.clear();
    else customerFeatures(state, nowTs, this.#policy, this.#scratch);
    this.#scratch.addCategorical(CHANNEL_SEED, channel);
    return this.#scratch;
  }

  /** P(response | features, action) and revenue per response, from what the log has settled so far. */
  predict(actionId: string, features: FeatureVector): { response: number; revenuePerResponse: number } {
    return { response: this.#modelOf(actionId).predict(features), revenuePerResponse: this.#revenuePerResponse(actionId) };
  }

  /** Learns a logged decision's outcome once its response window has closed. */
  learn(actionId: string, features: FeatureVector, responded: boolean, revenue: number): void {
    this.#modelOf(actionId).update(features, responded ? 1 : 0);
    this.#learnt++;
    if (!responded) return;
    this.#responses++;
    const sums = this.#revenue.get(actionId) ?? { responses: 0, revenue: 0 };
    sums.responses++;
    sums.revenue += revenue;
    this.#revenue.set(actionId, sums);
  }

  #modelOf(actionId: string): FtrlLogistic {
    let model = this.#models.get(actionId);
    if (model === undefined) {
      const rate = this.#learnt === 0 ? FIRST_BASE_RATE : Math.min(0.99, Math.max(0.01, this.#responses / this.#learnt));
      model = new FtrlLogistic({ bits: MODEL_BITS, baseRate: rate });
      this.#models.set(actionId, model);
    }
    return model;
  }

  /** The action's mean revenue per response so far; an action with none yet takes the mean over all actions. */
  #revenuePerResponse(actionId: string): number {
    const own = this.#revenue.get(actionId);
    if (own !== undefined && own.responses > 0) return own.revenue / own.responses;
    let responses = 0;
    let revenue = 0;
    for (const sums of this.#revenue.values()) {
      responses += sums.responses;
      revenue += sums.revenue;
    }
    return responses === 0 ? 0 : revenue / responses;
  }
}
