import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parsePrometheusText } from "./prometheusText.js";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A /metrics scrape that takes longer than this fails the wait that made it. */
const METRICS_TIMEOUT_MS = 10_000;

/**
 * `cxpulse start` as a real child process, for fault tests: it can be killed with
 * SIGKILL at any moment, stopped with SIGTERM, and watched through its /metrics.
 */
export class EngineProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly log: string[];

  private constructor(child: ChildProcess, httpPort: number, log: string[]) {
    this.child = child;
    this.httpPort = httpPort;
    this.log = log;
  }

  static async start(configFile: string, env: Record<string, string> = {}): Promise<EngineProcess> {
    return EngineProcess.startWatched(configFile, env, () => undefined);
  }

  /**
   * Like `start`, and hands over the child process as soon as it is spawned, to signal
   * it while it connects and recovers.
   */
  static async startWatched(configFile: string, env: Record<string, string>, spawned: (child: ChildProcess) => void): Promise<EngineProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "start", "--config", configFile], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    spawned(child);
    const log: string[] = [];
    const remember = (line: string) => {
      log.push(line);
      if (log.length > 500) log.shift();
    };
    createInterface({ input: child.stderr! }).on("line", remember);
    const httpPort = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        remember(line);
        if (line.includes('"cxpulse engine running"')) resolve((JSON.parse(line) as { httpPort: number }).httpPort);
      });
      child.once("exit", (code, signal) => reject(new Error(`engine exited while starting (${code ?? signal}):\n${log.join("\n")}`)));
    });
    return new EngineProcess(child, httpPort, log);
  }

  /** What the engine logged about its recovery at start. */
  recovery(): { startSeq: number; epoch: number; customersRestored: number; customersSpilled: number } {
    const line = this.log.find((entry) => entry.includes('"msg":"recovered"') || entry.includes('"msg":"no checkpoint yet'));
    if (line === undefined) throw new Error("the engine logged no recovery");
    return JSON.parse(line) as { startSeq: number; epoch: number; customersRestored: number; customersSpilled: number };
  }

  /** A metric's value (the sum over its label sets), or undefined if it is not exposed. */
  async metric(name: string): Promise<number | undefined> {
    // Bounded, so a wait on the engine fails with its log instead of hanging the test.
    const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
    const samples = parsePrometheusText(await response.text()).samples.filter((sample) => sample.name === name);
    return samples.length === 0 ? undefined : samples.reduce((sum, sample) => sum + sample.value, 0);
  }

  /** Stream sequence up to which the engine has handled every message. */
  async handledSequence(): Promise<number> {
    return (await this.metric("cx_handled_sequence")) ?? 0;
  }

  /** Waits until the engine has handled the stream up to `seq`. */
  async waitForSequence(seq: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.handledSequence()) < seq) {
      if (Date.now() > deadline) throw new Error(`engine did not reach sequence ${seq} in ${timeoutMs} ms:\n${this.log.slice(-20).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** A crash: SIGKILL, no chance to clean up. */
  async kill(): Promise<void> {
    await this.#signal("SIGKILL");
  }

  /** A graceful stop: SIGTERM; resolves with the exit code, or fails with the log's tail if the process has not exited within `timeoutMs`. */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    const exited = this.#signal("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`engine did not exit within ${timeoutMs} ms of SIGTERM:\n${this.log.slice(-20).join("\n")}`)), timeoutMs);
    });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #signal(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.child.kill(signal);
    return exited;
  }
}
