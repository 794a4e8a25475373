/** FNV-1a's 32-bit offset basis: the seed of a name hashed from nothing. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Mixed into a numeric feature's seed for its "value missing" indicator. */
const MISSING = 0x5bd1e995;

/**
 * FNV-1a over the UTF-16 code units of `text`, continuing from `seed`: chaining a value
 * onto its feature name's seed gives a (name, value) hash without building a string.
 * Non-cryptographic and about one multiply per character, which is all the hashing
 * trick needs. The result is an unsigned 32-bit integer.
 */
export function hashString(text: string, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

/** 2^32: a 32-bit hash divided by it is a point in [0, 1). */
export const UINT32_RANGE = 0x1_0000_0000;

/**
 * murmur3's 32-bit finalizer (fmix32, Appleby, MurmurHash3). FNV-1a ends with a
 * multiply, which carries a change in the last character only upwards: "c1" and "c2"
 * differ by a small multiple of 2^24 and land 1/256 apart in [0, 1), and sequential
 * ids walk through the buckets in step in every campaign, so arms of two campaigns
 * would be correlated. fmix32 makes every input bit flip about half of the output bits.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One entry's kind: a numeric entry holds the raw value, which the model scales. */
export const FeatureKind = { bias: 0, numeric: 1, indicator: 2 } as const;

/**
 * A reusable sparse feature vector over `2^bits` hashed slots: parallel typed arrays of
 * slot index, value and kind, with `length` entries in use, allocated once. Slot 0 is
 * the bias, always the first entry after `clear()`; hashed features map to the other
 * slots. Numeric entries keep the raw value: the model standardises it with its own
 * running statistics (NumericScaler), so a vector kept from decision time is read with
 * the scaling the model has when the label arrives. Collisions are left as they are
 * (the hashing trick): two features in one slot share a weight.
 *
 * Names are hashed once into seeds (`FeatureVector.seed`); on the hot path a numeric
 * feature costs no hashing and a categorical one hashes only its value.
 */
export class FeatureVector {
  readonly bits: number;
  readonly indices: Int32Array;
  readonly values: Float64Array;
  readonly kinds: Uint8Array;
  length = 0;
  readonly #hashedSlots: number;

  /** `capacity`: the most entries one vector holds, bias included; going past it is a bug and throws. */
  constructor(bits: number, capacity = 256) {
    if (!Number.isInteger(bits) || bits < 2 || bits > 30) throw new RangeError(`feature bits must be a whole number from 2 to 30, got ${bits}`);
    this.bits = bits;
    this.#hashedSlots = (1 << bits) - 1;
    this.indices = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.clear();
  }

  /** The seed of a feature name, hashed once by callers that build vectors often. */
  static seed(name: string): number {
    return hashString(name);
  }

  /** The hash of a (name, category) pair, for callers that know a feature's levels up front. */
  static categoryHash(seed: number, category: string): number {
    return hashString(category, seed);
  }

  /** Empties the vector down to the bias entry. */
  clear(): void {
    this.indices[0] = 0;
    this.values[0] = 1;
    this.kinds[0] = FeatureKind.bias;
    this.length = 1;
  }

  /**
   * A numeric feature, by its name's seed. A value that is not a finite number (NaN for
   * "unknown", Infinity for "never") is not a value to scale: the feature's "missing"
   * indicator is set instead, so the model can learn what absence means.
   */
  addNumeric(seed: number, value: number): void {
    if (Number.isFinite(value)) this.#push(this.#slot(seed), value, FeatureKind.numeric);
    else this.#push(this.#slot(Math.imul(seed ^ MISSING, FNV_PRIME) >>> 0), 1, FeatureKind.indicator);
  }

  /** A categorical feature, by its name's seed and its value: an indicator in the slot of the pair. */
  addCategorical(seed: number, category: string): void {
    this.#push(this.#slot(hashString(category, seed)), 1, FeatureKind.indicator);
  }

  /** A categorical feature whose (name, value) hash the caller computed once (`categoryHash`). */
  addCategoryHash(hash: number): void {
    this.#push(this.#slot(hash), 1, FeatureKind.indicator);
  }

  /** Copies `other`'s entries (same bits; this vector's capacity must hold them): keep a decision-time vector in a pool. */
  copyFrom(other: FeatureVector): void {
    if (other.bits !== this.bits) throw new RangeError(`cannot copy a ${other.bits}-bit feature vector into a ${this.bits}-bit one`);
    if (other.length > this.indices.length) throw new RangeError(`feature vector holds at most ${this.indices.length} entries, the copy has ${other.length}`);
    this.indices.set(other.indices.subarray(0, other.length));
    this.values.set(other.values.subarray(0, other.length));
    this.kinds.set(other.kinds.subarray(0, other.length));
    this.length = other.length;
  }

  /** A new vector with this one's entries and capacity. */
  copy(): FeatureVector {
    const copy = new FeatureVector(this.bits, this.indices.length);
    copy.copyFrom(this);
    return copy;
  }

  /** Slots 1 to 2^bits - 1: slot 0 is the bias's alone. */
  #slot(hash: number): number {
    return 1 + (hash % this.#hashedSlots);
  }

  #push(index: number, value: number, kind: number): void {
    const i = this.length;
    if (i === this.indices.length) throw new RangeError(`feature vector holds at most ${this.indices.length} entries`);
    this.indices[i] = index;
    this.values[i] = value;
    this.kinds[i] = kind;
    this.length = i + 1;
  }
}
