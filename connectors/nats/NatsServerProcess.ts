import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { delimiter, join } from "node:path";
import { CxError, ServiceErrorCodes } from "../../engine/index.js";

export const INSTALL_HINT = "install it with: sudo apt-get install nats-server (Debian/Ubuntu), or see https://docs.nats.io/running-a-nats-service/introduction/installation";

export interface NatsServerOptions {
  /** JetStream store directory; created if missing. */
  readonly storeDir: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** More command-line arguments, e.g. `--user`, `--pass`, `--tls...`. */
  readonly args?: readonly string[];
}

/**
 * A nats-server child process with JetStream: what `cxpulse start` runs when no server
 * is configured, what `demo` runs, and what tests and benchmarks start on a free port
 * with a temporary store so they are isolated and can stop, kill and restart it.
 */
export class NatsServerProcess {
  readonly port: number;
  readonly host: string;
  readonly storeDir: string;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;
  #stderrTail = "";

  private constructor(port: number, host: string, storeDir: string, args: readonly string[]) {
    this.port = port;
    this.host = host;
    this.storeDir = storeDir;
    this.#args = args;
  }

  static async start(options: NatsServerOptions): Promise<NatsServerProcess> {
    const host = options.host ?? "127.0.0.1";
    const port = options.port || (await freePort(host));
    mkdirSync(options.storeDir, { recursive: true });
    const server = new NatsServerProcess(port, host, options.storeDir, options.args ?? []);
    await server.#launch();
    return server;
  }

  /** The `nats-server` binary: $NATS_SERVER_BIN, the PATH, or the Debian package's /usr/sbin. */
  static binary(): string {
    const override = process.env.NATS_SERVER_BIN;
    const candidates = [
      ...(override ? [override] : []),
      ...(process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "nats-server")),
      "/usr/sbin/nats-server",
      "/usr/local/bin/nats-server",
    ];
    for (const candidate of candidates) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // try the next place
      }
    }
    throw new CxError(ServiceErrorCodes.NatsServerMissing, `no nats-server binary found; ${INSTALL_HINT}`);
  }

  get url(): string {
    return `nats://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  async stop(): Promise<void> {
    await this.#terminate("SIGTERM");
  }

  /** Hard kill (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    await this.#terminate("SIGKILL");
  }

  /** Stops and starts again on the same port and store: JetStream recovers from disk. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#launch();
  }

  async #launch(): Promise<void> {
    const child = spawn(
      NatsServerProcess.binary(),
      ["-a", this.host, "-p", String(this.port), "-js", "-sd", this.storeDir, ...this.#args],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    this.#child = child;
    this.#stderrTail = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-4_000);
    });
    const exited = new Promise<never>((_, reject) => {
      child.once("exit", (code, signal) =>
        reject(new Error(`nats-server exited during start (code ${code}, signal ${signal}):\n${this.#stderrTail}`)),
      );
      child.once("error", reject);
    });
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.host, this.port, 15_000), exited]);
    await Promise.race([this.#waitForReadyLog(15_000), exited]);
  }

  /** The port opens before JetStream has finished recovering its store; the log says when it is ready. */
  async #waitForReadyLog(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#stderrTail.includes("Server is ready")) {
      if (Date.now() > deadline) throw new Error(`nats-server did not report ready in ${timeoutMs} ms:\n${this.#stderrTail}`);
      await sleep(20);
    }
  }

  async #terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
  }
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portAnswers(host, port, 200))) {
    if (Date.now() > deadline) throw new Error(`nats-server did not open ${host}:${port} in ${timeoutMs} ms`);
    await sleep(25);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
