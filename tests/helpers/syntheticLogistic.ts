import { FeatureVector } from "../../engine/models/FeatureVector.js";
import { Rng } from "../../simulator/Rng.js";

/** One row drawn from a known logistic model: its features, the true probability and the drawn label. */
export interface SyntheticRow {
  readonly numeric: readonly number[];
  readonly categorical: readonly string[];
  readonly probability: number;
  readonly label: 0 | 1;
}

/**
 * A known logistic model over 10 numeric features of mixed units and shapes (normal
 * around 0, around 100, around 10,000, a skewed log-normal amount, a small count, a 0/1
 * flag) and 5 categorical ones (3 to 20 levels), all with effects drawn once from the
 * seed; the intercept puts the positive rate near 15 %. Rows are independent draws.
 */
export class SyntheticLogistic {
  static readonly NUMERIC = 10;
  static readonly CATEGORICAL = [3, 5, 8, 12, 20] as const;
  readonly #rng: Rng;
  readonly #slopes: number[];
  readonly #levelEffects: number[][];
  readonly #intercept = -2.1;
  readonly #numericSeeds = Array.from({ length: SyntheticLogistic.NUMERIC }, (_, j) => FeatureVector.seed(`n${j}`));
  readonly #categoricalSeeds = SyntheticLogistic.CATEGORICAL.map((_, j) => FeatureVector.seed(`c${j}`));

  constructor(seed: number) {
    this.#rng = new Rng(seed);
    // Effects per standard deviation of each numeric feature, some near zero.
    this.#slopes = Array.from({ length: SyntheticLogistic.NUMERIC }, () => (this.#rng.next() - 0.5) * 1.6);
    this.#levelEffects = SyntheticLogistic.CATEGORICAL.map((levels) => Array.from({ length: levels }, () => (this.#rng.next() - 0.5) * 1.4));
  }

  next(): SyntheticRow {
    const rng = this.#rng;
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    // [value, its mean, its standard deviation]: the truth is linear in the raw value.
    const draws: [number, number, number][] = [
      [normal(), 0, 1],
      [100 + 15 * normal(), 100, 15],
      [10_000 + 2_500 * normal(), 10_000, 2_500],
      [-3 + 0.2 * normal(), -3, 0.2],
      [rng.logNormal(40, 0.5), 40 * Math.exp(0.125), 40 * Math.sqrt((Math.exp(0.25) - 1) * Math.exp(0.25))],
      [rng.int(7), 3, 2],
      [rng.chance(0.3) ? 1 : 0, 0.3, Math.sqrt(0.21)],
      [50 * rng.next(), 25, 50 / Math.sqrt(12)],
      [normal() * 3, 0, 3],
      [1_000 * normal(), 0, 1_000],
    ];
    let logOdds = this.#intercept;
    const numeric = draws.map(([value, mean, sd], j) => {
      logOdds += (this.#slopes[j]! * (value - mean)) / sd;
      return value;
    });
    const categorical = SyntheticLogistic.CATEGORICAL.map((levels, j) => {
      const level = rng.int(levels);
      logOdds += this.#levelEffects[j]![level]!;
      return `level${level}`;
    });
    const probability = 1 / (1 + Math.exp(-logOdds));
    return { numeric, categorical, probability, label: rng.chance(probability) ? 1 : 0 };
  }

  /** Fills `into` with a row's features, names pre-hashed as engine callers do. */
  features(row: SyntheticRow, into: FeatureVector): FeatureVector {
    into.clear();
    for (let j = 0; j < row.numeric.length; j++) into.addNumeric(this.#numericSeeds[j]!, row.numeric[j]!);
    for (let j = 0; j < row.categorical.length; j++) into.addCategorical(this.#categoricalSeeds[j]!, row.categorical[j]!);
    return into;
  }
}
