import { headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  CUSTOMER_ID_PATTERN,
  decodePayload,
  encodeOutbound,
  InputErrorCodes,
  isJsonPayload,
  Rejection,
  ServiceErrorCodes,
  CxError,
  BREAKDOWNS,
  INSIGHT_NAMES,
  type InsightName,
  type Insights,
  BASE_PROFILE,
  withBreakdowns,
  type Breakdown,
  type BusinessReportPart,
  type Engine,
  type ErrorCode,
} from "../../engine/index.js";
import type { Logger } from "../log/createLogger.js";
import type { CustomerLoader } from "./CustomerLoader.js";
import { SERVICE_QUEUE, Subjects } from "./subjects.js";

/** Body of `cx.query.profile`. */
export const ProfileQuerySchema = Type.Object(
  { customerId: Type.String({ pattern: CUSTOMER_ID_PATTERN }) },
  { additionalProperties: false },
);
const profileQuery = TypeCompiler.Compile(ProfileQuerySchema);

/**
 * Body of `cx.query.metrics`: a window in whole days ("45d"; absent, every configured
 * window) and the breakdowns wanted (one name or a list; absent, all of them).
 */
export const MetricsQuerySchema = Type.Object(
  {
    window: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,3}d$" })),
    breakdown: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: BREAKDOWNS.length })])),
  },
  { additionalProperties: false },
);
const metricsQuery = TypeCompiler.Compile(MetricsQuerySchema);

/**
 * Customers an insights query reads per turn of the event loop: a packed customer takes
 * about 15 µs to decode, so a slice blocks events and other requests for up to ~15 ms.
 */
const INSIGHTS_SLICE = 1_000;

/** Body of `cx.query.insights`: one insight by name; absent, all of them. */
export const InsightsQuerySchema = Type.Object({ insight: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false });
const insightsQuery = TypeCompiler.Compile(InsightsQuerySchema);

const SAMPLE_LIMIT = 1_000;

/**
 * Body of `cx.query.segments`: {} for every segment's size; `segment` for one, with up
 * to `sample` of its members (default 10); `customerId` for one customer's segments.
 */
export const SegmentsQuerySchema = Type.Object(
  {
    segment: Type.Optional(Type.String({ maxLength: 64 })),
    sample: Type.Optional(Type.Integer({ minimum: 0, maximum: SAMPLE_LIMIT })),
    customerId: Type.Optional(Type.String({ pattern: CUSTOMER_ID_PATTERN })),
  },
  { additionalProperties: false },
);
const segmentsQuery = TypeCompiler.Compile(SegmentsQuerySchema);

/**
 * Body of `cx.query.segment-profiles`: {} for every segment's profile and the base's;
 * `profile` for one ("base": the whole base); `compare` for two side by side.
 */
export const SegmentProfilesQuerySchema = Type.Object(
  {
    profile: Type.Optional(Type.String({ maxLength: 64 })),
    compare: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 2, maxItems: 2 })),
  },
  { additionalProperties: false },
);
const segmentProfilesQuery = TypeCompiler.Compile(SegmentProfilesQuerySchema);

/** Body of `cx.query.campaigns`: {} for every campaign, or one by id. */
export const CampaignsQuerySchema = Type.Object({ campaign: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
const campaignsQuery = TypeCompiler.Compile(CampaignsQuerySchema);

/** What `cx.query.metrics` and `cx.metrics.business` carry: reports by window, as of the watermark. */
export function businessMetricsReply(
  engine: Engine,
  windowDays: readonly number[],
  breakdowns: readonly Breakdown[] = BREAKDOWNS,
): { watermark: number; windows: Record<string, BusinessReportPart> } {
  return {
    watermark: engine.watermark,
    windows: Object.fromEntries(windowDays.map((days) => [`${days}d`, withBreakdowns(engine.businessReport(days), breakdowns)])),
  };
}

export interface ServiceObserver {
  /** One decide request answered, with its handling time in seconds. */
  decided(seconds: number, ok: boolean): void;
}

const textEncoder = new TextEncoder();

/** Reloads the configuration, or throws a ConfigError saying why it cannot. */
export type Reload = () => { version: string };

/**
 * The request/reply services: `cx.decide.<channel>`, `cx.query.profile`,
 * `cx.query.metrics`, `cx.query.insights`, `cx.query.segments` and `cx.admin.reload`. Each request gets a reply: the answer, or an error naming what
 * was wrong (never a timeout). Replies use the request's encoding: JSON for JSON,
 * MessagePack otherwise. A customer spilled to the checkpoint store is loaded first.
 */
export class RequestServices {
  readonly #nc: NatsConnection;
  readonly #engine: Engine;
  readonly #loader: CustomerLoader;
  readonly #observer: ServiceObserver;
  readonly #reload: Reload;
  readonly #log: Logger;
  readonly #subscriptions: Subscription[] = [];

  constructor(options: {
    nc: NatsConnection;
    engine: Engine;
    loader: CustomerLoader;
    observer: ServiceObserver;
    reload: Reload;
    log: Logger;
  }) {
    this.#nc = options.nc;
    this.#engine = options.engine;
    this.#loader = options.loader;
    this.#observer = options.observer;
    this.#reload = options.reload;
    this.#log = options.log;
  }

  start(): void {
    // An exception thrown from a subscription callback ends the client's reading of the
    // connection altogether (every later request would time out): none may escape.
    const guarded = (handle: (msg: Msg) => void) => (_error: Error | null, msg: Msg) => {
      try {
        handle(msg);
      } catch (error) {
        this.#internalError(msg, error);
      }
    };
    const serve = (subject: string, handle: (msg: Msg) => void) =>
      this.#nc.subscribe(subject, { queue: SERVICE_QUEUE, callback: guarded(handle) });
    this.#subscriptions.push(
      serve(Subjects.decideAll, (msg) => this.#decide(msg)),
      serve(Subjects.queryProfile, (msg) => this.#profile(msg)),
      serve(Subjects.queryMetrics, (msg) => this.#metrics(msg)),
      serve(Subjects.queryInsights, (msg) => this.#insights(msg)),
      serve(Subjects.querySegments, (msg) => this.#segments(msg)),
      serve(Subjects.queryCampaigns, (msg) => this.#campaigns(msg)),
      serve(Subjects.queryCube, (msg) => this.#cube(msg)),
      serve(Subjects.querySegmentProfiles, (msg) => this.#segmentProfiles(msg)),
      // Not in the queue group: every engine instance reloads.
      this.#nc.subscribe(Subjects.adminReload, { callback: guarded((msg) => this.#reloadConfig(msg)) }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.#subscriptions.splice(0).map((subscription) => subscription.drain()));
  }

  #decide(msg: Msg): void {
    const started = performance.now();
    const channel = msg.subject.slice(Subjects.decidePrefix.length);
    const parsed = this.#engine.parseDecideRequest(channel, msg.data);
    if (parsed instanceof Rejection) {
      replyError(msg, parsed.code, parsed.message);
      this.#observer.decided((performance.now() - started) / 1000, false);
      return;
    }
    const answer = () => {
      reply(msg, this.#engine.decideFor(parsed.request, parsed.channel));
      this.#observer.decided((performance.now() - started) / 1000, true);
    };
    this.#whenLoaded(msg, parsed.request.customerId, answer);
  }

  #profile(msg: Msg): void {
    const query = decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    if (!profileQuery.Check(query)) {
      const code = typeof query.customerId === "string" ? InputErrorCodes.UnsafeCustomerId : InputErrorCodes.MissingField;
      return replyError(msg, code, 'a profile query is {"customerId": "<token-safe id>"}');
    }
    const customerId = query.customerId;
    this.#whenLoaded(msg, customerId, () => reply(msg, { customerId, profile: this.#engine.profile(customerId) ?? null }));
  }

  #metrics(msg: Msg): void {
    // An empty body asks for every configured window.
    const query = msg.data.length === 0 ? {} : decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    const longest = Math.max(...this.#engine.settings.businessWindowDays);
    const usage = `a metrics query is {} or {"window": "<days>d", "breakdown": [...]}, 1d to ${longest}d, breakdowns ${BREAKDOWNS.join(", ")}`;
    if (!metricsQuery.Check(query)) return replyError(msg, InputErrorCodes.InvalidValue, usage);
    const days = query.window === undefined ? this.#engine.settings.businessWindowDays : [Number(query.window.slice(0, -1))];
    if (days[0]! > longest) return replyError(msg, InputErrorCodes.InvalidValue, `window ${query.window} is longer than the longest kept; ${usage}`);
    const asked = query.breakdown === undefined ? BREAKDOWNS : [query.breakdown].flat();
    const unknown = asked.find((name) => !(BREAKDOWNS as readonly string[]).includes(name));
    if (unknown !== undefined) return replyError(msg, InputErrorCodes.InvalidValue, `unknown breakdown ${JSON.stringify(unknown)}; ${usage}`);
    reply(msg, businessMetricsReply(this.#engine, days, asked as Breakdown[]));
  }

  #insights(msg: Msg): void {
    const query = msg.data.length === 0 ? {} : decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    const usage = `an insights query is {} (all) or {"insight": "<name>"}, one of ${INSIGHT_NAMES.join(", ")}`;
    if (!insightsQuery.Check(query)) return replyError(msg, InputErrorCodes.InvalidValue, usage);
    if (query.insight !== undefined && !(INSIGHT_NAMES as readonly string[]).includes(query.insight)) {
      return replyError(msg, InputErrorCodes.InvalidValue, `unknown insight ${JSON.stringify(query.insight)}; ${usage}`);
    }
    const engine = this.#engine;
    if (query.insight === "probabilityAlive" && engine.settings.aliveModel === null) {
      return replyError(msg, InputErrorCodes.InvalidValue, "no probability-alive model: set metrics.probabilityAlive, e.g. from `cxpulse fit-bgnbd`");
    }
    const started = performance.now();
    // Asked for everything without a model, probabilityAlive is null: there is none.
    const scan = engine.scanInsights(query.insight === undefined ? INSIGHT_NAMES : [query.insight as InsightName]);
    const step = () => {
      let insights: Insights | null;
      try {
        insights = scan.step(INSIGHTS_SLICE);
      } catch (error) {
        return this.#internalError(msg, error);
      }
      if (insights === null) return void setImmediate(step);
      reply(msg, {
        watermark: engine.watermark,
        // The analyses read the customers in memory; spilled ones are in the checkpoint store only.
        customersInMemory: engine.customersInMemory,
        customersSpilled: engine.customersSpilled,
        computedMs: performance.now() - started,
        ...insights,
      });
    };
    step();
  }

  #segments(msg: Msg): void {
    const query = msg.data.length === 0 ? {} : decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    const engine = this.#engine;
    const sizes = engine.segmentSizes();
    const usage = `a segments query is {} (all sizes), {"segment": "<id>", "sample": 0-${SAMPLE_LIMIT}} or {"customerId": "<id>"}; segments: ${sizes.map((s) => s.segment).join(", ") || "none configured"}`;
    if (!segmentsQuery.Check(query) || (query.customerId !== undefined && (query.segment !== undefined || query.sample !== undefined))) {
      return replyError(msg, InputErrorCodes.InvalidValue, usage);
    }
    if (query.customerId !== undefined) {
      const customerId = query.customerId;
      return this.#whenLoaded(msg, customerId, () =>
        reply(msg, { customerId, segments: engine.segmentsOf(customerId) ?? null, lookalike: engine.lookalikeOf(customerId) ?? null }),
      );
    }
    if (query.segment === undefined) {
      if (query.sample !== undefined) return replyError(msg, InputErrorCodes.InvalidValue, `"sample" needs a "segment"; ${usage}`);
      return reply(msg, { watermark: engine.watermark, segments: sizes });
    }
    const size = sizes.find((candidate) => candidate.segment === query.segment);
    if (size === undefined) return replyError(msg, InputErrorCodes.InvalidValue, `unknown segment ${JSON.stringify(query.segment)}; ${usage}`);
    reply(msg, {
      watermark: engine.watermark,
      ...size,
      // Members are sampled from the customers in memory; spilled ones are in the checkpoint store only.
      sample: engine.segmentMembers(size.segment, query.sample ?? 10),
    });
  }

  /** `cx.query.cube`: the engine checks the body (naming what is wrong) and sums the cube's cells. */
  #cube(msg: Msg): void {
    const query = msg.data.length === 0 ? {} : decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    const started = performance.now();
    const answer = this.#engine.queryCube(query);
    if (answer instanceof Rejection) return replyError(msg, answer.code, answer.message);
    reply(msg, { ...answer, tookMs: performance.now() - started });
  }

  #segmentProfiles(msg: Msg): void {
    const query = msg.data.length === 0 ? {} : decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    const engine = this.#engine;
    const ids = [...engine.segmentSizes().map((size) => size.segment), BASE_PROFILE];
    const usage = `a segment-profiles query is {} (all), {"profile": "<id>"} or {"compare": ["<id>", "<id>"]}; ids: ${ids.join(", ")}`;
    if (!segmentProfilesQuery.Check(query) || (query.profile !== undefined && query.compare !== undefined)) {
      return replyError(msg, InputErrorCodes.InvalidValue, usage);
    }
    const unknown = [query.profile, ...(query.compare ?? [])].find((id) => id !== undefined && !ids.includes(id));
    if (unknown !== undefined) return replyError(msg, InputErrorCodes.InvalidValue, `unknown segment ${JSON.stringify(unknown)}; ${usage}`);
    const started = performance.now();
    // The latest refresh; the first query before any computes them (a scan of the customers in memory).
    const profiles = engine.segmentProfiles();
    const answer =
      query.compare !== undefined
        ? { comparison: profiles.compare(query.compare[0]!, query.compare[1]!) }
        : query.profile !== undefined
          ? { profile: profiles.profile(query.profile) }
          : { profiles: profiles.ids.map((id) => profiles.profile(id)) };
    reply(msg, {
      watermark: engine.watermark,
      ...profiles.stamp,
      // Profiles cover the customers in memory; spilled ones are in the checkpoint store only.
      customersSpilled: engine.customersSpilled,
      computedMs: performance.now() - started,
      ...answer,
    });
  }

  #campaigns(msg: Msg): void {
    const query = msg.data.length === 0 ? {} : decodePayload(msg.data, this.#engine.settings.maxPayloadBytes);
    if (query instanceof Rejection) return replyError(msg, query.code, query.message);
    const reports = this.#engine.campaignReports();
    const usage = `a campaigns query is {} (all) or {"campaign": "<id>"}; campaigns: ${reports.map((r) => r.campaign).join(", ") || "none configured"}`;
    if (!campaignsQuery.Check(query)) return replyError(msg, InputErrorCodes.InvalidValue, usage);
    const wanted = query.campaign === undefined ? reports : reports.filter((report) => report.campaign === query.campaign);
    if (wanted.length === 0) return replyError(msg, InputErrorCodes.InvalidValue, `unknown campaign ${JSON.stringify(query.campaign)}; ${usage}`);
    reply(msg, { watermark: this.#engine.watermark, campaigns: wanted });
  }

  #reloadConfig(msg: Msg): void {
    try {
      reply(msg, { reloaded: true, version: this.#reload().version });
    } catch (error) {
      const code = error instanceof CxError ? error.code : ServiceErrorCodes.InternalError;
      replyError(msg, code, (error as Error).message);
    }
  }

  /** Runs `answer` now, or once the customer is back from the checkpoint store. */
  #whenLoaded(msg: Msg, customerId: string, answer: () => void): void {
    const run = () => {
      try {
        answer();
      } catch (error) {
        this.#internalError(msg, error);
      }
    };
    if (!this.#engine.needsLoad(customerId)) return run();
    this.#loader.ensureLoaded(customerId).then(run, (error: unknown) => this.#internalError(msg, error));
  }

  #internalError(msg: Msg, error: unknown): void {
    this.#log.error({ err: error, subject: msg.subject }, "request handler failed");
    try {
      replyError(msg, ServiceErrorCodes.InternalError, "the engine failed to handle this request; see its log");
    } catch (replyFailure) {
      this.#log.error({ err: replyFailure, subject: msg.subject }, "could not send the error reply");
    }
  }
}

function encodeLike(request: Msg, value: unknown): Uint8Array {
  return isJsonPayload(request.data) ? textEncoder.encode(JSON.stringify(value)) : encodeOutbound(value);
}

function reply(msg: Msg, value: unknown): void {
  msg.respond(encodeLike(msg, value));
}

/** Error replies carry the code in the body and in the NATS service-error headers. */
function replyError(msg: Msg, code: ErrorCode, message: string): void {
  const h = headers();
  h.set("Nats-Service-Error-Code", code === ServiceErrorCodes.InternalError ? "500" : "400");
  // A header value is one line: multi-line messages (a rule error's caret display) are folded.
  h.set("Nats-Service-Error", `${code}: ${message}`.replace(/\s*[\r\n]+\s*/g, " "));
  msg.respond(encodeLike(msg, { error: { code, message } }), { headers: h });
}
