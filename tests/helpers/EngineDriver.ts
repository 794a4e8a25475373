import { DEFAULT_CONFIG_PATH, loadConfig, parseConfig, type CxConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import {
  compileDecisionConfig,
  encodeOutbound,
  Engine,
  ManualClock,
  type Channel,
  type DecideRequest,
  type Decision,
  type EngineSettings,
  type EventInput,
  type IngestResult,
  type RejectedInput,
  type RequestDecisionRecord,
  type SegmentChange,
} from "../../engine/index.js";

/** 2026-11-02T00:00:00Z: a fixed "now" so tests do not depend on the wall clock. */
export const T0 = Date.UTC(2026, 10, 2);
export const DAY = 86_400_000;

export interface DriverOptions {
  /** YAML text of a configuration; the default configuration when absent. */
  readonly yaml?: string;
  readonly settings?: Partial<EngineSettings>;
  /** Require subjects to match bodies, as the NATS connector does. */
  readonly checkSubjects?: boolean;
}

/**
 * Drives the pure engine with plain calls on a manual clock, no NATS: feed events,
 * collect decisions and rejections (Kafka Streams' TopologyTestDriver, in spirit).
 */
export class EngineDriver {
  readonly clock = new ManualClock(T0);
  readonly config: CxConfig;
  readonly engine: Engine;
  readonly decisions: Decision[] = [];
  readonly rejected: RejectedInput[] = [];
  readonly requestDecisions: RequestDecisionRecord[] = [];
  readonly segmentChanges: SegmentChange[] = [];
  #seq = 0;

  constructor(options: DriverOptions = {}) {
    this.config = options.yaml === undefined ? loadConfig(DEFAULT_CONFIG_PATH) : parseConfig(options.yaml, "test.yaml");
    this.engine = new Engine({
      settings: { ...this.config.engine, ...options.settings },
      decisions: compileDecisionConfig(this.config.decisions, this.config.locate),
      clock: this.clock,
      output: {
        decision: (d) => this.decisions.push(d),
        rejected: (r) => this.rejected.push(r),
        requestDecisionRecorded: (r) => this.requestDecisions.push(r),
        segmentChanged: (c) => this.segmentChanges.push(c),
      },
      ...(options.checkSubjects === false ? {} : { eventSubjectPrefix: Subjects.eventsPrefix }),
    });
  }

  /** Sends an event (encoded as MessagePack) or raw bytes, with the next stream sequence. */
  /** `storedAt`: when the stream stored the message (epoch ms), as the consumer passes it. */
  send(event: EventInput | Uint8Array, options: { subject?: string; seq?: number; storedAt?: number } = {}): IngestResult {
    const bytes = event instanceof Uint8Array ? event : encodeOutbound(event);
    const subject = options.subject ?? (event instanceof Uint8Array ? "cx.events.web.X" : Subjects.event(event.channel, event.customerId));
    const seq = options.seq ?? ++this.#seq;
    if (seq > this.#seq) this.#seq = seq;
    const result = this.engine.ingest(bytes, subject, seq, options.storedAt);
    // As the runtime does between batches: the timers one message leaves for later.
    this.engine.fireDueTimers(Number.POSITIVE_INFINITY);
    return result;
  }

  /**
   * A restart from a checkpoint: cuts one of this engine's state and restores it, engine
   * and customers, into `target` (a fresh driver), as recovery does. Returns `target`.
   */
  restartInto(target: EngineDriver): EngineDriver {
    const cut = this.engine.beginCheckpoint();
    target.engine.restoreCheckpoint(cut.engine);
    for (const customerId of cut.customerIds) target.engine.restoreCustomer(customerId, this.engine.captureCustomer(cut, customerId));
    this.engine.abortCheckpoint(cut);
    return target;
  }

  decide(channel: Channel, request: DecideRequest): Decision {
    return this.engine.decideFor(request, channel);
  }
}

let nextId = 0;

/** A valid event with sensible defaults; override any field. */
export function anEvent<T extends EventInput["type"]>(
  type: T,
  fields: Partial<Extract<EventInput, { type: T }>> & Record<string, unknown> = {},
): EventInput {
  const defaults: Record<string, unknown> = { id: `e${++nextId}`, customerId: "C1", type, channel: "web", ts: T0 };
  if (type === "purchase") Object.assign(defaults, { amount: 100, product: "phone-x1", category: "phones" });
  if (type === "refund" || type === "payment") Object.assign(defaults, { amount: 10 });
  if (type === "survey") Object.assign(defaults, { survey: "nps", score: 8 });
  if (type === "offer_response") Object.assign(defaults, { offerId: "premium-upgrade", response: "click" });
  if (type === "page_view") Object.assign(defaults, { page: "/" });
  return { ...defaults, ...fields } as EventInput;
}
