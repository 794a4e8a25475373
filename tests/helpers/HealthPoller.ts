/** One look at the health endpoints: the HTTP status and body, or "down" if nothing answered. */
export interface HealthSample {
  readonly at: number;
  readonly readyz: number | "down";
  readonly readyzBody: string;
  readonly healthz: number | "down";
}

/**
 * How long a probe waits for an answer before the endpoint counts as down. Under the
 * fault tests' saturating traffic the engine's event loop (and the test process's) can
 * stall for about a second (the load benchmark reports the longest delay); a probe
 * timing out in such a stall would read as the process going away, which is what
 * "down" is for. The README advises the same 3 s for production probes.
 */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Polls `/readyz` and `/healthz` of an engine on a known port, as fast as they answer,
 * until stopped: what an orchestrator would have seen while the engine started,
 * recovered, drained or lost its connection.
 */
export class HealthPoller {
  readonly samples: HealthSample[] = [];
  readonly #port: number;
  #running = true;
  readonly #done: Promise<void>;
  readonly #listeners: ((sample: HealthSample) => void)[] = [];

  constructor(port: number, intervalMs = 2) {
    this.#port = port;
    this.#done = this.#run(intervalMs);
  }

  /** Called with each sample as it is taken. */
  onSample(listener: (sample: HealthSample) => void): void {
    this.#listeners.push(listener);
  }

  async stop(): Promise<HealthSample[]> {
    this.#running = false;
    await this.#done;
    return this.samples;
  }

  /** The readiness states seen, in order, with repeats collapsed: e.g. ["down", "503 recovering", "200"]. */
  readinessStates(): string[] {
    const states: string[] = [];
    for (const sample of this.samples) {
      const state = sample.readyz === "down" ? "down" : sample.readyz === 200 ? "200" : `${sample.readyz} ${sample.readyzBody.replace(/^not ready: /, "").trim()}`;
      if (states.at(-1) !== state) states.push(state);
    }
    return states;
  }

  async #run(intervalMs: number): Promise<void> {
    while (this.#running) {
      const [readyz, healthz] = await Promise.all([this.#get("/readyz"), this.#get("/healthz")]);
      const sample: HealthSample = { at: Date.now(), readyz: readyz.status, readyzBody: readyz.body, healthz: healthz.status };
      this.samples.push(sample);
      for (const listener of this.#listeners) listener(sample);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  async #get(path: string): Promise<{ status: number | "down"; body: string }> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.#port}${path}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: "down", body: "" };
    }
  }
}
