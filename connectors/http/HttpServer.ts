import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** What the health endpoints report; the composition root decides what "ready" means. */
export interface HealthProbe {
  /** Liveness: the process works (the event loop answers). */
  live(): boolean;
  /** Readiness: connected and consuming; otherwise the reason it is not. */
  readiness(): { ready: true } | { ready: false; reason: string };
}

/**
 * The operator's HTTP surface: `/metrics` in the Prometheus text format, `/healthz`
 * and `/readyz` for orchestrators. Nothing else listens here.
 */
export class HttpServer {
  readonly #server: Server;
  readonly #registry: Registry;
  readonly #health: HealthProbe;

  constructor(registry: Registry, health: HealthProbe) {
    this.#registry = registry;
    this.#health = health;
    this.#server = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0];
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      switch (path) {
        case "/metrics":
          this.#registry.metrics().then(
            (text) => response.writeHead(200, { "content-type": this.#registry.contentType }).end(text),
            (error: Error) => response.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${error.message}\n`),
          );
          return;
        case "/healthz": {
          const live = this.#health.live();
          response.writeHead(live ? 200 : 503, { "content-type": "text/plain" }).end(live ? "ok\n" : "not live\n");
          return;
        }
        case "/readyz": {
          const readiness = this.#health.readiness();
          response
            .writeHead(readiness.ready ? 200 : 503, { "content-type": "text/plain" })
            .end(readiness.ready ? "ready\n" : `not ready: ${readiness.reason}\n`);
          return;
        }
        default:
          response.writeHead(404, { "content-type": "text/plain" }).end("not found; try /metrics, /healthz or /readyz\n");
      }
    });
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
