import { FeatureKind, type FeatureVector } from "./FeatureVector.js";
import { DEFAULT_CLIP, NumericScaler, type NumericScalerSnapshot } from "./NumericScaler.js";

export interface FtrlOptions {
  /** Hashed slots are 2^bits. Each slot costs 40 bytes (two FTRL accumulators, three scaler statistics); default 14: 640 KiB a model. */
  readonly bits?: number;
  /** Learning-rate scale (per-coordinate rate alpha / (beta + sqrt(sum of squared gradients))). Default 0.1. */
  readonly alpha?: number;
  /** Learning-rate smoothing for coordinates with little evidence. Default 1. */
  readonly beta?: number;
  /** L1 strength: weights with less total evidence than this stay exactly 0 (not on the bias). Default 0.5. */
  readonly l1?: number;
  /** L2 strength, towards 0 (for the bias: towards the prior). Default 1. */
  readonly l2?: number;
  /** Cold-start prior: the positive rate an untrained model predicts. Default 0.5. */
  readonly baseRate?: number;
  /** The prior as log-odds, instead of `baseRate` (snapshots keep it so). */
  readonly priorLogOdds?: number;
  /** Numeric features' z-scores are clipped to ± this. Default 5 (NumericScaler). */
  readonly clip?: number;
}

/**
 * A model as plain data for checkpoints (msgpackr, or any MessagePack or JSON encoder):
 * numbers and arrays of numbers only, and sparse, the accumulators of the slots that
 * have learned something: a model uses a few hundred of its slots, and one exists per
 * action and per category.
 */
export interface FtrlSnapshot {
  readonly bits: number;
  readonly alpha: number;
  readonly beta: number;
  readonly l1: number;
  readonly l2: number;
  readonly priorLogOdds: number;
  readonly slots: readonly number[];
  readonly z: readonly number[];
  readonly n: readonly number[];
  readonly scaler: NumericScalerSnapshot;
  readonly updates: number;
  readonly positives: number;
}

const DEFAULTS = { bits: 14, alpha: 0.1, beta: 1, l1: 0.5, l2: 1, baseRate: 0.5 } as const;
/** Log-odds are clamped here before the sigmoid: probabilities stay inside (0, 1) in floating point. */
const MAX_LOG_ODDS = 35;

/**
 * Online logistic regression by FTRL-Proximal (McMahan et al., "Ad click prediction: a
 * view from the trenches", KDD 2013, algorithm 1) over hashed features (FeatureVector):
 * per-coordinate adaptive learning rates, L1 for sparsity and L2. Numeric features are
 * standardised by the model's own NumericScaler, which learns with the weights and is
 * part of the snapshot. Cold start: the prior's log-odds (from a configured base rate)
 * is a fixed offset and the bias learns the correction, so an untrained model predicts
 * the base rate and L2 pulls the bias towards the prior, not towards one half.
 *
 * Delayed labels: a label (a response, a churn) arrives long after the decision whose
 * features it explains. The caller keeps the FeatureVector as it was at decision time
 * (`copyFrom` into a pooled vector) and calls `update` with it when the label arrives;
 * features re-read from the customer's state at label time would leak the outcome into
 * them (a churned customer's recency already says it churned).
 *
 * `predict` and `update` allocate nothing: weights are derived lazily from the z and n
 * accumulators per entry of the vector, as the paper does.
 */
export class FtrlLogistic {
  readonly bits: number;
  readonly alpha: number;
  readonly beta: number;
  readonly l1: number;
  readonly l2: number;
  readonly priorLogOdds: number;
  readonly scaler: NumericScaler;
  /** Labels learned: the model's evidence. */
  updates = 0;
  positives = 0;
  readonly #z: Float64Array;
  readonly #n: Float64Array;

  constructor(options: FtrlOptions = {}) {
    const bits = options.bits ?? DEFAULTS.bits;
    if (!Number.isInteger(bits) || bits < 2 || bits > 26) throw new RangeError(`bits must be a whole number from 2 to 26, got ${bits}`);
    const baseRate = options.baseRate ?? DEFAULTS.baseRate;
    if (!(baseRate > 0 && baseRate < 1)) throw new RangeError(`baseRate must be strictly between 0 and 1, got ${baseRate}`);
    const priorLogOdds = options.priorLogOdds ?? Math.log(baseRate / (1 - baseRate));
    if (!Number.isFinite(priorLogOdds)) throw new RangeError(`priorLogOdds must be a finite number, got ${priorLogOdds}`);
    this.bits = bits;
    this.alpha = positive("alpha", options.alpha ?? DEFAULTS.alpha);
    this.beta = nonNegative("beta", options.beta ?? DEFAULTS.beta);
    this.l1 = nonNegative("l1", options.l1 ?? DEFAULTS.l1);
    this.l2 = nonNegative("l2", options.l2 ?? DEFAULTS.l2);
    this.priorLogOdds = priorLogOdds;
    this.#z = new Float64Array(1 << bits);
    this.#n = new Float64Array(1 << bits);
    this.scaler = new NumericScaler(1 << bits, options.clip ?? DEFAULT_CLIP);
  }

  static fromSnapshot(s: FtrlSnapshot): FtrlLogistic {
    const model = new FtrlLogistic({ bits: s.bits, alpha: s.alpha, beta: s.beta, l1: s.l1, l2: s.l2, priorLogOdds: s.priorLogOdds, clip: s.scaler.clip });
    s.slots.forEach((slot, i) => {
      if (!(slot >= 0 && slot < model.#z.length)) throw new RangeError(`model snapshot has slot ${slot}; ${s.bits} bits have ${model.#z.length}`);
      model.#z[slot] = s.z[i]!;
      model.#n[slot] = s.n[i]!;
    });
    model.scaler.restore(s.scaler);
    model.updates = s.updates;
    model.positives = s.positives;
    return model;
  }

  /** P(label = 1 | features). */
  predict(x: FeatureVector): number {
    return sigmoid(this.logOdds(x));
  }

  /** The prior's log-odds plus the weighted features. */
  logOdds(x: FeatureVector): number {
    let sum = this.priorLogOdds;
    const { indices, values, kinds } = x;
    for (let k = 0; k < x.length; k++) {
      const i = indices[k]!;
      const w = this.#weight(i);
      if (w !== 0) sum += w * this.#value(i, values[k]!, kinds[k]!);
    }
    return sum;
  }

  /**
   * Learns one label for the features it explains. `predicted` is `predict(x)` when
   * the caller has it from the same vector with no update since; otherwise (a label
   * that arrives later) leave it out and the model predicts again with its current
   * weights, which is the gradient FTRL wants. Returns the prediction it learned from.
   */
  update(x: FeatureVector, label: 0 | 1, predicted?: number): number {
    const p = predicted ?? this.predict(x);
    const g = p - label;
    const { indices, values, kinds } = x;
    const z = this.#z;
    const n = this.#n;
    for (let k = 0; k < x.length; k++) {
      const i = indices[k]!;
      const gi = g * this.#value(i, values[k]!, kinds[k]!);
      const ni = n[i]!;
      const sigma = (Math.sqrt(ni + gi * gi) - Math.sqrt(ni)) / this.alpha;
      z[i] = z[i]! + gi - sigma * this.#weight(i);
      n[i] = ni + gi * gi;
    }
    // The scaler learns after the weights, so the update used the scaling the prediction had.
    for (let k = 0; k < x.length; k++) if (kinds[k] === FeatureKind.numeric) this.scaler.observe(indices[k]!, values[k]!);
    this.updates++;
    if (label === 1) this.positives++;
    return p;
  }

  /** The weight of a slot now (0 while L1 holds it there). */
  weightAt(slot: number): number {
    return this.#weight(slot);
  }

  /** Copies of the accumulators: the snapshot does not change as the model goes on learning. */
  toSnapshot(): FtrlSnapshot {
    const slots: number[] = [];
    const z: number[] = [];
    const n: number[] = [];
    for (let slot = 0; slot < this.#n.length; slot++) {
      // n only grows, and is 0 exactly while the slot has had no gradient (z is 0 then too).
      if (this.#n[slot] === 0) continue;
      slots.push(slot);
      z.push(this.#z[slot]!);
      n.push(this.#n[slot]!);
    }
    return {
      bits: this.bits,
      alpha: this.alpha,
      beta: this.beta,
      l1: this.l1,
      l2: this.l2,
      priorLogOdds: this.priorLogOdds,
      slots,
      z,
      n,
      scaler: this.scaler.toSnapshot(),
      updates: this.updates,
      positives: this.positives,
    };
  }

  /** FTRL-Proximal's closed-form weight from the slot's accumulators; the bias (slot 0) has no L1. */
  #weight(i: number): number {
    const zi = this.#z[i]!;
    const l1 = i === 0 ? 0 : this.l1;
    if (zi <= l1 && zi >= -l1) return 0;
    return -(zi - (zi > 0 ? l1 : -l1)) / ((this.beta + Math.sqrt(this.#n[i]!)) / this.alpha + this.l2);
  }

  #value(i: number, value: number, kind: number): number {
    return kind === FeatureKind.numeric ? this.scaler.scale(i, value) : value;
  }
}

export function sigmoid(logOdds: number): number {
  const t = logOdds > MAX_LOG_ODDS ? MAX_LOG_ODDS : logOdds < -MAX_LOG_ODDS ? -MAX_LOG_ODDS : logOdds;
  return 1 / (1 + Math.exp(-t));
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a number of at least 0, got ${value}`);
  return value;
}
