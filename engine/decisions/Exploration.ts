import { fmix32, hashString, UINT32_RANGE } from "../models/FeatureVector.js";

/** Salts the decision id's hash, so exploration does not follow any other hash of the same id. */
const EXPLORATION_SEED = hashString("explore");

/** Which candidate goes first, and the probability it had of going first. */
export interface FirstChoice {
  /** Index among the candidates, best first. */
  readonly index: number;
  readonly probability: number;
  readonly explored: boolean;
}

/**
 * Epsilon-greedy choice of a decision's first action among `count` candidates ranked
 * best first: with probability `epsilon` one drawn uniformly (the best included), else
 * the best. The draw is a hash of the decision id, not a random number, so the same
 * decision id (a caller's `requestId`) gets the same answer after a restart or a replay.
 * The probability is what off-policy estimates divide by: 1 - ε + ε/K for the best, ε/K
 * for any other.
 */
export function chooseFirst(decisionId: string, count: number, epsilon: number): FirstChoice {
  const uniform = epsilon / count;
  if (epsilon === 0 || count === 1) return { index: 0, probability: 1, explored: false };
  const point = fmix32(hashString(decisionId, EXPLORATION_SEED)) / UINT32_RANGE;
  if (point >= epsilon) return { index: 0, probability: 1 - epsilon + uniform, explored: false };
  // Below ε the point is uniform on [0, ε): stretched to [0, 1) it picks the candidate.
  const index = Math.min(count - 1, Math.floor((point / epsilon) * count));
  return { index, probability: index === 0 ? 1 - epsilon + uniform : uniform, explored: index !== 0 };
}
