import {
  CUSTOMER_STATUSES,
  DAY_MS,
  lifecycleStatusIndex,
  lifecycleThresholdTimes,
  type LifecycleFacts,
  type LifecyclePolicy,
} from "../state/CustomerState.js";
import { RollingWindow, WindowShape } from "../windows/RollingWindow.js";

/** The lifecycle-schedule part of a checkpoint. */
export interface LifecycleScheduleSnapshot {
  readonly newestBucket: number;
  readonly days: number[];
}

/**
 * The changes of lifecycle stage that time alone brings: a new customer becomes active,
 * an inactive one at risk, then churned, with no event of its own. For each customer of
 * the base, the days on which its stage would change if nothing else happened are
 * scheduled in a daily ring that reaches past the watermark; the customer's next event
 * takes back what has not come due and schedules anew. So the customers in each stage
 * are kept by counting, never by scanning them.
 *
 * A customer's stage on a day is its status at the end of that day: the business
 * metrics count stages by day, as they count everything else.
 */
export class LifecycleSchedule {
  readonly #policy: LifecyclePolicy;
  /** Per stage: customers entering it (less those leaving) by time passing, per day. */
  readonly #moves: RollingWindow;
  /** Candidate days of one `schedule` call, and the thresholds they come from; reused: it runs twice per event. */
  readonly #candidates = new Float64Array(6);
  readonly #thresholds = new Float64Array(3);

  /** `backDays`: how far back reports read the realized changes. */
  constructor(policy: LifecyclePolicy, backDays: number) {
    this.#policy = policy;
    const reach = Math.ceil(Math.max(policy.newForMs, policy.atRiskAfterMs, policy.churnedAfterMs) / DAY_MS) + 2;
    this.#moves = new RollingWindow(new WindowShape(DAY_MS, backDays + reach + 1, CUSTOMER_STATUSES.length));
  }

  /** The stage (index in CUSTOMER_STATUSES) counted for these facts on `day`. */
  stageOn(facts: LifecycleFacts, day: number): number {
    return lifecycleStatusIndex(facts, (day + 1) * DAY_MS - 1, this.#policy);
  }

  /** Schedules (`sign` 1) or takes back (-1) the changes time brings to these facts after `today`. */
  schedule(facts: LifecycleFacts, today: number, sign: 1 | -1): void {
    const thresholds = this.#thresholds;
    lifecycleThresholdTimes(facts, this.#policy, thresholds);
    // The stage can change only on the day a threshold is crossed or the day after (the
    // stage is read at each day's end): between those days it stays.
    const candidates = this.#candidates;
    const newUntil = Math.floor(thresholds[0]! / DAY_MS);
    const atRiskFrom = Math.floor(thresholds[1]! / DAY_MS);
    const churnedFrom = Math.floor(thresholds[2]! / DAY_MS);
    candidates[0] = newUntil;
    candidates[1] = newUntil + 1;
    candidates[2] = atRiskFrom;
    candidates[3] = atRiskFrom + 1;
    candidates[4] = churnedFrom;
    candidates[5] = churnedFrom + 1;
    candidates.sort();
    let stage = this.stageOn(facts, today);
    let previousDay = today;
    for (let i = 0; i < candidates.length; i++) {
      const day = candidates[i]!;
      if (day <= previousDay) continue;
      previousDay = day;
      const next = this.stageOn(facts, day);
      if (next === stage) continue;
      this.#moves.add(day * DAY_MS, stage, -sign);
      this.#moves.add(day * DAY_MS, next, sign);
      stage = next;
    }
  }

  /** Net customers moved into `stage` by time from day `first` through day `last`. */
  moved(stage: number, first: number, last: number): number {
    return last < first ? 0 : this.#moves.sum(stage, last * DAY_MS, last - first + 1);
  }

  toSnapshot(): LifecycleScheduleSnapshot {
    return { newestBucket: this.#moves.newestBucket, days: this.#moves.toSparse() };
  }

  restore(snapshot: LifecycleScheduleSnapshot): void {
    this.#moves.restoreSparse(snapshot.newestBucket, snapshot.days);
  }
}
