import type { RuleContext } from "../decisions/RuleContext.js";
import type { CustomerState } from "../state/CustomerState.js";
import type { CompiledSegment } from "./CompiledSegment.js";

/** Why a membership changed: an event of the customer's, time passing, or new segment definitions. */
export type SegmentChangeCause = "event" | "time" | "definition";

/** A customer entering or leaving a segment, as published on `cx.segments.<segment>.<customerId>`. */
export interface SegmentChange {
  /** Deterministic, so a replay publishes the same id and the stream drops the repeat. */
  readonly changeId: string;
  readonly segment: string;
  readonly customerId: string;
  readonly change: "enter" | "exit";
  /** Event time of the change: the watermark after the event, or the moment time turned the rule. */
  readonly ts: number;
  readonly cause: SegmentChangeCause;
  /** The event that caused it, for cause "event". */
  readonly eventId?: string;
  /** Members of the segment after this change. */
  readonly size: number;
  readonly configVersion: string;
}

/** The segments part of a checkpoint. */
export interface SegmentsSnapshot {
  readonly fingerprint: number;
  /** Members, entries and exits of each segment, in definition order. */
  readonly sizes: number[];
  readonly entered: number[];
  readonly exited: number[];
}

/**
 * Keeps segment membership current: re-evaluates a customer's segments when an event
 * changes its state and when time alone may turn one of them: `evaluate` leaves that
 * moment in `segmentsDueTs` (from the rules' syntax, see timeOfNextChange) for the
 * engine's customer timer, which fires as the watermark passes it. Sizes are kept by
 * counting entries and exits, never by scanning customers.
 */
export class SegmentTracker {
  readonly segments: readonly CompiledSegment[];
  readonly fingerprint: number;
  readonly sizes: number[];
  readonly entered: number[];
  readonly exited: number[];
  readonly #ctx: RuleContext;
  readonly #emit: (change: SegmentChange) => void;

  /** `ctx` is shared with the engine's other rules; `emit` receives every change. */
  constructor(segments: readonly CompiledSegment[], fingerprint: number, ctx: RuleContext, emit: (change: SegmentChange) => void) {
    this.segments = segments;
    this.fingerprint = fingerprint;
    this.sizes = segments.map(() => 0);
    this.entered = segments.map(() => 0);
    this.exited = segments.map(() => 0);
    this.#ctx = ctx;
    this.#emit = emit;
  }

  /**
   * Evaluates every segment for `state` at event time `now`, in definition order (so
   * `inSegment` sees the earlier ones as they are now), reports what changed and sets
   * `segmentsDueTs`. `causeKey` makes the change ids unique and repeatable: the
   * event's stream sequence, or the moment for time. Call `touch` on the state first.
   * Returns the mask of the segments the customer entered.
   */
  evaluate(state: CustomerState, now: number, cause: SegmentChangeCause, causeKey: string, configVersion: string, eventId?: string): number {
    const segments = this.segments;
    if (segments.length === 0) return 0;
    let entered = 0;
    const ctx = this.#ctx;
    ctx.customer = state;
    ctx.event = null;
    ctx.context = null;
    ctx.channel = "";
    ctx.now = now;
    ctx.known = true;
    let due = Number.POSITIVE_INFINITY;
    for (let index = 0; index < segments.length; index++) {
      const segment = segments[index]!;
      const member = segment.when.evaluate(ctx);
      if (member !== ((state.segments & segment.mask) !== 0)) {
        state.segments ^= segment.mask;
        if (member) entered |= segment.mask;
        this.#changed(state, index, member, now, cause, causeKey, configVersion, eventId);
      }
      const next = segment.nextChange(ctx);
      if (next < due) due = next;
    }
    state.segmentsVersion = this.fingerprint;
    state.segmentsDueTs = due;
    return entered;
  }

  /** The id of a change, as `evaluate` reports it: repeatable for the same cause. */
  changeId(customerId: string, index: number, change: "enter" | "exit", causeKey: string): string {
    return `${customerId}:${this.segments[index]!.id}:${change}:${causeKey}`;
  }

  /**
   * Takes a customer restored from a checkpoint: under the same definitions its bits
   * stand; under others they are dropped and `evaluate` must follow (returns false).
   */
  adopt(state: CustomerState): boolean {
    if (state.segmentsVersion === this.fingerprint) return true;
    state.segments = 0;
    state.segmentsDueTs = Number.POSITIVE_INFINITY;
    return false;
  }

  /** Names of the segments whose bits are set in `mask`, in definition order. */
  namesOf(mask: number): string[] {
    return this.segments.filter((segment) => (mask & segment.mask) !== 0).map((segment) => segment.id);
  }

  toSnapshot(): SegmentsSnapshot {
    return { fingerprint: this.fingerprint, sizes: [...this.sizes], entered: [...this.entered], exited: [...this.exited] };
  }

  /** Sizes from a checkpoint under other definitions do not apply: the customers re-enter as they are adopted. */
  restore(snapshot: SegmentsSnapshot): void {
    if (snapshot.fingerprint !== this.fingerprint) return;
    for (let index = 0; index < this.segments.length; index++) {
      this.sizes[index] = snapshot.sizes[index]!;
      this.entered[index] = snapshot.entered[index]!;
      this.exited[index] = snapshot.exited[index]!;
    }
  }

  #changed(
    state: CustomerState,
    index: number,
    member: boolean,
    now: number,
    cause: SegmentChangeCause,
    causeKey: string,
    configVersion: string,
    eventId: string | undefined,
  ): void {
    const segment = this.segments[index]!;
    const change = member ? "enter" : "exit";
    if (member) {
      this.sizes[index]!++;
      this.entered[index]!++;
    } else {
      this.sizes[index]!--;
      this.exited[index]!++;
    }
    this.#emit({
      changeId: this.changeId(state.customerId, index, change, causeKey),
      segment: segment.id,
      customerId: state.customerId,
      change,
      ts: now,
      cause,
      ...(eventId === undefined ? {} : { eventId }),
      size: this.sizes[index]!,
      configVersion,
    });
  }
}
