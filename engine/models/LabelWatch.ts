import { FeatureVector } from "./FeatureVector.js";

/**
 * A decision waiting for the customer's response: the features as they were when it
 * was made, kept until a response labels it or its response window closes. It lives in
 * the customer's state, so checkpoints, eviction and loading carry it along.
 */
export class ResponseWatch {
  readonly decisionId: string;
  readonly actionId: string;
  /** When the window closes (event time); after that, until the grace ends, while `expired`. */
  dueTs: number;
  /** The window closed with no response and the model learned a negative; a positive now corrects it. */
  expired: boolean;
  readonly features: FeatureVector;

  constructor(decisionId: string, actionId: string, dueTs: number, features: FeatureVector, expired = false) {
    this.decisionId = decisionId;
    this.actionId = actionId;
    this.dueTs = dueTs;
    this.expired = expired;
    this.features = features;
  }
}

/**
 * A window in which the purchase-propensity models watch what a customer buys: the
 * features at its start, and a bit per tracked category bought since.
 */
export class PurchaseWatch {
  readonly dueTs: number;
  bought: number;
  readonly features: FeatureVector;

  constructor(dueTs: number, features: FeatureVector, bought = 0) {
    this.dueTs = dueTs;
    this.bought = bought;
    this.features = features;
  }
}

/** A feature vector as plain data for a customer snapshot: [bits, indices, values, kinds]. */
export type StoredFeatures = [number, number[], number[], number[]];

export function storeFeatures(vector: FeatureVector): StoredFeatures {
  const n = vector.length;
  return [vector.bits, Array.from(vector.indices.subarray(0, n)), Array.from(vector.values.subarray(0, n)), Array.from(vector.kinds.subarray(0, n))];
}

export function loadFeatures([bits, indices, values, kinds]: StoredFeatures): FeatureVector {
  const vector = new FeatureVector(bits, indices.length);
  vector.indices.set(indices);
  vector.values.set(values);
  vector.kinds.set(kinds);
  vector.length = indices.length;
  return vector;
}
