import { CampaignExposure } from "./campaigns/CampaignExposure.js";
import { NO_OUTCOMES } from "./campaigns/CampaignLedger.js";
import { CampaignLedgers } from "./campaigns/CampaignLedgers.js";
import type { CompiledCampaign } from "./campaigns/CompiledCampaign.js";
import { liftReport, type LiftReport } from "./campaigns/LiftReport.js";
import { CheckpointCut } from "./checkpoint/CheckpointCut.js";
import { CustomerDirectory } from "./checkpoint/CustomerDirectory.js";
import { decodeCustomer } from "./checkpoint/CustomerSnapshot.js";
import type { EngineSnapshot, RequestDecisionRecord } from "./checkpoint/EngineSnapshot.js";
import type { Clock } from "./clock.js";
import { Arbitration, rankedAction } from "./decisions/Arbitration.js";
import { ChannelSelection } from "./decisions/ChannelSelection.js";
import { BaseMetricReader } from "./metrics/BaseMetricReader.js";
import { actionValue, BEST_CHANNEL, EVENT_CHANNEL, type CompiledTrigger, type DecisionConfig } from "./decisions/DecisionConfig.js";
import type { Decision, Reason } from "./decisions/Decision.js";
import { validateDecideRequest, type DecideRequest } from "./decisions/DecideRequest.js";
import type { CubeAnswer } from "./cube/CubeQuery.js";
import { LiveCube } from "./cube/LiveCube.js";
import { RuleContext } from "./decisions/RuleContext.js";
import type { EngineOutput } from "./EngineOutput.js";
import type { EngineSettings } from "./EngineSettings.js";
import { EngineStats, EventOutcomeIndex, SUPPRESSION_REASONS } from "./EngineStats.js";
import { ConfigError, ConfigErrorCodes, InputErrorCodes, Rejection } from "./errors.js";
import { CHANNEL_INDEX, CHANNELS, type Channel } from "./events/Channel.js";
import { EventValidator } from "./events/EventValidator.js";
import { EventTypeIndex } from "./events/EventType.js";
import { InteractionEvent } from "./events/InteractionEvent.js";
import type { OfferResponse } from "./events/eventSchema.js";
import {
  AliveScan,
  DetractorDriversScan,
  ProfitabilityScan,
  type AliveInsight,
  type DetractorDriversInsight,
  type InsightScan,
  type ProfitabilityInsight,
} from "./metrics/BaseInsights.js";
import { InsightsScan, type InsightName, type Insights } from "./metrics/InsightsScan.js";
import { BusinessMetrics, type BusinessReport } from "./metrics/BusinessMetrics.js";
import { OnlineModels, type ModelReport } from "./models/OnlineModels.js";
import { SegmentTracker } from "./segments/SegmentTracker.js";
import { TimerQueue } from "./timers/TimerQueue.js";
import { ContactOutcome } from "./state/ContactHistory.js";
import { describeCustomer, type CustomerProfile, type CustomerScores } from "./state/CustomerProfile.js";
import { Lookalike } from "./segments/profiles/Lookalike.js";
import { profileAttributes, type BinnedAttribute } from "./segments/profiles/ProfileAttributes.js";
import { SegmentProfiler } from "./segments/profiles/SegmentProfiler.js";
import type { SegmentProfiles } from "./segments/profiles/SegmentProfiles.js";
import type { Valuation } from "./state/customerValue.js";
import { StateLayout, type CustomerState } from "./state/CustomerState.js";
import { decodePayload } from "./wire/decodePayload.js";

export interface EngineOptions {
  readonly settings: EngineSettings;
  readonly decisions: DecisionConfig;
  readonly clock: Clock;
  readonly output: EngineOutput;
  /**
   * When set, an event's subject must be this prefix followed by
   * `<channel>.<customerId>` of its body, so subject-based routing can be trusted.
   */
  readonly eventSubjectPrefix?: string;
}

/** A campaign's test design and results, as `cx.query.campaigns` and the metrics report them. */
export interface CampaignReport {
  readonly campaign: string;
  readonly title: string;
  /** Whether its schedule covers the event-time now. */
  readonly running: boolean;
  readonly arms: readonly { readonly arm: string; readonly probability: number }[];
  readonly lift: LiftReport;
}

/** A segment's size, as `cx.query.segments` and the metrics report it. */
export interface SegmentSize {
  readonly segment: string;
  readonly title: string;
  readonly size: number;
  readonly entered: number;
  readonly exited: number;
}

/** What `ingest` did with a message. */
export const IngestResult = {
  Applied: 0,
  /** Applied to lifetime state, but too late for the windows. */
  Late: 1,
  /**
   * A sequence at or below one already taken in: the transport delivered it again
   * (e.g. after a reconnect). Dropped unread and counted in `stats.redeliveries`.
   */
  Redelivered: 2,
  Rejected: 3,
  /**
   * The customer's state is only in the checkpoint store: the message waits, and so
   * does every later one, until `resume` gets the state (`awaitingCustomer` says whose).
   */
  NeedsLoad: 4,
  /** Held behind a message waiting for its customer's state; handled, in order, by `resume`. */
  Queued: 5,
} as const;
export type IngestResult = (typeof IngestResult)[keyof typeof IngestResult];

const SUPPRESSED_INELIGIBLE = SUPPRESSION_REASONS.indexOf("ineligible");
const SUPPRESSED_CHANNEL = SUPPRESSION_REASONS.indexOf("channel");
const SUPPRESSED_STALE = SUPPRESSION_REASONS.indexOf("stale");
const SUPPRESSED_CAMPAIGN = SUPPRESSION_REASONS.indexOf("campaign");
const SUPPRESSED_CONTROL = SUPPRESSION_REASONS.indexOf("control");
/** The control is the first arm of every test design. */
const CONTROL_INDEX = 0;
/** Campaign exposures a customer keeps; the oldest goes first. */
const MAX_EXPOSURES_PER_CUSTOMER = 8;
/** The suppression reason a trigger's blocked action counts under; every rule stage counts as ineligible. */
const SUPPRESSED_BY: Readonly<Partial<Record<Reason["code"], number>>> = {
  channel: SUPPRESSED_CHANNEL,
  policy: SUPPRESSION_REASONS.indexOf("policy"),
};

/**
 * Other customers' timers one message may fire (see `#fireTimers`); about 10-20 µs each.
 * Small on purpose: in a fast replay every message moves event time on, and a larger
 * budget added up to a second of timers per pull of messages (the runtime fires the rest,
 * a bounded number, after each batch: `fireDueTimers`).
 */
const TIMERS_PER_MESSAGE = 4;

/** When triggers run: for an event, or for a segment entry (caused by an event or by time passing). */
interface TriggerMoment {
  /** The event whose triggers run; null for a segment entry, whose rules see no event. */
  readonly event: InteractionEvent | null;
  /** The rule context's event-time now. */
  readonly now: number;
  /** The decisions' ts. */
  readonly ts: number;
  /** Decision ids are `<idPrefix>:<triggerId>`: the event id, or the segment change id. */
  readonly idPrefix: string;
  /** The event was too old when stored to act on: matching triggers are counted as suppressed. */
  readonly stale: boolean;
  /** For a segment entry an event caused: that event's id. */
  readonly causedBy?: string | undefined;
}

/** A message held until the state of the customer at the head of the queue is loaded. */
interface HeldMessage {
  readonly bytes: Uint8Array;
  readonly subject: string;
  readonly seq: number;
  readonly storedAt: number;
}

/** Packed customers a segment sample reads at most: about 75 ms of decoding. */
const SAMPLE_PACKED_READS = 5_000;

/**
 * The pure core: bytes in, state updated, decisions and rejections out, all
 * synchronously. It owns no sockets and no timers; time comes with events (event
 * time) or from the injected clock. Checkpoints are cut here (`beginCheckpoint`) and
 * written by a connector; customers spilled to the checkpoint store are loaded back
 * by a connector too (`awaitingCustomer`, `resume`), with messages held in order
 * meanwhile.
 */
export class Engine {
  readonly stats = new EngineStats();
  readonly settings: EngineSettings;
  readonly #customers: CustomerDirectory;
  readonly #validator: EventValidator;
  readonly #clock: Clock;
  readonly #output: EngineOutput;
  readonly #subjectPrefix: string | undefined;
  readonly #event = new InteractionEvent();
  readonly #ctx: RuleContext;
  readonly #business: BusinessMetrics;
  readonly #segments: SegmentTracker;
  readonly #models: OnlineModels | null;
  /**
   * One event-time timer per customer: the earliest moment time alone changes something
   * of it (a segment membership, a model's label); fired as the watermark passes it.
   */
  readonly #timers = new TimerQueue();
  readonly #ledgers = new CampaignLedgers();
  readonly #arbitration: Arbitration;
  readonly #channels: ChannelSelection;
  readonly #cube: LiveCube;
  readonly #profileAttributes: readonly BinnedAttribute[];
  readonly #lookalike: Lookalike;
  /** The latest segment profiles; null until the first refresh. Derived data: never checkpointed. */
  #profiles: SegmentProfiles | null = null;
  /** A refresh in progress: the customers to scan (taken when it began) and how far it got. */
  #profileScan: { readonly profiler: SegmentProfiler; readonly customerIds: string[]; next: number } | null = null;
  #decisions: DecisionConfig;
  /** Event-time "now": the largest event ts applied so far. */
  #watermark = 0;
  /** Request decisions recorded in contact histories; checkpointed, so a replayed log resumes after it. */
  #requestDecisions = 0;
  /** Decide replies made by this process, for unique request decision ids. */
  #replies = 0;
  readonly #bootId: string;
  readonly #held: HeldMessage[] = [];
  /** Highest stream sequence taken in, held messages included. */
  #lastTakenSeq = 0;
  #awaiting: string | null = null;

  constructor(options: EngineOptions) {
    this.settings = options.settings;
    this.#clock = options.clock;
    this.#output = options.output;
    this.#decisions = options.decisions;
    this.#subjectPrefix = options.eventSubjectPrefix;
    const { maxCustomers, hotCustomers } = options.settings;
    this.#customers = new CustomerDirectory(stateLayoutFor(options.settings), maxCustomers, Math.min(hotCustomers, maxCustomers));
    this.#validator = new EventValidator({ clock: options.clock, maxFutureSkewMs: options.settings.maxFutureSkewMs });
    this.#ctx = new RuleContext(this.#customers.transient("-"), options.settings.lifecycle);
    this.#business = new BusinessMetrics({
      maxWindowDays: Math.max(...options.settings.businessWindowDays),
      allowedLatenessMs: options.settings.allowedLatenessMs,
      inactivityMs: options.settings.purchaseInactivityMs,
      valueTiers: options.settings.valueTiers,
      lifecycle: options.settings.lifecycle,
    });
    this.#channels = new ChannelSelection(options.settings.channelSelection);
    this.#models = options.settings.models === null ? null : new OnlineModels(options.settings.models, options.settings.lifecycle);
    this.#ctx.models = this.#models;
    const decisions = options.decisions;
    this.#arbitration = new Arbitration(decisions, this.#ctx, this.#channels, this.#models, this.#ledgers);
    this.#segments = new SegmentTracker(decisions.segments, decisions.segmentsFingerprint, this.#ctx, (change) =>
      this.#output.segmentChanged(change),
    );
    this.#cube = new LiveCube({ lifecycle: options.settings.lifecycle, segments: decisions.segments, segmentsFingerprint: decisions.segmentsFingerprint });
    this.#profileAttributes = profileAttributes({ lifecycle: options.settings.lifecycle });
    // Before the first profile, a segment's lookalike score is its share of the base.
    this.#lookalike = new Lookalike(this.#profileAttributes, (segment) => this.#segments.sizes[segment]! / Math.max(1, this.#customers.inMemory + this.#customers.spilled));
    this.#ctx.lookalike = this.#lookalike;
    this.#ctx.base = new BaseMetricReader(this.#business);
    this.#bootId = options.clock.now().toString(36);
  }

  get watermark(): number {
    return this.#watermark;
  }

  /** Live and packed. */
  get customersInMemory(): number {
    return this.#customers.inMemory;
  }

  /** Idle customers held in memory packed (see CustomerDirectory). */
  get customersPacked(): number {
    return this.#customers.packed;
  }

  /** Bytes of the packed customers' encodings. */
  get packedBytes(): number {
    return this.#customers.packedBytes;
  }

  /** Packed customers brought back to life by an event, a timer or a decision. */
  get customersUnpacked(): number {
    return this.#customers.unpacked;
  }

  /** Customers whose state is only in the checkpoint store. */
  get customersSpilled(): number {
    return this.#customers.spilled;
  }

  get evictions(): number {
    return this.#customers.evictions;
  }

  /** The customer whose state must be loaded before held messages can go on; null if none. */
  get awaitingCustomer(): string | null {
    return this.#awaiting;
  }

  /** Messages held behind the awaited customer. */
  get heldMessages(): number {
    return this.#held.length;
  }

  /**
   * Spilled customers that held messages (after the first, which is the awaited one)
   * will need, so a loader can fetch them together instead of one round trip each.
   * Looks at most `scan` messages ahead.
   */
  heldCustomersToLoad(limit: number, scan = 2_000): string[] {
    const wanted: string[] = [];
    for (let i = 1; i < this.#held.length && i <= scan && wanted.length < limit; i++) {
      const decoded = decodePayload(this.#held[i]!.bytes, this.settings.maxPayloadBytes);
      if (decoded instanceof Rejection) continue;
      const customerId = decoded.customerId;
      if (typeof customerId === "string" && this.#customers.isSpilled(customerId) && !wanted.includes(customerId)) {
        wanted.push(customerId);
      }
    }
    return wanted;
  }

  get configVersion(): string {
    return this.#decisions.version;
  }

  /**
   * Swaps in a new catalog and triggers; the next event or request uses them. Segments
   * cannot change this way: memberships and timers were computed with the running
   * definitions (a restart re-evaluates them).
   */
  reconfigure(decisions: DecisionConfig): void {
    if (decisions.segmentsFingerprint !== this.#segments.fingerprint) {
      throw new ConfigError(ConfigErrorCodes.ConfigInvalid, "segments changed: a reload takes the catalog and triggers only; restart the engine to apply new segments", {
        keyPath: "segments",
      });
    }
    this.#decisions = decisions;
    this.#arbitration.reconfigure(decisions);
  }

  /**
   * Handles one message from the event stream. Never throws on bad input: a bad
   * message is counted, handed to `output.rejected` and leaves all state untouched.
   * `storedAt` is when the stream stored the message (epoch ms; NaN if unknown): an
   * event older than `triggerMaxAgeMs` by then fires no trigger. Being part of the
   * message, it is the same when the message is read again after a restart.
   */
  ingest(bytes: Uint8Array, subject: string, seq: number, storedAt = Number.NaN): IngestResult {
    if (seq !== 0) {
      // The stream is read in order, so a sequence not above the last one taken is a repeat.
      if (seq <= this.#lastTakenSeq) {
        this.stats.redeliveries++;
        return IngestResult.Redelivered;
      }
      this.#lastTakenSeq = seq;
    }
    if (this.#awaiting !== null) {
      this.#held.push({ bytes, subject, seq, storedAt });
      return IngestResult.Queued;
    }
    return this.#handle(bytes, subject, seq, storedAt);
  }

  /**
   * Takes the awaited customer's state (as the checkpoint store gave it, or null if it
   * had none) and handles the held messages in order, until they are done (returns
   * null) or one needs another customer loaded (returns that customer's id).
   */
  resume(encoded: Uint8Array | null): string | null {
    const customerId = this.#awaiting;
    if (customerId === null) return null;
    this.restoreCustomer(customerId, encoded);
    this.#awaiting = null;
    let next = 0;
    while (next < this.#held.length) {
      const message = this.#held[next++]!;
      if (this.#handle(message.bytes, message.subject, message.seq, message.storedAt) === IngestResult.NeedsLoad) break;
    }
    // The message that needs a load is kept (at the head) by #handle; drop what was handled.
    this.#held.splice(0, next);
    return this.#awaiting;
  }

  #handle(bytes: Uint8Array, subject: string, seq: number, storedAt: number): IngestResult {
    const decoded = decodePayload(bytes, this.settings.maxPayloadBytes);
    if (decoded instanceof Rejection) return this.#reject(decoded, bytes, subject, seq);
    const input = this.#validator.validate(decoded);
    if (input instanceof Rejection) return this.#reject(input, bytes, subject, seq);
    if (this.#subjectPrefix !== undefined && !subjectMatches(subject, this.#subjectPrefix, input.channel, input.customerId)) {
      const rejection = new Rejection(
        InputErrorCodes.SubjectMismatch,
        `subject must be ${this.#subjectPrefix}<channel>.<customerId> of the event body (${this.#subjectPrefix}${input.channel}.<customerId>)`,
      );
      return this.#reject(rejection, bytes, subject, seq);
    }
    if (input.ts > this.#watermark) {
      // Time passes before the event applies: the timers due by then fire first.
      const toLoad = this.#fireTimers(input.ts, TIMERS_PER_MESSAGE);
      if (toLoad !== null) return this.#holdFor(toLoad, { bytes, subject, seq, storedAt });
    }
    const state = this.#customers.findOrCreate(input.customerId);
    if (state === null) return this.#holdFor(input.customerId, { bytes, subject, seq, storedAt });
    this.#handled(seq);
    this.#catchUp(state, input.ts);
    const event = this.#event.assign(input, seq);
    if (input.cost === undefined) event.cost = this.#defaultCost(event);
    this.#customers.touch(state);
    const onTime = event.ts >= this.#watermark - this.settings.allowedLatenessMs;
    this.#business.beforeApply(state);
    this.#models?.beforeApply(state, event);
    this.#cube.beforeApply(state, event);
    const windowed = state.apply(event, onTime, this.#customers.layout.maxProducts);
    this.#business.afterApply(state, event, windowed);
    this.#models?.afterApply(state, event);
    this.#cube.afterApply(state, event);
    if (event.ts > this.#watermark) this.#watermark = event.ts;
    this.stats.countEvent(event.typeIndex, event.channelIndex, windowed ? EventOutcomeIndex.applied : EventOutcomeIndex.late);
    this.#joinCampaignOutcomes(state, event);
    if (event.typeIndex === EventTypeIndex.offer_response && (event.response === "accept" || event.response === "convert")) {
      this.#withdrawElsewhere(state, event);
    }
    const entered = this.#segments.evaluate(state, this.#watermark, "event", event.id, this.#decisions.version, event.id);
    const triggers = this.#decisions.triggersByType[event.typeIndex]!;
    if (triggers.length > 0 || entered !== 0) {
      const maxAge = this.settings.triggerMaxAgeMs;
      const stale = maxAge > 0 && storedAt - event.ts > maxAge;
      if (triggers.length > 0) this.#runTriggers(triggers, state, { event, now: this.#watermark, ts: event.ts, idPrefix: event.id, stale });
      if (entered !== 0) this.#runEntryTriggers(state, entered, event, this.#watermark, event.id, stale);
    }
    this.#armTimer(state);
    return windowed ? IngestResult.Applied : IngestResult.Late;
  }

  /** Keeps a message, at the head of the held ones, until `customerId` is loaded. */
  #holdFor(customerId: string, message: HeldMessage): IngestResult {
    this.#awaiting = customerId;
    this.#held.unshift(message);
    return IngestResult.NeedsLoad;
  }

  /**
   * Fires up to `budget` customer timers due by `untilTs`, in time order, each at its
   * own moment. Returns the customer to load first if one of them is spilled, else null.
   * The budget bounds the work one message can trigger (time passing in a replay can
   * bring many customers' timers at once); the rest follow with the next messages or
   * `fireDueTimers`, still each at its own moment, and a message's own customer is always
   * brought up to date before its event applies (`#catchUp`).
   */
  #fireTimers(untilTs: number, budget: number): string | null {
    const timers = this.#timers;
    for (let fired = 0; fired < budget && timers.nextDue <= untilTs; fired++) {
      const customerId = timers.nextKey!;
      const state = this.#customers.find(customerId);
      if (state === null) return customerId;
      if (state === undefined) {
        // Spilled, then found missing from the store (forgetSpilled): nothing to do.
        timers.delete(customerId);
        continue;
      }
      this.#fire(state, timers.nextDue);
    }
    return null;
  }

  /** Fires the customer's own timers due by `untilTs`, before one of its events applies. */
  #catchUp(state: CustomerState, untilTs: number): void {
    for (let due = this.#timers.dueOf(state.customerId); due <= untilTs; due = this.#timers.dueOf(state.customerId)) this.#fire(state, due);
  }

  #fire(state: CustomerState, due: number): void {
    this.#customers.touch(state);
    if (state.segmentsDueTs <= due) {
      const entered = this.#segments.evaluate(state, due, "time", `t${due}`, this.#decisions.version);
      if (entered !== 0) this.#runEntryTriggers(state, entered, null, due, `t${due}`, false);
    }
    this.#models?.fire(state, due);
    this.#armTimer(state);
  }

  /**
   * Fires up to `budget` timers already due by the watermark that the per-message budget
   * left for later; for the runtime to call when the stream is quiet. Stops at a spilled
   * customer, which the next message that reaches it loads.
   */
  fireDueTimers(budget: number): number {
    if (this.#awaiting !== null) return 0;
    const timers = this.#timers;
    let fired = 0;
    while (fired < budget && timers.nextDue <= this.#watermark) {
      const state = this.#customers.find(timers.nextKey!);
      if (state === null) break;
      if (state === undefined) timers.delete(timers.nextKey!);
      else this.#fire(state, timers.nextDue);
      fired++;
    }
    return fired;
  }

  #armTimer(state: CustomerState): void {
    const modelsDue = this.#models === null ? Number.POSITIVE_INFINITY : this.#models.nextDue(state);
    this.#timers.set(state.customerId, Math.min(state.segmentsDueTs, modelsDue));
  }

  /**
   * Reads a decide request (`cx.decide.<channel>`) from its raw body, or says what is
   * wrong with it. If `needsLoad(customerId)`, load the customer before `decideFor`.
   */
  parseDecideRequest(channelName: string, body: Uint8Array): { request: DecideRequest; channel: Channel } | Rejection {
    const channelIndex = CHANNEL_INDEX.get(channelName);
    if (channelIndex === undefined) {
      return new Rejection(InputErrorCodes.UnknownChannel, `unknown channel; expected one of: ${CHANNELS.join(", ")}`);
    }
    const decoded = decodePayload(body, this.settings.maxPayloadBytes);
    if (decoded instanceof Rejection) return decoded;
    const request = validateDecideRequest(decoded);
    if (request instanceof Rejection) return request;
    if (request.issue !== undefined && !this.#decisions.issues.has(request.issue)) {
      const known = [...this.#decisions.issues].join(", ");
      return new Rejection(InputErrorCodes.InvalidValue, `unknown issue "${request.issue}"; the catalog's actions serve: ${known === "" ? "none (no action names an issue)" : known}`);
    }
    return { request, channel: CHANNELS[channelIndex]! };
  }

  /** Parses and answers a decide request in one call; for callers whose customers never need a load. */
  decide(channelName: string, body: Uint8Array): Decision | Rejection {
    const parsed = this.parseDecideRequest(channelName, body);
    return parsed instanceof Rejection ? parsed : this.decideFor(parsed.request, parsed.channel);
  }

  /** Whether the customer's state must be loaded (`restoreCustomer`) before a decision or profile. */
  needsLoad(customerId: string): boolean {
    return this.#customers.isSpilled(customerId);
  }

  /**
   * Puts back a customer's state read from the checkpoint store (no-op if a state is
   * in memory already); null means the store had none, so the customer starts fresh.
   */
  restoreCustomer(customerId: string, encoded: Uint8Array | null): void {
    if (encoded === null) {
      this.#customers.forgetSpilled(customerId);
      return;
    }
    const state = this.#customers.restore(encoded);
    if (!this.#segments.adopt(state)) {
      // Stored under other segment definitions: the customer's memberships start over.
      this.#customers.touch(state);
      this.#segments.evaluate(state, this.#watermark, "definition", `d${this.#segments.fingerprint}`, this.#decisions.version);
    }
    this.#armTimer(state);
  }

  /** The epoch of the last checkpoint committed (or recovered from). */
  get committedEpoch(): number {
    return this.#customers.committedEpoch;
  }

  /**
   * Ranks the catalog for a customer on a channel and records the decision in the
   * customer's contact history (reported to `output.requestDecisionRecorded`, so the
   * record survives a crash). The customer must not need a load.
   */
  decideFor(request: DecideRequest, channel: Channel): Decision {
    const channelIndex = CHANNEL_INDEX.get(channel)!;
    const stored = this.#customers.find(request.customerId);
    if (stored === null) throw new Error(`customer state must be loaded before deciding (needsLoad)`);
    const state = stored ?? this.#customers.transient(request.customerId);
    const ctx = this.#ctx;
    ctx.customer = state;
    ctx.event = null;
    ctx.context = request.context ?? null;
    ctx.channel = channel;
    ctx.now = this.#eventTimeNow();
    ctx.known = stored !== undefined;
    this.#models?.prepare(state, ctx.now);
    const decisionId =
      request.requestId === undefined
        ? `${request.customerId}:r${this.#bootId}.${(this.#replies++).toString(36)}`
        : `${request.customerId}:${request.requestId}`;
    const { ranked, filtered, exposures, probability } = this.#arbitration.rankRequest(
      request.customerId,
      channelIndex,
      request.limit ?? this.settings.decideLimit,
      decisionId,
      request.issue,
    );
    const now = this.#clock.now();
    const decision: Decision = {
      decisionId,
      customerId: request.customerId,
      channel,
      source: "request",
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
      ts: ctx.now,
      actions: ranked,
      ...(ranked.length === 0 ? {} : { probability }),
      filtered,
      knownCustomer: ctx.known,
      configVersion: this.#decisions.version,
      timings: { decidedAt: now },
    };
    if (stored !== undefined && (ranked.length > 0 || exposures.length > 0)) {
      const record: RequestDecisionRecord = {
        sequence: ++this.#requestDecisions,
        decisionId,
        customerId: request.customerId,
        actionId: ranked[0]?.actionId ?? "",
        channelIndex,
        ts: ctx.now,
        ...(ranked.length === 0 ? {} : { probability }),
        ...(exposures.length === 0 ? {} : { exposures }),
      };
      this.#recordRequestDecision(stored, record);
      this.#output.requestDecisionRecorded(record);
    }
    for (const action of ranked) this.stats.countDecision(action.actionId, channelIndex, true);
    return decision;
  }

  /**
   * Re-applies a request decision from the durable log after a recovery; records at
   * or below the checkpoint's count are already in the restored state. The customer
   * must not need a load.
   */
  replayRequestDecision(record: RequestDecisionRecord): void {
    if (record.sequence <= this.#requestDecisions) return;
    const state = this.#customers.find(record.customerId);
    if (state === null) throw new Error(`customer state must be loaded before replaying its decisions (needsLoad)`);
    this.#requestDecisions = record.sequence;
    if (state !== undefined) this.#recordRequestDecision(state, record);
  }

  /** Request decisions recorded so far; recovery replays logged ones above this. */
  get requestDecisions(): number {
    return this.#requestDecisions;
  }

  #recordRequestDecision(state: CustomerState, record: RequestDecisionRecord): void {
    this.#customers.touch(state);
    for (const [campaignId, arm] of record.exposures ?? []) this.#expose(state, campaignId, arm, record.decisionId, record.ts);
    if (record.actionId === "") return;
    state.contacts.record(record.decisionId, record.actionId, record.channelIndex, record.ts, true);
    if (this.#models !== null) {
      this.#models.decided(state, record.decisionId, record.actionId, record.ts, this.#decisions.actionsById.get(record.actionId)?.responseWindowMs);
      this.#armTimer(state);
    }
  }

  /** A decision exposed the customer to a campaign's arm: a contact for the ledger, and outcomes to join for its response window. */
  #expose(state: CustomerState, campaignId: string, arm: number, decisionId: string, ts: number): void {
    const campaign = this.#decisions.campaignsById.get(campaignId);
    if (campaign === undefined) return;
    this.#ledgers.of(campaign).contact(arm);
    const exposures = (state.exposures ??= []);
    if (exposures.length >= MAX_EXPOSURES_PER_CUSTOMER) exposures.shift();
    exposures.push(new CampaignExposure(campaignId, arm, decisionId, ts, NO_OUTCOMES));
  }

  /**
   * Joins an event to the customer's open campaign exposures: a response to the
   * decision by its id, and for every arm alike (the control had no action to respond
   * to) a purchase as a conversion with its amount. Exposures past their window go.
   */
  #joinCampaignOutcomes(state: CustomerState, event: InteractionEvent): void {
    const exposures = state.exposures;
    if (exposures === null) return;
    const isPurchase = event.typeIndex === EventTypeIndex.purchase;
    const isResponse = event.typeIndex === EventTypeIndex.offer_response && event.decisionId !== "";
    for (let i = exposures.length - 1; i >= 0; i--) {
      const exposure = exposures[i]!;
      const campaign = this.#decisions.campaignsById.get(exposure.campaignId);
      if (campaign === undefined || exposure.ts + campaign.responseWindowMs < this.#watermark) {
        exposures.splice(i, 1);
        continue;
      }
      if (event.ts < exposure.ts || event.ts > exposure.ts + campaign.responseWindowMs) continue;
      const ledger = this.#ledgers.of(campaign);
      if (isPurchase) exposure.outcomes = ledger.record(exposure.arm, "convert", event.amount, exposure.outcomes);
      else if (isResponse && event.decisionId === exposure.decisionId) {
        exposure.outcomes = ledger.record(exposure.arm, event.response as OfferResponse, event.amount, exposure.outcomes);
      }
    }
    if (exposures.length === 0) state.exposures = null;
  }

  /** Each campaign: its test design, whether it runs now, its counters per arm and each variant's lift over the control. */
  campaignReports(): CampaignReport[] {
    const now = this.#eventTimeNow();
    return this.#decisions.campaigns.map((campaign) => {
      const ledger = this.#ledgers.of(campaign).toSnapshot();
      return {
        campaign: campaign.id,
        title: campaign.title,
        running: campaign.runningAt(now),
        arms: campaign.design.arms.map(({ arm, probability }) => ({ arm, probability })),
        lift: liftReport(ledger),
      };
    });
  }

  /**
   * Cuts a checkpoint between messages: everything up to the last handled sequence,
   * nothing after. Write it with `captureCustomer` for each of its customers, then
   * `commitCheckpoint` once durable, or `abortCheckpoint` if writing failed.
   */
  beginCheckpoint(): CheckpointCut {
    return this.#customers.beginCheckpoint(this.stats.lastSeq, (epoch) => this.#snapshot(epoch));
  }

  captureCustomer(cut: CheckpointCut, customerId: string): Uint8Array {
    return this.#customers.capture(cut, customerId);
  }

  commitCheckpoint(cut: CheckpointCut): void {
    this.#customers.commit(cut);
  }

  abortCheckpoint(cut: CheckpointCut): void {
    this.#customers.abort(cut);
  }

  get checkpointInFlight(): boolean {
    return this.#customers.checkpointInFlight;
  }

  /**
   * Recovery: takes the engine-wide part of the last committed checkpoint. Restore
   * customers (`restoreCustomer`, `markSpilled`) and replay the request-decision log
   * before the first `ingest`, which must be the message after `snapshot.seq`.
   */
  restoreCheckpoint(snapshot: EngineSnapshot): void {
    this.stats.restore(snapshot.stats);
    this.stats.lastSeq = snapshot.seq;
    this.#lastTakenSeq = snapshot.seq;
    this.#watermark = snapshot.watermark;
    this.#requestDecisions = snapshot.requestDecisions;
    if (snapshot.business !== undefined) this.#business.restore(snapshot.business);
    if (snapshot.segments !== undefined) this.#segments.restore(snapshot.segments);
    if (snapshot.models !== undefined) this.#models?.restore(snapshot.models);
    if (snapshot.cube !== undefined) this.#cube.restore(snapshot.cube);
    this.#ledgers.restore(snapshot.campaigns ?? []);
    if (snapshot.channelLoad !== undefined) this.#channels.restore(snapshot.channelLoad);
    this.#customers.resumeAfter(snapshot.epoch);
  }

  /**
   * Recovery: a customer in the checkpoint store (`encoded`, as stored there) that is not
   * loaded now (memory is full). Its timer is kept, so time still moves its memberships
   * and labels (loading it when the timer fires); under other segment definitions the
   * timer is due at once, to load and re-evaluate it.
   */
  markSpilled(customerId: string, encoded: Uint8Array): void {
    this.#customers.markSpilled(customerId);
    const stored = decodeCustomer(encoded, this.#customers.layout);
    if (!this.#segments.adopt(stored)) stored.segmentsDueTs = this.#watermark + 1;
    this.#armTimer(stored);
  }

  #snapshot(epoch: number): EngineSnapshot {
    return {
      epoch,
      seq: this.stats.lastSeq,
      watermark: this.#watermark,
      requestDecisions: this.#requestDecisions,
      stats: this.stats.toSnapshot(),
      business: this.#business.toSnapshot(),
      segments: this.#segments.toSnapshot(),
      ...(this.#models === null ? {} : { models: this.#models.toSnapshot() }),
      cube: this.#cube.toSnapshot(),
      campaigns: this.#ledgers.toSnapshot(),
      channelLoad: this.#channels.toSnapshot(),
      configVersion: this.#decisions.version,
    };
  }

  /** What an event costs when it says nothing: its goods (purchases, by margin) and its handling (by type). */
  #defaultCost(event: InteractionEvent): number {
    const { margin, marginByCategory, handlingCost } = this.settings.economics;
    const goods = event.typeIndex === EventTypeIndex.purchase ? event.amount * (1 - (marginByCategory.get(event.category) ?? margin)) : 0;
    return goods + handlingCost[event.typeIndex]!;
  }

  #handled(seq: number): void {
    if (seq > this.stats.lastSeq) this.stats.lastSeq = seq;
  }

  /** The 360 view of a customer, or undefined if the engine holds none in memory (see `needsLoad`). */
  profile(customerId: string): CustomerProfile | undefined {
    const state = this.#customers.peek(customerId);
    if (state === undefined) return undefined;
    const now = this.#eventTimeNow();
    return describeCustomer(state, now, this.settings, this.valuation(), this.#segments.namesOf(state.segments), this.#scores(state, now));
  }

  #scores(state: CustomerState, now: number): CustomerScores | null {
    const models = this.#models;
    if (models === null) return null;
    return {
      churnRisk: models.churnRisk(state, now),
      response: Object.fromEntries(this.#decisions.actions.map((action) => [action.id, models.responsePropensity(state, now, action.id)])),
      purchase: Object.fromEntries(models.categories.map((category) => [category, models.purchasePropensity(state, now, category)])),
    };
  }

  /** Each online model's live quality (rolling AUC, log loss, calibration, evidence); empty with the models off. */
  modelReports(): ModelReport[] {
    return this.#models?.reports() ?? [];
  }

  /** Decisions and purchase windows awaiting their label now, and those not watched because of `models.maxLabelWatches`. */
  get labelWatches(): { open: number; skipped: number } {
    return { open: this.#models?.watches ?? 0, skipped: this.#models?.watchesSkipped ?? 0 };
  }

  /** Each segment's members now (kept by counting), with its entries and exits so far. */
  segmentSizes(): SegmentSize[] {
    const tracker = this.#segments;
    return tracker.segments.map((segment, index) => ({
      segment: segment.id,
      title: segment.title,
      size: tracker.sizes[index]!,
      entered: tracker.entered[index]!,
      exited: tracker.exited[index]!,
    }));
  }

  /**
   * Up to `limit` members of a segment among the customers in memory, for queries: a
   * scan of the live customers, then of at most SAMPLE_PACKED_READS packed ones (each
   * decoded to be read), that stops once it has `limit`.
   */
  segmentMembers(segmentId: string, limit: number): string[] {
    const segment = this.#segments.segments.find((candidate) => candidate.id === segmentId);
    if (segment === undefined) throw new RangeError(`unknown segment ${JSON.stringify(segmentId)}`);
    const members: string[] = [];
    const take = (state: CustomerState) => {
      if ((state.segments & segment.mask) !== 0) members.push(state.customerId);
      return members.length >= limit;
    };
    if (limit <= 0) return members;
    for (const state of this.#customers.liveStates()) if (take(state)) return members;
    let reads = 0;
    for (const state of this.#customers.packedStates()) if (take(state) || ++reads >= SAMPLE_PACKED_READS) return members;
    return members;
  }

  /** A customer's segments now; undefined if the engine holds no state for it in memory (see `needsLoad`). */
  segmentsOf(customerId: string): string[] | undefined {
    const state = this.#customers.peek(customerId);
    return state === undefined ? undefined : this.#segments.namesOf(state.segments);
  }

  /**
   * How lifetime value is estimated now: the base's monthly retention from its attrition
   * over the last 30 days (or the longest window, if shorter, scaled to a month) and the
   * configured discount rate.
   */
  valuation(): Valuation {
    const days = Math.min(30, this.#business.maxWindowDays);
    const attrition = this.#business.attritionRate(days, this.#eventTimeNow()) ?? 0;
    return { monthlyRetention: (1 - attrition) ** (30 / days), monthlyDiscountRate: this.settings.monthlyDiscountRate };
  }

  /**
   * Starts a scan of the customers in memory, live and packed, for the named insights
   * (profit deciles and lifetime value; the behaviours that move with being a
   * detractor; probability-alive, null without a configured model). For queries only:
   * step it in slices to keep each turn of the event loop short.
   */
  scanInsights(names: readonly InsightName[]): InsightsScan {
    const now = this.#eventTimeNow();
    const model = this.settings.aliveModel;
    const scanFor = (name: InsightName): InsightScan<Insights[InsightName]> | null => {
      if (name === "profitability") return new ProfitabilityScan(now, this.valuation());
      if (name === "detractorDrivers") return new DetractorDriversScan(now);
      return model === null ? null : new AliveScan(now, model);
    };
    const scans = new Map(names.map((name) => [name, scanFor(name)] as const));
    return new InsightsScan([...this.#customers.inMemoryCustomerIds()], (customerId) => this.#customers.peek(customerId), scans);
  }

  /** Profit deciles and lifetime value over the customers in memory, in one scan. */
  profitability(): ProfitabilityInsight {
    return this.scanInsights(["profitability"]).step()!.profitability!;
  }

  /** Probability-alive over the purchasers in memory, in one scan; null without a configured model. */
  probabilityAlive(): AliveInsight | null {
    return this.scanInsights(["probabilityAlive"]).step()!.probabilityAlive ?? null;
  }

  /** The behaviours that move with being a detractor, over the customers in memory, in one scan. */
  detractorDrivers(): DetractorDriversInsight {
    return this.scanInsights(["detractorDrivers"]).step()!.detractorDrivers!;
  }

  /**
   * Works on the segment profiles: scans up to `budget` customers of a refresh (starting
   * one if none is under way) and returns true when this call finished it, after which
   * `segmentProfiles()` and the lookalike scores use the new profiles. The customers to
   * scan are those in memory when the refresh began, each read as it is when its turn
   * comes; one spilled since is skipped. Call it with a small budget, again and again,
   * to keep each turn of the event loop short.
   */
  refreshSegmentProfiles(budget = Number.POSITIVE_INFINITY): boolean {
    if (this.#profileScan === null) {
      const profiler = new SegmentProfiler(this.#profileAttributes, this.#segments.segments, this.#eventTimeNow());
      this.#profileScan = { profiler, customerIds: [...this.#customers.inMemoryCustomerIds()], next: 0 };
    }
    const scan = this.#profileScan;
    try {
      const end = Math.min(scan.customerIds.length, scan.next + budget);
      for (let i = scan.next; i < end; i++) {
        const state = this.#customers.peek(scan.customerIds[i]!);
        if (state !== undefined) scan.profiler.add(state);
      }
      scan.next = end;
      if (end < scan.customerIds.length) return false;
      this.#profileScan = null;
      this.#profiles = scan.profiler.finish(this.#clock.now());
      this.#lookalike.install(this.#profiles);
      return true;
    } catch (error) {
      // A failed refresh is dropped (the previous profiles stay); the next call starts afresh.
      this.#profileScan = null;
      throw error;
    }
  }

  /** Whether a refresh of the segment profiles is under way (see `refreshSegmentProfiles`). */
  get segmentProfilesRefreshing(): boolean {
    return this.#profileScan !== null;
  }

  /** The latest segment profiles; if there are none yet, computed now in one scan of the customers in memory. */
  segmentProfiles(): SegmentProfiles {
    if (this.#profiles === null) this.refreshSegmentProfiles();
    return this.#profiles!;
  }

  /**
   * A customer's lookalike score for every segment, by id, from the latest profiles (the
   * segment's share of the base before any); undefined if the engine holds no state for
   * it in memory (see `needsLoad`).
   */
  lookalikeOf(customerId: string): Record<string, number> | undefined {
    const state = this.#customers.peek(customerId);
    if (state === undefined) return undefined;
    const now = this.#eventTimeNow();
    return Object.fromEntries(this.#segments.segments.map((segment, index) => [segment.id, this.#lookalike.score(index, state, now)]));
  }

  /**
   * The business metrics over the `windowDays` days up to the event-time watermark;
   * throws a RangeError beyond the longest configured window.
   */
  businessReport(windowDays: number): BusinessReport {
    return this.#business.report(windowDays, this.#eventTimeNow());
  }

  /**
   * Answers a `cx.query.cube` body (decoded, not yet checked) from the live cube's cells,
   * or says what is wrong with it; see engine/cube/LiveCube.ts and docs/cube.md.
   */
  queryCube(query: unknown): CubeAnswer | Rejection {
    return this.#cube.query(query, this.#watermark);
  }

  /** The raw state, for tests and tools in the same process; never mutate it. */
  customerState(customerId: string): CustomerState | undefined {
    return this.#customers.peek(customerId);
  }

  /** Runs the `enters` triggers of each segment in `entered` (a mask), the change's id prefixing their decisions' ids. */
  #runEntryTriggers(state: CustomerState, entered: number, event: InteractionEvent | null, now: number, causeKey: string, stale: boolean): void {
    const onEntry = this.#decisions.triggersOnEntry;
    for (let index = 0; index < onEntry.length; index++) {
      const triggers = onEntry[index]!;
      if (triggers.length === 0 || (entered & (1 << index)) === 0) continue;
      // No event in the rule context: an entry trigger's rules cannot read one.
      const idPrefix = this.#segments.changeId(state.customerId, index, "enter", causeKey);
      this.#runTriggers(triggers, state, { event: null, now, ts: now, idPrefix, stale, causedBy: event?.id });
    }
  }

  /** Runs the triggers of a moment: an event, or a segment entry (by an event or by time). */
  #runTriggers(triggers: readonly CompiledTrigger[], state: CustomerState, moment: TriggerMoment): void {
    const { event, ts, stale } = moment;
    const ctx = this.#ctx;
    ctx.customer = state;
    ctx.event = event;
    ctx.context = null;
    ctx.now = moment.now;
    ctx.known = true;
    for (const trigger of triggers) {
      if (trigger.when !== null && !trigger.when.evaluate(ctx)) continue;
      if (stale) {
        this.stats.countSuppressed(trigger.id, SUPPRESSED_STALE);
        continue;
      }
      let choice: Reason | undefined;
      // Entry triggers cannot use the event's channel (compileDecisionConfig).
      let channelIndex = trigger.channelIndex === EVENT_CHANNEL ? event!.channelIndex : trigger.channelIndex;
      if (channelIndex === BEST_CHANNEL) {
        const chosen = this.#arbitration.chooseChannel(trigger.action, state, ts);
        if (chosen === undefined) {
          this.stats.countSuppressed(trigger.id, SUPPRESSED_CHANNEL);
          continue;
        }
        channelIndex = chosen.channelIndex;
        choice = chosen.reason;
      } else if (this.#channels.unavailable(channelIndex, trigger.action.kind, state, ts) !== null) {
        this.stats.countSuppressed(trigger.id, SUPPRESSED_CHANNEL);
        continue;
      }
      ctx.channel = CHANNELS[channelIndex]!;
      const blocker = this.#arbitration.blocker(trigger.action, channelIndex);
      if (blocker !== null) {
        this.stats.countSuppressed(trigger.id, SUPPRESSED_BY[blocker.code] ?? SUPPRESSED_INELIGIBLE);
        continue;
      }
      // An action without a usable value cannot be offered: counted as ineligible.
      const value = actionValue(trigger.action, ctx);
      if (Number.isNaN(value)) {
        this.stats.countSuppressed(trigger.id, SUPPRESSED_INELIGIBLE);
        continue;
      }
      const campaign = this.#decisions.campaignOf.get(trigger.action.id);
      const arm = campaign === undefined ? -1 : this.#arbitration.campaignArm(campaign, state.customerId);
      if (typeof arm !== "number") {
        this.stats.countSuppressed(trigger.id, SUPPRESSED_CAMPAIGN);
        continue;
      }
      if (campaign !== undefined && arm === CONTROL_INDEX) {
        // Held back, and tracked as the control's contact under the decision id it would have had.
        this.#expose(state, campaign.id, arm, `${moment.idPrefix}:${trigger.id}`, ts);
        this.stats.countSuppressed(trigger.id, SUPPRESSED_CONTROL);
        continue;
      }
      this.#emitTriggered(trigger, state, moment, channelIndex, value, campaign, arm, choice);
    }
  }

  #emitTriggered(
    trigger: CompiledTrigger,
    state: CustomerState,
    moment: TriggerMoment,
    channelIndex: number,
    value: number,
    campaign: CompiledCampaign | undefined,
    arm: number,
    choice: Reason | undefined,
  ): void {
    const channel = CHANNELS[channelIndex]!;
    const decidedAt = this.#clock.now();
    const { event, ts } = moment;
    const decisionId = `${moment.idPrefix}:${trigger.id}`;
    const decision: Decision = {
      decisionId,
      customerId: state.customerId,
      channel,
      source: "trigger",
      triggerId: trigger.id,
      ...(event !== null ? { eventId: event.id } : moment.causedBy !== undefined ? { eventId: moment.causedBy } : {}),
      ts,
      actions: [
        rankedAction(
          trigger.action,
          channelIndex,
          value,
          this.#models?.responsePropensity(state, ts, trigger.action.id) ?? 1,
          choice === undefined ? trigger.reasons : [...trigger.reasons, choice],
          campaign,
          arm,
        ),
      ],
      probability: 1,
      knownCustomer: true,
      configVersion: this.#decisions.version,
      timings: { decidedAt, eventAgeMs: decidedAt - ts },
    };
    state.contacts.record(decisionId, trigger.action.id, channelIndex, ts, false);
    this.#channels.take(channelIndex, ts);
    if (campaign !== undefined) this.#expose(state, campaign.id, arm, decisionId, ts);
    this.#models?.decided(state, decisionId, trigger.action.id, ts, trigger.action.responseWindowMs);
    this.stats.countDecision(trigger.action.id, channelIndex, false);
    this.#output.decision(decision);
  }

  /**
   * An offer accepted on one channel is taken down everywhere else: each unanswered
   * decision for it on another channel, from within `withdrawWithin`, gets a withdrawal
   * on that channel and leaves the outstanding offers.
   */
  #withdrawElsewhere(state: CustomerState, event: InteractionEvent): void {
    const within = this.#decisions.contactPolicy.settings.withdrawWithinMs;
    if (within === 0) return;
    const decidedAt = this.#clock.now();
    for (const contact of state.contacts.toArray()) {
      if (contact.actionId !== event.offerId || contact.outcome !== ContactOutcome.pending) continue;
      if (contact.channelIndex === event.channelIndex || event.ts - contact.ts >= within) continue;
      state.contacts.settle(contact.decisionId, contact.actionId, ContactOutcome.withdrawn);
      this.#output.decision({
        decisionId: `${event.id}:withdraw:${contact.decisionId}`,
        customerId: state.customerId,
        channel: CHANNELS[contact.channelIndex]!,
        source: "withdrawal",
        eventId: event.id,
        ts: event.ts,
        actions: [],
        withdrawn: { actionId: contact.actionId, decisionId: contact.decisionId, acceptedOn: event.channel as Channel },
        knownCustomer: true,
        configVersion: this.#decisions.version,
        timings: { decidedAt, eventAgeMs: decidedAt - event.ts },
      });
    }
  }

  #eventTimeNow(): number {
    return this.#watermark > 0 ? this.#watermark : this.#clock.now();
  }

  #reject(rejection: Rejection, bytes: Uint8Array, subject: string, seq: number): IngestResult {
    this.#handled(seq);
    this.stats.countRejected(rejection.code);
    this.#output.rejected({ code: rejection.code, message: rejection.message, bytes, subject, seq });
    return IngestResult.Rejected;
  }
}

/** `subject === prefix + channel + "." + customerId`, checked without building the string. */
function subjectMatches(subject: string, prefix: string, channel: string, customerId: string): boolean {
  return (
    subject.length === prefix.length + channel.length + 1 + customerId.length &&
    subject.startsWith(prefix) &&
    subject.startsWith(channel, prefix.length) &&
    subject.charCodeAt(prefix.length + channel.length) === 46 &&
    subject.endsWith(customerId)
  );
}

/** Where each part of a customer's state sits, for these settings: what checkpoints are written and read with. */
export function stateLayoutFor(settings: EngineSettings): StateLayout {
  return new StateLayout({
    allowedLatenessMs: settings.allowedLatenessMs,
    recentInteractions: settings.recentInteractions,
    contactHistory: settings.contactHistory,
    maxProducts: settings.maxProductsPerCustomer,
    lifecycle: settings.lifecycle,
  });
}
