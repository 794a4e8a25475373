/** Predictions are clamped this far from 0 and 1 in the log loss: one confident miss costs at most ln(1e15), not infinity. */
const LOG_LOSS_EPSILON = 1e-15;
const DECILES = 10;

/** One tenth of the window's pairs by predicted probability (deciles of risk), lowest first. */
export interface CalibrationBin {
  readonly count: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/** A model's quality over the pairs in the window; NaN where the window cannot say (no pairs, or one class only for the AUC). */
export interface QualityReport {
  /** Pairs in the window, and of them positive. */
  readonly count: number;
  readonly positives: number;
  readonly auc: number;
  readonly logLoss: number;
  readonly calibration: readonly CalibrationBin[];
  /** Expected calibration error: |mean predicted - observed rate| averaged over the deciles, weighted by their counts. */
  readonly ece: number;
  /** Pairs ever observed (the model's evidence), not only those in the window. */
  readonly total: number;
  readonly totalPositives: number;
}

/** The window as plain arrays, oldest pair first, and the lifetime counts. */
export interface ModelQualitySnapshot {
  readonly capacity: number;
  readonly predicted: readonly number[];
  readonly labels: readonly number[];
  readonly total: number;
  readonly totalPositives: number;
}

/**
 * The live quality of one model, from its (predicted, label) pairs: the last `capacity`
 * pairs in a ring of typed arrays, and lifetime evidence counts. `observe` is O(1) and
 * allocates nothing, so it can sit on the hot path where labels are joined; the AUC,
 * log loss and calibration are computed when read (one sort of the window), which a
 * metrics scrape or a report does, not every label.
 */
export class ModelQuality {
  readonly capacity: number;
  readonly #predicted: Float64Array;
  readonly #labels: Uint8Array;
  /** Window positions sorted by prediction when read; allocated once, with its comparator. */
  readonly #order: Uint32Array;
  readonly #byPrediction: (a: number, b: number) => number;
  #next = 0;
  #count = 0;
  #total = 0;
  #totalPositives = 0;

  /** `capacity`: the pairs the window keeps, default 10,000 (13 bytes each). */
  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive whole number, got ${capacity}`);
    this.capacity = capacity;
    this.#predicted = new Float64Array(capacity);
    this.#labels = new Uint8Array(capacity);
    this.#order = new Uint32Array(capacity);
    const predicted = this.#predicted;
    this.#byPrediction = (a, b) => predicted[a]! - predicted[b]!;
  }

  static fromSnapshot(s: ModelQualitySnapshot): ModelQuality {
    const quality = new ModelQuality(s.capacity);
    s.predicted.forEach((p, i) => quality.observe(p, s.labels[i] === 1 ? 1 : 0));
    quality.#total = s.total;
    quality.#totalPositives = s.totalPositives;
    return quality;
  }

  /** Records one prediction and the label that turned out; the oldest pair leaves a full window. */
  observe(predicted: number, label: 0 | 1): void {
    this.#predicted[this.#next] = predicted;
    this.#labels[this.#next] = label;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    if (this.#count < this.capacity) this.#count++;
    this.#total++;
    this.#totalPositives += label;
  }

  get count(): number {
    return this.#count;
  }

  get total(): number {
    return this.#total;
  }

  get totalPositives(): number {
    return this.#totalPositives;
  }

  /** Every figure over the window, from one sort of it. */
  report(): QualityReport {
    const count = this.#count;
    const order = this.#order.subarray(0, count);
    // The ring's first `count` positions are exactly the window, full or not.
    for (let i = 0; i < count; i++) order[i] = i;
    order.sort(this.#byPrediction);
    const predicted = this.#predicted;
    const labels = this.#labels;

    let positives = 0;
    let logLoss = 0;
    // In sorted order, so the sum does not depend on where the ring happens to start.
    for (let k = 0; k < count; k++) {
      const i = order[k]!;
      const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, predicted[i]!));
      logLoss -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
      positives += labels[i]!;
    }

    // AUC by the rank-sum (Mann-Whitney) statistic; tied predictions share their mean rank.
    let positiveRankSum = 0;
    for (let start = 0; start < count; ) {
      const value = predicted[order[start]!]!;
      let end = start;
      let tiedPositives = 0;
      while (end < count && predicted[order[end]!] === value) tiedPositives += labels[order[end++]!]!;
      positiveRankSum += tiedPositives * ((start + 1 + end) / 2);
      start = end;
    }
    const negatives = count - positives;
    const auc = positives === 0 || negatives === 0 ? Number.NaN : (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);

    const calibration: CalibrationBin[] = [];
    let ece = 0;
    for (let d = 0; d < DECILES; d++) {
      const from = Math.floor((d * count) / DECILES);
      const to = Math.floor(((d + 1) * count) / DECILES);
      let sumPredicted = 0;
      let sumLabels = 0;
      for (let i = from; i < to; i++) {
        sumPredicted += predicted[order[i]!]!;
        sumLabels += labels[order[i]!]!;
      }
      const n = to - from;
      const bin = { count: n, meanPredicted: n === 0 ? Number.NaN : sumPredicted / n, observedRate: n === 0 ? Number.NaN : sumLabels / n };
      calibration.push(bin);
      if (n > 0) ece += (n / count) * Math.abs(bin.meanPredicted - bin.observedRate);
    }

    return {
      count,
      positives,
      auc,
      logLoss: count === 0 ? Number.NaN : logLoss / count,
      calibration,
      ece: count === 0 ? Number.NaN : ece,
      total: this.#total,
      totalPositives: this.#totalPositives,
    };
  }

  toSnapshot(): ModelQualitySnapshot {
    const predicted: number[] = [];
    const labels: number[] = [];
    const oldest = this.#count < this.capacity ? 0 : this.#next;
    for (let k = 0; k < this.#count; k++) {
      const i = (oldest + k) % this.capacity;
      predicted.push(this.#predicted[i]!);
      labels.push(this.#labels[i]!);
    }
    return {
      capacity: this.capacity,
      predicted,
      labels,
      total: this.#total,
      totalPositives: this.#totalPositives,
    };
  }
}
