/**
 * Standardised scores beyond this many standard deviations are clipped: one extreme
 * value (a data-entry error, a whale customer) then moves a weight no more than a
 * value at the edge of the usual range does.
 */
export const DEFAULT_CLIP = 5;

/** The statistics of the slots that have seen a value, as plain arrays (sparse: most slots of a model never see a numeric feature). */
export interface NumericScalerSnapshot {
  readonly clip: number;
  readonly slots: readonly number[];
  readonly count: readonly number[];
  readonly mean: readonly number[];
  readonly m2: readonly number[];
}

/**
 * Online standardisation of numeric features, per hashed slot: Welford's running mean
 * and variance, and the clipped z-score `(x - mean) / sd` of a value under them. It
 * needs no tuning on data it has never seen, whatever the unit (minutes, euros, days):
 * every feature arrives on the scale the learning rates are set for. Measured on
 * mlc_churn (all columns but row_id, default hyperparameters), holdout / prequential
 * AUC: z-scores 0.834 / 0.803, a stateless signed log1p 0.741 / 0.667, raw values
 * 0.796 / 0.632: per-coordinate rates do not make up for unscaled inputs. A value is
 * scored 0 (the mean) until its slot has seen two values, so an untrained model
 * predicts from its prior alone. Statistics move only on `observe`, which the model
 * calls when it learns, so predictions without learning leave them as they are.
 */
export class NumericScaler {
  readonly clip: number;
  readonly #count: Float64Array;
  readonly #mean: Float64Array;
  readonly #m2: Float64Array;

  constructor(slots: number, clip: number = DEFAULT_CLIP) {
    if (!(clip > 0)) throw new RangeError(`clip must be positive, got ${clip}`);
    this.clip = clip;
    this.#count = new Float64Array(slots);
    this.#mean = new Float64Array(slots);
    this.#m2 = new Float64Array(slots);
  }

  /** Takes the statistics of a snapshot (of a scaler with at least as many slots), on a fresh scaler. */
  restore(snapshot: NumericScalerSnapshot): void {
    snapshot.slots.forEach((slot, i) => {
      if (!(slot >= 0 && slot < this.#count.length)) throw new RangeError(`scaler snapshot has slot ${slot}; this scaler has ${this.#count.length}`);
      this.#count[slot] = snapshot.count[i]!;
      this.#mean[slot] = snapshot.mean[i]!;
      this.#m2[slot] = snapshot.m2[i]!;
    });
  }

  /** The clipped z-score of `value` in `slot` under the statistics so far. */
  scale(slot: number, value: number): number {
    const count = this.#count[slot]!;
    if (count < 2) return 0;
    const m2 = this.#m2[slot]!;
    if (m2 <= 0) return 0;
    const z = (value - this.#mean[slot]!) / Math.sqrt(m2 / (count - 1));
    return z > this.clip ? this.clip : z < -this.clip ? -this.clip : z;
  }

  /** Adds `value` to the slot's statistics (Welford's update: stable over millions of values). */
  observe(slot: number, value: number): void {
    const count = this.#count[slot]! + 1;
    const delta = value - this.#mean[slot]!;
    const mean = this.#mean[slot]! + delta / count;
    this.#count[slot] = count;
    this.#mean[slot] = mean;
    this.#m2[slot] = this.#m2[slot]! + delta * (value - mean);
  }

  /** Values seen in the slot. */
  countAt(slot: number): number {
    return this.#count[slot]!;
  }

  toSnapshot(): NumericScalerSnapshot {
    const slots: number[] = [];
    const count: number[] = [];
    const mean: number[] = [];
    const m2: number[] = [];
    for (let slot = 0; slot < this.#count.length; slot++) {
      if (this.#count[slot] === 0) continue;
      slots.push(slot);
      count.push(this.#count[slot]!);
      mean.push(this.#mean[slot]!);
      m2.push(this.#m2[slot]!);
    }
    return { clip: this.clip, slots, count, mean, m2 };
  }
}
