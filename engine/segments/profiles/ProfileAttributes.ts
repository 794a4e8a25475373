import { CHANNELS } from "../../events/Channel.js";
import {
  COMPLAINT_HISTORIES,
  complaintHistoryIndexOf,
  CUSTOMER_STATUSES,
  DAY_MS,
  LifecycleFacts,
  lifecycleStatusIndex,
  NPS_CLASSES,
  npsClassIndexOf,
  VALUE_TIERS,
  type CustomerState,
  type LifecyclePolicy,
} from "../../state/CustomerState.js";

/**
 * A customer attribute cut into a fixed list of bins, so that every profile (a
 * segment's, the base's) is a distribution over the same bins and two of them can be
 * compared bin by bin. Bin edges are fixed, not quantiles of the base, so a profile
 * means the same thing from one refresh to the next.
 */
export interface BinnedAttribute {
  readonly name: string;
  readonly description: string;
  readonly bins: readonly string[];
  /**
   * Whether the lookalike score uses it. `valueTier` does not: it is a coarser cut of
   * `revenue`, and naive Bayes would count the same evidence twice.
   */
  readonly inLookalike: boolean;
  /** The customer's bin at event time `now`; allocates nothing (the lookalike score calls it from rules). */
  readonly binOf: (state: CustomerState, now: number) => number;
}

/** What the attributes depend on besides the state: the lifecycle policy and the value tiers' thresholds (via state.valueTier). */
export interface ProfileSettings {
  readonly lifecycle: LifecyclePolicy;
}

/** Index of the first edge above `value` (so `edges.length + 1` bins); NaN falls in the last. */
function binByEdges(value: number, edges: readonly number[]): number {
  for (let i = 0; i < edges.length; i++) if (value < edges[i]!) return i;
  return edges.length;
}

const REVENUE_EDGES = [0.005, 100, 500, 2_000, 10_000];
const REVENUE_BINS = ["0 or less", "0-100", "100-500", "500-2k", "2k-10k", "10k+"];
const PROFIT_EDGES = [0, 100, 500, 2_000];
const PROFIT_BINS = ["negative", "0-100", "100-500", "500-2k", "2k+"];
const TENURE_EDGES = [30, 90, 180, 365, 730];
const TENURE_BINS = ["<30d", "30-90d", "90-180d", "180d-1y", "1-2y", "2y+"];
const RECENCY_EDGES = [7, 30, 90, 180];
const RECENCY_BINS = ["never", "<7d", "7-30d", "30-90d", "90-180d", "180d+"];
const PRODUCT_EDGES = [1, 2, 4, 10];
const PRODUCT_BINS = ["0", "1", "2-3", "4-9", "10+"];
const MAIN_CHANNEL_BINS = ["none", ...CHANNELS];

/** The attributes every segment profile holds, in this order (the lookalike tables follow it). */
export function profileAttributes(settings: ProfileSettings): readonly BinnedAttribute[] {
  // One reused instance: the status is read per rule evaluation.
  const facts = new LifecycleFacts();
  return [
    {
      name: "valueTier",
      description: "value tier of lifetime net revenue (metrics.valueTiers)",
      bins: VALUE_TIERS,
      inLookalike: false,
      binOf: (s) => s.valueTier,
    },
    {
      name: "revenue",
      description: "lifetime net revenue (purchases and payments less refunds)",
      bins: REVENUE_BINS,
      inLookalike: true,
      binOf: (s) => binByEdges(s.revenue, REVENUE_EDGES),
    },
    {
      name: "profit",
      description: "lifetime profit: net revenue less cost to serve",
      bins: PROFIT_BINS,
      inLookalike: true,
      binOf: (s) => binByEdges(s.revenue - s.cost, PROFIT_EDGES),
    },
    {
      name: "tenure",
      description: "days since signup or first interaction",
      bins: TENURE_BINS,
      inLookalike: true,
      binOf: (s, now) => binByEdges(s.tenureDays(now), TENURE_EDGES),
    },
    {
      name: "recency",
      description: "days since the last purchase",
      bins: RECENCY_BINS,
      inLookalike: true,
      binOf: (s, now) => (s.lastPurchaseTs === 0 ? 0 : 1 + binByEdges(Math.max(0, now - s.lastPurchaseTs) / DAY_MS, RECENCY_EDGES)),
    },
    {
      name: "mainChannel",
      description: "the channel with most of the customer's events (the first in channel order on a tie)",
      bins: MAIN_CHANNEL_BINS,
      inLookalike: true,
      binOf: (s) => {
        let best = -1;
        let most = 0;
        for (let c = 0; c < CHANNELS.length; c++) {
          if (s.eventsByChannel[c]! > most) {
            most = s.eventsByChannel[c]!;
            best = c;
          }
        }
        return best + 1;
      },
    },
    {
      name: "npsClass",
      description: "class of the last NPS answer",
      bins: NPS_CLASSES,
      inLookalike: true,
      binOf: (s) => npsClassIndexOf(s.nps.last),
    },
    {
      name: "status",
      description: "lifecycle status (engine.lifecycle)",
      bins: CUSTOMER_STATUSES,
      inLookalike: true,
      binOf: (s, now) => lifecycleStatusIndex(LifecycleFacts.of(s, facts), now, settings.lifecycle),
    },
    {
      name: "complaints",
      description: "complaint history: never, all resolved, one open now",
      bins: COMPLAINT_HISTORIES,
      inLookalike: true,
      binOf: (s) => complaintHistoryIndexOf(s.complaints, s.openComplaints),
    },
    {
      name: "productsHeld",
      description: "distinct products bought",
      bins: PRODUCT_BINS,
      inLookalike: true,
      binOf: (s) => binByEdges(s.products.length, PRODUCT_EDGES),
    },
  ];
}

/** Product categories the lookalike score looks at: the base's most held ones, each a yes/no attribute. */
export const LOOKALIKE_CATEGORIES = 8;
/** Categories listed in a profile (by share of members holding them). */
export const PROFILE_TOP_CATEGORIES = 10;
