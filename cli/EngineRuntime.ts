import type { NatsConnection } from "@nats-io/transport-node";
import { loadConfig, type CxConfig } from "../config/loadConfig.js";
import { EngineMetrics } from "../connectors/http/EngineMetrics.js";
import { HttpServer } from "../connectors/http/HttpServer.js";
import type { Logger } from "../connectors/log/createLogger.js";
import { RateLimitedLog } from "../connectors/log/RateLimitedLog.js";
import { AckedPublisher } from "../connectors/nats/AckedPublisher.js";
import { Checkpointer, type CheckpointResult } from "../connectors/nats/Checkpointer.js";
import { CheckpointStore } from "../connectors/nats/CheckpointStore.js";
import { connectNats } from "../connectors/nats/connectNats.js";
import { CustomerLoader } from "../connectors/nats/CustomerLoader.js";
import { ensureStream } from "../connectors/nats/ensureStream.js";
import { EventConsumer } from "../connectors/nats/EventConsumer.js";
import { NatsEngineOutput } from "../connectors/nats/NatsEngineOutput.js";
import { recoverEngine, type Recovery } from "../connectors/nats/recoverEngine.js";
import { businessMetricsReply, RequestServices } from "../connectors/nats/RequestServices.js";
import { Subjects } from "../connectors/nats/subjects.js";
import { compileDecisionConfig, encodeOutbound, Engine, IngestResult, systemClock, type Clock } from "../engine/index.js";

export interface EngineRuntimeOptions {
  readonly config: CxConfig;
  /** Server URL(s) to use; already resolved (configured, or the local server). */
  readonly servers: string;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Overrides the configured HTTP port (0 picks a free one). */
  readonly httpPort?: number;
}

type Phase = "starting" | "recovering" | "running" | "draining" | "stopped";

/** The connectors a runtime owns and stops. */
interface RuntimeParts {
  readonly http: HttpServer;
  readonly services: RequestServices;
  readonly consumer: EventConsumer;
  readonly checkpointer: Checkpointer;
  readonly loader: CustomerLoader;
  readonly publishers: readonly AckedPublisher[];
}

/**
 * Messages held behind a customer being loaded before the consumer stops pulling:
 * memory stays bounded when loads fall behind; consumption resumes after the last
 * message taken once the held messages are handled.
 */
/** Customer timers fired after each batch at most (about 10 µs each). */
const TIMERS_PER_BATCH = 2_000;
const HELD_MESSAGES_HIGH_WATER = 20_000;

/** How long a graceful stop waits for the final checkpoint before giving up on it. */
const FINAL_CHECKPOINT_TIMEOUT_MS = 15_000;

/**
 * The engine running against NATS: the composition of connectors around the pure
 * engine. Start: connect, make sure the streams and checkpoint buckets exist, serve
 * health and metrics, recover the last checkpoint, then serve requests and consume
 * from the sequence after the checkpoint. Stop, in reverse: stop consuming, finish
 * what is held, write a final checkpoint (which waits for every publication), close.
 */
export class EngineRuntime {
  readonly engine: Engine;
  readonly metrics: EngineMetrics;
  /** Connection of the request services and of clients in the same process (demo). */
  readonly nc: NatsConnection;
  readonly httpPort: number;
  readonly #parts: RuntimeParts;
  readonly #connections: readonly NatsConnection[];
  readonly #config: CxConfig;
  readonly #log: Logger;
  #phase: Phase = "starting";
  #connected = true;
  #metricsSnapshots: NodeJS.Timeout | undefined;
  #profileRefreshes: NodeJS.Timeout | undefined;
  recovery: Recovery | undefined;

  private constructor(
    engine: Engine,
    metrics: EngineMetrics,
    nc: NatsConnection,
    httpPort: number,
    parts: RuntimeParts,
    connections: readonly NatsConnection[],
    config: CxConfig,
    log: Logger,
  ) {
    this.#connections = connections;
    this.engine = engine;
    this.metrics = metrics;
    this.nc = nc;
    this.httpPort = httpPort;
    this.#parts = parts;
    this.#config = config;
    this.#log = log;
  }

  static async start(options: EngineRuntimeOptions): Promise<EngineRuntime> {
    const { config, log } = options;
    const decisions = compileDecisionConfig(config.decisions, config.locate);
    // Three connections: the event firehose must not delay request/reply traffic or the
    // acknowledgements that publishers and checkpoints wait for, which would queue
    // behind it in one TCP stream.
    const connect = (role: string) => connectNats({ ...config.nats, name: `${config.nats.name}-${role}`, servers: options.servers });
    const connections: NatsConnection[] = [];
    try {
      const events = await connect("events");
      connections.push(events);
      const nc = await connect("requests");
      connections.push(nc);
      const storage = await connect("storage");
      connections.push(storage);
      await ensureStream(storage, config.nats.stream, [Subjects.eventsAll]);
      await ensureStream(storage, config.nats.decisionStream, [Subjects.decisionsAll, Subjects.decisionLogAll, Subjects.segmentsAll]);
      await ensureStream(storage, config.nats.dlqStream, [Subjects.dlqAll]);
      const store = await CheckpointStore.open(storage, { ...config.checkpoint, replicas: config.nats.stream.replicas });
      const warnings = new RateLimitedLog(log);
      const decisionPublisher = new AckedPublisher(storage, warnings);
      const deadLetters = new AckedPublisher(storage, warnings);
      const engine = new Engine({
        settings: config.engine,
        decisions,
        clock: options.clock ?? systemClock,
        output: new NatsEngineOutput({ decisions: decisionPublisher, deadLetters, warnings, eventStream: config.nats.stream.name }),
        eventSubjectPrefix: Subjects.eventsPrefix,
      });
      const metrics = new EngineMetrics(engine);
      const loader = new CustomerLoader(engine, store, warnings);
      const consumer = new EventConsumer(events, {
        stream: config.nats.stream.name,
        maxMessages: config.nats.consumer.maxMessages,
        handle: (data, subject, seq, message) => {
          // When the stream stored the message, only read if triggers depend on it.
          const storedAt = config.engine.triggerMaxAgeMs > 0 ? message.info.timestampNanos / 1e6 : Number.NaN;
          const result = engine.ingest(data, subject, seq, storedAt);
          if (result === IngestResult.NeedsLoad) {
            loader.drainAwaiting().then(
              () => consumer.resume(),
              (error: unknown) => log.error({ err: error }, "loading a spilled customer failed"),
            );
          }
          if (result === IngestResult.Queued && engine.heldMessages >= HELD_MESSAGES_HIGH_WATER) void consumer.pause();
        },
        listener: {
          batchEnd: (messages, durationMs, pending, lastSeq) => {
            // Timers the messages left for later (each message fires a bounded number).
            engine.fireDueTimers(TIMERS_PER_BATCH);
            metrics.batchDuration.observe(durationMs / 1000);
            metrics.batchSize.observe(messages);
            metrics.consumerLag.set(pending);
            metrics.lastAppliedSeq.set(lastSeq);
          },
          handlerFailed: (error, _subject, seq) => {
            metrics.handlerErrors.inc();
            log.error({ err: error, seq }, "engine failed on a message; skipped it");
          },
        },
      });
      const publishers = [decisionPublisher, deadLetters];
      const checkpointer = new Checkpointer({
        engine,
        store,
        decisions: decisionPublisher,
        publishers,
        intervalMs: config.checkpoint.intervalMs,
        log,
        observer: {
          committed: (result: CheckpointResult) => {
            metrics.checkpointDuration.observe(result.durationMs / 1000);
            metrics.checkpointPause.observe(result.longestPauseMs / 1000);
            metrics.checkpointBytes.inc(result.bytes);
            metrics.checkpointCustomers.inc(result.customers);
            metrics.checkpointSeq.set(result.seq);
            log.debug({ ...result }, "checkpoint committed");
          },
          failed: () => metrics.checkpointFailures.inc(),
        },
      });
      metrics.gauge("cx_publish_outstanding", "JetStream publishes (decisions, dead letters) awaiting their ack", () =>
        publishers.reduce((sum, publisher) => sum + publisher.outstanding, 0),
      );
      metrics.counter("cx_publish_retries_total", "JetStream publishes retried after a failure", () =>
        publishers.reduce((sum, publisher) => sum + publisher.retries, 0),
      );
      metrics.counter("cx_customer_loads_total", "Spilled customers read back from the checkpoint store", () => loader.loads);

      let runtime: EngineRuntime | undefined;
      const http = new HttpServer(metrics.registry, {
        live: () => true,
        readiness: () => runtime?.readiness() ?? { ready: false, reason: "starting" },
      });
      const services = new RequestServices({
        nc,
        engine,
        loader,
        observer: { decided: (seconds, ok) => metrics.decideDuration.observe({ result: ok ? "ok" : "error" }, seconds) },
        reload: () => runtime!.reload(),
        log,
      });
      const httpPort = await http.listen(config.http.host, options.httpPort ?? config.http.port);
      runtime = new EngineRuntime(
        engine,
        metrics,
        nc,
        httpPort,
        { http, services, consumer, checkpointer, loader, publishers },
        connections,
        config,
        log,
      );
      runtime.#watchConnections();

      runtime.#phase = "recovering";
      const recovery = await recoverEngine({ nc: storage, engine, store, loader, decisionStream: config.nats.decisionStream.name });
      runtime.recovery = recovery;
      log.info({ ...recovery }, recovery.epoch === 0 ? "no checkpoint yet: starting from the beginning of the stream" : "recovered");

      services.start();
      await consumer.start(recovery.startSeq);
      checkpointer.start();
      runtime.#publishMetricSnapshots();
      runtime.#refreshSegmentProfiles();
      runtime.#phase = "running";
      log.info(
        { stream: config.nats.stream.name, fromSeq: recovery.startSeq, configVersion: decisions.version, httpPort, servers: options.servers },
        "cxpulse engine running",
      );
      return runtime;
    } catch (error) {
      await Promise.all(connections.map((connection) => connection.close()));
      throw error;
    }
  }

  readiness(): { ready: true } | { ready: false; reason: string } {
    if (this.#phase !== "running") return { ready: false, reason: this.#phase };
    if (!this.#connected) return { ready: false, reason: "disconnected from NATS, reconnecting" };
    return { ready: true };
  }

  /** Writes a checkpoint now (tests and tools; the runtime also writes them on its own). */
  checkpoint(): Promise<CheckpointResult> {
    return this.#parts.checkpointer.checkpoint();
  }

  /**
   * Reloads the catalog and triggers from the configuration file. An invalid file
   * throws (ConfigError with file, line and key) and the running configuration stays.
   */
  reload(): { version: string } {
    const next = loadConfig(this.#config.file, process.env);
    this.engine.reconfigure(compileDecisionConfig(next.decisions, next.locate));
    this.#log.info({ configVersion: next.version }, "configuration reloaded");
    return { version: next.version };
  }

  /**
   * Graceful stop: no new messages, held ones finished, a final checkpoint (after every
   * publication is stored), connection drained.
   */
  async stop(): Promise<void> {
    if (this.#phase === "draining" || this.#phase === "stopped") return;
    this.#phase = "draining";
    clearInterval(this.#metricsSnapshots);
    clearInterval(this.#profileRefreshes);
    const { consumer, loader, services, checkpointer, http, publishers } = this.#parts;
    await consumer.stop();
    await loader.idle();
    await services.stop();
    await checkpointer.stop();
    if (!this.#connections.some((connection) => connection.isClosed())) {
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no final checkpoint within ${FINAL_CHECKPOINT_TIMEOUT_MS} ms`)), FINAL_CHECKPOINT_TIMEOUT_MS).unref(),
      );
      try {
        const final = await Promise.race([checkpointer.checkpoint(), timeout]);
        this.#log.info({ epoch: final.epoch, seq: final.seq, customers: final.customers }, "final checkpoint written");
      } catch (error) {
        this.#log.error({ error: (error as Error).message }, "final checkpoint not written; a restart recovers from the previous one");
      }
      for (const publisher of publishers) publisher.stop();
    }
    await Promise.all(this.#connections.map((connection) => connection.drain().catch(() => undefined)));
    await http.close();
    this.#phase = "stopped";
    this.#log.info({ lastSeq: this.engine.stats.lastSeq }, "cxpulse engine stopped");
  }

  /** Business metrics over every configured window on `cx.metrics.business`, for dashboards that listen. */
  #publishMetricSnapshots(): void {
    const { publishIntervalMs } = this.#config.metrics;
    if (publishIntervalMs === 0) return;
    const windows = this.#config.engine.businessWindowDays;
    this.#metricsSnapshots = setInterval(() => {
      try {
        this.nc.publish(Subjects.metricsBusiness, encodeOutbound(businessMetricsReply(this.engine, windows)));
      } catch (error) {
        // A closed connection: the next snapshot tries again; the engine goes on.
        this.#log.warn({ err: error }, "could not publish the business metrics snapshot");
      }
    }, publishIntervalMs);
  }

  /**
   * Segment profiles (and so lookalike scores) refreshed now and every
   * `segmentProfiles.refresh`, `segmentProfiles.batch` customers per turn of the event
   * loop so events and requests keep flowing during a scan of a large base.
   */
  #refreshSegmentProfiles(): void {
    const { refreshIntervalMs, batchCustomers } = this.#config.segmentProfiles;
    if (refreshIntervalMs === 0) return;
    const step = () => {
      if (this.#phase === "draining" || this.#phase === "stopped") return;
      try {
        if (!this.engine.refreshSegmentProfiles(batchCustomers)) setImmediate(step);
      } catch (error) {
        this.#log.error({ err: error }, "segment profile refresh failed; the previous profiles stay");
      }
    };
    const begin = () => {
      // Still scanning since the last tick (a very large base): let that one finish.
      if (!this.engine.segmentProfilesRefreshing) step();
    };
    begin();
    this.#profileRefreshes = setInterval(begin, refreshIntervalMs);
  }

  /** Ready means every connection is up; each one's disconnects and reconnects are logged. */
  #watchConnections(): void {
    const down = new Set<NatsConnection>();
    for (const connection of this.#connections) {
      void (async () => {
        for await (const status of connection.status()) {
          if (status.type === "disconnect") {
            down.add(connection);
            this.#log.warn({ connection: connection.info?.client_id, server: status.server }, "disconnected from NATS; reconnecting");
          } else if (status.type === "reconnect") {
            down.delete(connection);
            this.#log.info({ connection: connection.info?.client_id, server: status.server }, "reconnected to NATS");
          }
          this.#connected = down.size === 0;
        }
      })();
    }
  }
}
