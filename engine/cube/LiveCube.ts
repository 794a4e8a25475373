import { InputErrorCodes, Rejection } from "../errors.js";
import { CHANNELS } from "../events/Channel.js";
import { EventTypeIndex } from "../events/EventType.js";
import type { InteractionEvent } from "../events/InteractionEvent.js";
import {
  CUSTOMER_STATUSES,
  LifecycleFacts,
  lifecycleStatusIndex,
  NPS_CLASSES,
  npsClassIndexOf,
  VALUE_TIERS,
  type CustomerState,
  type LifecyclePolicy,
} from "../state/CustomerState.js";
import { monthName, monthOf, parseMonth } from "./calendarMonth.js";
import {
  CUBE_DIMENSIONS,
  CUBE_MEASURES,
  cubeQueryCheck,
  type CubeAnswer,
  type CubeDimension,
  type CubeMeasure,
  type CubeRow,
} from "./CubeQuery.js";

/** Calendar months the cube keeps: the newest month with an event and the 23 before it. */
export const CUBE_MONTHS = 24;

/** The sums each cell keeps, at these offsets. */
const Cell = {
  events: 0,
  /** Customer-months: a customer's first event of a calendar month (see CustomerState.cubeMonths). */
  customers: 1,
  /** Net revenue: the change the event made to the customer's lifetime net revenue. */
  revenue: 2,
  cost: 3,
  purchases: 4,
  /** Events that ended an active relationship: not cancelled before, cancelled after. */
  cancellations: 5,
  offerResponses: 6,
  /** Offer responses "accept" or "convert". */
  positiveResponses: 7,
} as const;
const CELL_SUMS = 8;

const STAGES = CUSTOMER_STATUSES.length;
const TIERS = VALUE_TIERS.length;
const NPS = NPS_CLASSES.length;
const CHANNEL_COUNT = CHANNELS.length;
/** Cells of one month: lifecycle stage × value tier × NPS class × channel. */
const MONTH_CELLS = STAGES * TIERS * NPS * CHANNEL_COUNT;
/** Numbers of one block (all customers, or one segment's members): every cell of every month kept. */
const BLOCK = CUBE_MONTHS * MONTH_CELLS * CELL_SUMS;
/** Most groups a query sums in a dense array rather than a map (see `query`). */
const DENSE_GROUPS = 65_536;
/** Bits of CustomerState.cubeMonths in use: one per month the cube keeps. */
const MONTH_BITS = (1 << CUBE_MONTHS) - 1;

/** Each dimension's values, in the order rows and errors list them (segments come from the configuration). */
const FIXED_VALUES: Readonly<Record<Exclude<CubeDimension, "segment" | "month">, readonly string[]>> = {
  channel: CHANNELS,
  lifecycleStage: CUSTOMER_STATUSES,
  valueTier: VALUE_TIERS,
  npsClass: NPS_CLASSES,
};

/** The cube part of a checkpoint: only cells with events, so it stays small. */
export interface LiveCubeSnapshot {
  /** The newest month kept (months since January 1970); -1 before any event. */
  readonly newestMonth: number;
  /** Fingerprint of the segment definitions the segment blocks were counted under. */
  readonly segmentsFingerprint: number;
  /**
   * Per block (all customers, then each segment in definition order), each cell with
   * events as `month, cell, ...sums` (CELL_SUMS sums, in `Cell` order).
   */
  readonly blocks: number[][];
}

/**
 * A live OLAP cube over the events: group-by queries on segment, channel, lifecycle
 * stage, value tier, NPS class and calendar month answered by summing pre-aggregated
 * cells, never by scanning customers.
 *
 * Facts are events. Each event is counted once in the cell of its channel, its calendar
 * month (UTC, from its event time) and its customer's lifecycle stage, value tier and
 * NPS class **as they stood when the event arrived, before it took effect** (the stage
 * at the event's time; the tier the business metrics counted the customer in; the
 * class of its latest NPS answer). Segments the same way: the event also counts in the
 * block of every segment the customer was a member of before the event (membership
 * bits, with the segment timers due by the event's time already fired). "Before" makes
 * the churn and response rates say something: after a cancellation the customer is
 * churned and has left most segments, so "after" would file every cancellation under
 * "churned".
 *
 * Cells are sums in one Float64Array allocated at construction: one block for all
 * customers and one per segment (a customer can be in several), each a ring of
 * CUBE_MONTHS months × MONTH_CELLS cells × CELL_SUMS sums (516 KB a block). An event in
 * a month newer than the newest clears the months that fall out of the ring; an event
 * older than the ring is not counted. Per event: a few additions per block it counts
 * in, no allocation.
 */
export class LiveCube {
  readonly segmentIds: readonly string[];
  readonly #segmentsFingerprint: number;
  readonly #policy: LifecyclePolicy;
  readonly #cells: Float64Array;
  readonly #facts = new LifecycleFacts();
  #newestMonth = -1;
  // The event being applied, between beforeApply and afterApply.
  /** Offset of its cell in the all-customers block; -1: not counted (older than the ring). */
  #offset = -1;
  #segmentsBefore = 0;
  #revenueBefore = 0;
  #wasCancelled = false;
  #firstInMonth = 0;

  /** `segments`: the configured segment ids, in definition order (bit i is segment i). */
  constructor(options: { lifecycle: LifecyclePolicy; segments: readonly { readonly id: string }[]; segmentsFingerprint: number }) {
    this.#policy = options.lifecycle;
    this.segmentIds = options.segments.map((segment) => segment.id);
    this.#segmentsFingerprint = options.segmentsFingerprint;
    this.#cells = new Float64Array((1 + this.segmentIds.length) * BLOCK);
  }

  get newestMonth(): number {
    return this.#newestMonth;
  }

  /** Takes the customer's dimensions before the event changes its state. */
  beforeApply(state: CustomerState, event: InteractionEvent): void {
    const month = monthOf(event.ts);
    if (month > this.#newestMonth) this.#advanceTo(month);
    if (month <= this.#newestMonth - CUBE_MONTHS) {
      this.#offset = -1;
      return;
    }
    const stage = lifecycleStatusIndex(LifecycleFacts.of(state, this.#facts), event.ts, this.#policy);
    const cell = ((stage * TIERS + state.valueTier) * NPS + npsClassIndexOf(state.nps.last)) * CHANNEL_COUNT + event.channelIndex;
    this.#offset = ((month % CUBE_MONTHS) * MONTH_CELLS + cell) * CELL_SUMS;
    this.#segmentsBefore = state.segments;
    this.#revenueBefore = state.revenue;
    this.#wasCancelled = state.cancelled;
    this.#firstInMonth = markMonth(state, month);
  }

  /** Counts the event, with what it changed, in its cells. */
  afterApply(state: CustomerState, event: InteractionEvent): void {
    const offset = this.#offset;
    if (offset < 0) return;
    const responded = event.typeIndex === EventTypeIndex.offer_response;
    const positive = responded && (event.response === "accept" || event.response === "convert");
    const revenue = state.revenue - this.#revenueBefore;
    const cancelled = !this.#wasCancelled && state.cancelled ? 1 : 0;
    const purchase = event.typeIndex === EventTypeIndex.purchase ? 1 : 0;
    this.#add(offset, revenue, event.cost, purchase, cancelled, responded ? 1 : 0, positive ? 1 : 0);
    let bits = this.#segmentsBefore;
    while (bits !== 0) {
      const lowest = bits & -bits;
      bits ^= lowest;
      const segment = 31 - Math.clz32(lowest);
      if (segment < this.segmentIds.length) this.#add((segment + 1) * BLOCK + offset, revenue, event.cost, purchase, cancelled, responded ? 1 : 0, positive ? 1 : 0);
    }
  }

  #add(offset: number, revenue: number, cost: number, purchase: number, cancelled: number, responded: number, positive: number): void {
    const cells = this.#cells;
    cells[offset + Cell.events]!++;
    cells[offset + Cell.customers]! += this.#firstInMonth;
    cells[offset + Cell.revenue]! += revenue;
    cells[offset + Cell.cost]! += cost;
    cells[offset + Cell.purchases]! += purchase;
    cells[offset + Cell.cancellations]! += cancelled;
    cells[offset + Cell.offerResponses]! += responded;
    cells[offset + Cell.positiveResponses]! += positive;
  }

  /** The newest month is now `month`: the months that fall out of the ring are cleared. */
  #advanceTo(month: number): void {
    const from = Math.max(this.#newestMonth + 1, month - CUBE_MONTHS + 1);
    for (let m = from; m <= month; m++) {
      const start = (m % CUBE_MONTHS) * MONTH_CELLS * CELL_SUMS;
      for (let block = 0; block <= this.segmentIds.length; block++) {
        this.#cells.fill(0, block * BLOCK + start, block * BLOCK + start + MONTH_CELLS * CELL_SUMS);
      }
    }
    this.#newestMonth = month;
  }

  /**
   * Answers a query body (already decoded; see CubeQuerySchema), or says what is wrong
   * with it. Sums at most every cell of the blocks asked for: (segments + 1) × 8,064.
   */
  query(body: unknown, watermark: number): CubeAnswer | Rejection {
    const usage =
      `a cube query is {"dimensions": [...], "measures": [...], "filter": {"<dimension>": "<value>" or [...]}}; ` +
      `dimensions ${CUBE_DIMENSIONS.join(", ")}; measures ${CUBE_MEASURES.join(", ")}`;
    if (typeof body !== "object" || body === null || !cubeQueryCheck.Check(body)) return invalid(usage);
    const dimensions = body.dimensions ?? [];
    const unknownDimension = dimensions.find((name) => !(CUBE_DIMENSIONS as readonly string[]).includes(name));
    if (unknownDimension !== undefined) return invalid(`unknown dimension ${JSON.stringify(unknownDimension)}; ${usage}`);
    const repeated = dimensions.find((name, i) => dimensions.indexOf(name) !== i);
    if (repeated !== undefined) return invalid(`dimension ${JSON.stringify(repeated)} is asked twice; ${usage}`);
    const measures = body.measures ?? CUBE_MEASURES;
    const unknownMeasure = measures.find((name) => !(CUBE_MEASURES as readonly string[]).includes(name));
    if (unknownMeasure !== undefined) return invalid(`unknown measure ${JSON.stringify(unknownMeasure)}; ${usage}`);

    const first = this.#newestMonth - CUBE_MONTHS + 1;
    const months = this.#newestMonth < 0 ? null : { from: monthName(Math.max(0, first)), to: monthName(this.#newestMonth) };
    // Accepted values of each dimension (index in its value list; months from `first`).
    const allowed = new Map<CubeDimension, Uint8Array>();
    for (const [name, wanted] of Object.entries(body.filter ?? {})) {
      if (!(CUBE_DIMENSIONS as readonly string[]).includes(name)) return invalid(`unknown filter dimension ${JSON.stringify(name)}; ${usage}`);
      const dimension = name as CubeDimension;
      const accepted = new Uint8Array(this.#valueCount(dimension));
      for (const value of [wanted].flat()) {
        const index = this.#valueIndex(dimension, value, first);
        if (typeof index === "string") return invalid(index);
        // A month the cube does not hold yet (or any more) matches nothing.
        if (index >= 0) accepted[index] = 1;
      }
      allowed.set(dimension, accepted);
    }

    // Group keys in mixed radix, the first dimension most significant, so keys sort like rows.
    const strides = new Map<CubeDimension, number>();
    let stride = 1;
    for (let i = dimensions.length - 1; i >= 0; i--) {
      const dimension = dimensions[i] as CubeDimension;
      strides.set(dimension, stride);
      stride *= this.#valueCount(dimension);
    }
    const keyOf = (dimension: CubeDimension, index: number) => (strides.get(dimension) ?? 0) * index;
    const passes = (dimension: CubeDimension, index: number) => allowed.get(dimension)?.[index] !== 0;
    // Per cell of a month: its part of the key, or -1 if the filter leaves it out.
    const cellKeys = new Float64Array(MONTH_CELLS);
    for (let cell = 0; cell < MONTH_CELLS; cell++) {
      const channel = cell % CHANNEL_COUNT;
      const nps = Math.floor(cell / CHANNEL_COUNT) % NPS;
      const tier = Math.floor(cell / (CHANNEL_COUNT * NPS)) % TIERS;
      const stage = Math.floor(cell / (CHANNEL_COUNT * NPS * TIERS));
      const kept = passes("channel", channel) && passes("npsClass", nps) && passes("valueTier", tier) && passes("lifecycleStage", stage);
      cellKeys[cell] = kept
        ? keyOf("channel", channel) + keyOf("npsClass", nps) + keyOf("valueTier", tier) + keyOf("lifecycleStage", stage)
        : -1;
    }
    // Segments asked for (grouped or filtered): their blocks; otherwise the all-customers block.
    const bySegment = dimensions.includes("segment") || allowed.has("segment");
    const blocks: number[] = bySegment ? this.segmentIds.map((_, segment) => segment).filter((segment) => passes("segment", segment)) : [-1];

    // Groups in a dense array when there can be few enough of them (up to 65,536: the
    // usual queries), else in a map: a query over every dimension can have 250,000.
    const dense = stride <= DENSE_GROUPS ? new Float64Array(stride * CELL_SUMS) : null;
    const groups = new Map<number, Float64Array>();
    const cells = this.#cells;
    for (const segment of blocks) {
      const blockStart = (segment + 1) * BLOCK;
      const segmentKey = segment < 0 ? 0 : keyOf("segment", segment);
      for (let m = Math.max(0, first); m <= this.#newestMonth; m++) {
        if (!passes("month", m - first)) continue;
        const monthKey = segmentKey + keyOf("month", m - first);
        const monthStart = blockStart + (m % CUBE_MONTHS) * MONTH_CELLS * CELL_SUMS;
        for (let cell = 0; cell < MONTH_CELLS; cell++) {
          const cellKey = cellKeys[cell]!;
          const offset = monthStart + cell * CELL_SUMS;
          if (cellKey < 0 || cells[offset + Cell.events] === 0) continue;
          const key = monthKey + cellKey;
          if (dense !== null) {
            const at = key * CELL_SUMS;
            for (let s = 0; s < CELL_SUMS; s++) dense[at + s]! += cells[offset + s]!;
            continue;
          }
          let sums = groups.get(key);
          if (sums === undefined) groups.set(key, (sums = new Float64Array(CELL_SUMS)));
          for (let s = 0; s < CELL_SUMS; s++) sums[s]! += cells[offset + s]!;
        }
      }
    }

    if (dense !== null) {
      for (let key = 0; key < stride; key++) {
        if (dense[key * CELL_SUMS + Cell.events] !== 0) groups.set(key, dense.subarray(key * CELL_SUMS, (key + 1) * CELL_SUMS));
      }
    }
    const rows: CubeRow[] = [];
    for (const key of [...groups.keys()].sort((a, b) => a - b)) {
      const sums = groups.get(key)!;
      const row: CubeRow = {};
      for (const dimension of dimensions as CubeDimension[]) {
        const index = Math.floor(key / strides.get(dimension)!) % this.#valueCount(dimension);
        row[dimension] = this.#valueName(dimension, index, first);
      }
      for (const measure of measures as CubeMeasure[]) row[measure] = measureOf(measure, sums);
      rows.push(row);
    }
    return { watermark, months, dimensions: dimensions as CubeDimension[], measures: measures as CubeMeasure[], rows };
  }

  #valueCount(dimension: CubeDimension): number {
    if (dimension === "segment") return Math.max(1, this.segmentIds.length);
    if (dimension === "month") return CUBE_MONTHS;
    return FIXED_VALUES[dimension].length;
  }

  /** The index of a dimension value (months: from `first`; -1: a month not held), or an error message. */
  #valueIndex(dimension: CubeDimension, value: string, first: number): number | string {
    if (dimension === "month") {
      const month = parseMonth(value);
      if (month === undefined) return `month ${JSON.stringify(value)} in the filter is not YYYY-MM`;
      return month >= first && month <= this.#newestMonth ? month - first : -1;
    }
    const values = dimension === "segment" ? this.segmentIds : FIXED_VALUES[dimension];
    const index = values.indexOf(value);
    if (index >= 0) return index;
    const known = values.length === 0 ? "none configured" : values.join(", ");
    return `unknown ${dimension} ${JSON.stringify(value)} in the filter; ${dimension} is one of: ${known}`;
  }

  #valueName(dimension: CubeDimension, index: number, first: number): string {
    if (dimension === "month") return monthName(first + index);
    return (dimension === "segment" ? this.segmentIds : FIXED_VALUES[dimension])[index]!;
  }

  toSnapshot(): LiveCubeSnapshot {
    const blocks: number[][] = [];
    const cells = this.#cells;
    for (let block = 0; block <= this.segmentIds.length; block++) {
      const sparse: number[] = [];
      for (let m = Math.max(0, this.#newestMonth - CUBE_MONTHS + 1); m <= this.#newestMonth; m++) {
        const monthStart = block * BLOCK + (m % CUBE_MONTHS) * MONTH_CELLS * CELL_SUMS;
        for (let cell = 0; cell < MONTH_CELLS; cell++) {
          const offset = monthStart + cell * CELL_SUMS;
          if (cells[offset + Cell.events] === 0) continue;
          sparse.push(m, cell);
          for (let s = 0; s < CELL_SUMS; s++) sparse.push(cells[offset + s]!);
        }
      }
      blocks.push(sparse);
    }
    return { newestMonth: this.#newestMonth, segmentsFingerprint: this.#segmentsFingerprint, blocks };
  }

  /**
   * Takes the cells of a checkpoint. Segment blocks counted under other segment
   * definitions do not apply: those start empty (customers' memberships start over too).
   */
  restore(snapshot: LiveCubeSnapshot): void {
    this.#cells.fill(0);
    this.#newestMonth = snapshot.newestMonth;
    const blocks = snapshot.segmentsFingerprint === this.#segmentsFingerprint ? Math.min(snapshot.blocks.length, 1 + this.segmentIds.length) : 1;
    for (let block = 0; block < blocks; block++) {
      const sparse = snapshot.blocks[block]!;
      if (sparse.length % (CELL_SUMS + 2) !== 0) throw new RangeError(`cube snapshot block has ${sparse.length} numbers, not a multiple of ${CELL_SUMS + 2}`);
      for (let i = 0; i < sparse.length; i += CELL_SUMS + 2) {
        const month = sparse[i]!;
        const cell = sparse[i + 1]!;
        if (month > this.#newestMonth || month <= this.#newestMonth - CUBE_MONTHS || cell >= MONTH_CELLS) continue;
        const offset = block * BLOCK + ((month % CUBE_MONTHS) * MONTH_CELLS + cell) * CELL_SUMS;
        for (let s = 0; s < CELL_SUMS; s++) this.#cells[offset + s] = sparse[i + 2 + s]!;
      }
    }
  }
}

/**
 * Marks `month` as counted for the customer; returns 1 if this is its first event
 * counted in that month. Bit k of `cubeMonths` is month `cubeMonth - k`.
 */
function markMonth(state: CustomerState, month: number): number {
  if (month > state.cubeMonth) {
    const shift = month - state.cubeMonth;
    state.cubeMonths = shift >= CUBE_MONTHS ? 0 : (state.cubeMonths << shift) & MONTH_BITS;
    state.cubeMonth = month;
  }
  const bit = 1 << (state.cubeMonth - month);
  if ((state.cubeMonths & bit) !== 0) return 0;
  state.cubeMonths |= bit;
  return 1;
}

function measureOf(measure: CubeMeasure, sums: Float64Array): number | null {
  switch (measure) {
    case "customers":
      return sums[Cell.customers]!;
    case "events":
      return sums[Cell.events]!;
    case "revenue":
      return sums[Cell.revenue]!;
    case "cost":
      return sums[Cell.cost]!;
    case "profit":
      return sums[Cell.revenue]! - sums[Cell.cost]!;
    case "purchases":
      return sums[Cell.purchases]!;
    case "cancellations":
      return sums[Cell.cancellations]!;
    case "churnRate":
      return ratio(sums[Cell.cancellations]!, sums[Cell.customers]!);
    case "offerResponses":
      return sums[Cell.offerResponses]!;
    case "positiveResponses":
      return sums[Cell.positiveResponses]!;
    case "responseRate":
      return ratio(sums[Cell.positiveResponses]!, sums[Cell.offerResponses]!);
  }
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function invalid(message: string): Rejection {
  return new Rejection(InputErrorCodes.InvalidValue, message);
}
