import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { encode } from "@msgpack/msgpack";
import { jetstream } from "@nats-io/jetstream";
import { nkeys, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../config/loadConfig.js";
import { connectNats, type NatsConnectionSettings } from "../../connectors/nats/connectNats.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { freePort, NatsServerProcess } from "../../connectors/nats/NatsServerProcess.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { ConfigError, type EventInput } from "../../engine/index.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { makeOperatorSetup } from "../helpers/natsOperator.js";
import { makeTestCertificates, type TestCertificates } from "../helpers/tlsCertificates.js";

/** A connection as /connz reports it (nats-server 2.9 monitoring). */
interface ConnzEntry {
  name?: string;
  tls_version?: string;
  authorized_user?: string;
}

/** A nats-server started from a configuration file, with its monitoring port. */
interface SecuredServer {
  readonly server: NatsServerProcess;
  readonly url: string;
  readonly monitorPort: number;
}

async function startSecuredServer(dir: string, name: string, serverConfig: string): Promise<SecuredServer> {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, serverConfig);
  const monitorPort = await freePort();
  const server = await NatsServerProcess.start({ storeDir: join(dir, `${name}-store`), args: ["-c", file, "-m", String(monitorPort)] });
  return { server, url: server.url, monitorPort };
}

/** The open client connections the server sees, with their TLS version and user. */
async function connections(server: SecuredServer): Promise<ConnzEntry[]> {
  const response = await fetch(`http://127.0.0.1:${server.monitorPort}/connz?auth=true`);
  return ((await response.json()) as { connections?: ConnzEntry[] }).connections ?? [];
}

const DAY_MS = 86_400_000;

describe("NATS authentication and TLS", () => {
  let dir: string;
  let certs: TestCertificates;
  let userSeedFile: string;
  let userPublicKey: string;
  /** Mutual TLS (client certificates verified), users with a password or an NKey. */
  let mtls: SecuredServer;
  /** TLS with the server's certificate only, and a token. */
  let tokenTls: SecuredServer;
  /** Operator mode (JWTs): users authenticate with a .creds file. */
  let operatorMode: SecuredServer;
  let credsFile: string;
  let credsUser: string;
  const token = "tok-7f3a9c1e5b";
  let nextEvent = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cxpulse-security-"));
    mkdirSync(join(dir, "certs"));
    certs = makeTestCertificates(join(dir, "certs"));
    const user = nkeys.createUser();
    userPublicKey = user.getPublicKey();
    userSeedFile = join(dir, "certs", "engine.nk");
    writeFileSync(userSeedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    const tls = (verify: boolean) =>
      `tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.caCert}", verify: ${verify}, timeout: 2 }`;
    const operator = makeOperatorSetup();
    credsUser = operator.userPublicKey;
    credsFile = join(dir, "certs", "engine.creds");
    writeFileSync(credsFile, operator.creds, { mode: 0o600 });
    [mtls, tokenTls, operatorMode] = await Promise.all([
      startSecuredServer(
        dir,
        "mtls",
        `${tls(true)}\nauthorization { users = [ { user: "cx-engine", password: "pw-3b9d2f" }, { nkey: "${userPublicKey}" } ] }\n`,
      ),
      startSecuredServer(dir, "token", `${tls(false)}\nauthorization { token: "${token}" }\n`),
      startSecuredServer(dir, "operator", `${tls(false)}\n${operator.serverConfig}`),
    ]);
  });

  afterAll(async () => {
    await Promise.all([mtls?.server.stop(), tokenTls?.server.stop(), operatorMode?.server.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const clientTls = () => ({ caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey });

  /** Publishes a few events as `settings` allows and returns the stream sequence of the last. */
  async function publishEvents(settings: Omit<NatsConnectionSettings, "name">, count: number): Promise<number> {
    const nc: NatsConnection = await connectNats({ ...settings, name: "test-producer" });
    try {
      await ensureStream(nc, loadConfig().nats.stream, [Subjects.eventsAll]);
      const js = jetstream(nc);
      let seq = 0;
      const ts = Date.now() - DAY_MS;
      for (let i = 0; i < count; i++) {
        const event: EventInput = {
          id: `sec-${++nextEvent}`,
          customerId: `S${nextEvent % 7}`,
          type: "complaint",
          channel: "web",
          ts: ts + nextEvent,
        };
        seq = (await js.publish(Subjects.event(event.channel, event.customerId), encode(event))).seq;
      }
      return seq;
    } finally {
      await nc.close();
    }
  }

  /**
   * Runs `cxpulse start` with the configuration and environment given until it has
   * handled the stream up to `seq`, then stops it; returns what /connz showed meanwhile.
   */
  async function runEngine(configFile: string, env: Record<string, string>, seq: number, server: SecuredServer): Promise<ConnzEntry[]> {
    const engine = await EngineProcess.start(configFile, env);
    try {
      await engine.waitForSequence(seq, 20_000);
      expect(await engine.metric("cx_events_total")).toBeGreaterThanOrEqual(1);
      const seen = (await connections(server)).filter((connection) => connection.name?.startsWith("cxpulse-"));
      expect(await engine.stop(), engine.log.slice(-10).join("\n")).toBe(0);
      return seen;
    } finally {
      await engine.kill();
    }
  }

  it("with user and password over mutual TLS (paths relative to the config file), the engine's three connections are TLS and consume", async () => {
    const seq = await publishEvents({ servers: mtls.url, user: "cx-engine", password: "pw-3b9d2f", tls: clientTls() }, 20);
    const configDir = join(dir, "user-password");
    mkdirSync(configDir);
    const fromConfig = (file: string) => relative(configDir, file);
    const configFile = writeTestConfig(configDir, {
      "nats.url": mtls.url,
      "nats.user": "cx-engine",
      "nats.password": "pw-3b9d2f",
      "nats.tls": { caFile: fromConfig(certs.caCert), certFile: fromConfig(certs.clientCert), keyFile: fromConfig(certs.clientKey) },
      "http.port": 0,
    });
    const seen = await runEngine(configFile, {}, seq, mtls);
    expect(seen.map((connection) => connection.name).sort()).toEqual(["cxpulse-events", "cxpulse-requests", "cxpulse-storage"]);
    for (const connection of seen) {
      expect(connection.tls_version, connection.name).toMatch(/^1\.[23]$/);
      expect(connection.authorized_user, connection.name).toBe("cx-engine");
    }
  });

  it("with an NKey seed file and the TLS files from NATS_NKEY_SEED and NATS_TLS_* variables, the engine connects as that NKey over TLS", async () => {
    const seq = await publishEvents({ servers: mtls.url, nkeySeedFile: userSeedFile, tls: clientTls() }, 20);
    const configFile = writeTestConfig(dir, { "nats.url": mtls.url, "http.port": 0 }, "nkey.yaml");
    const seen = await runEngine(
      configFile,
      { NATS_NKEY_SEED: userSeedFile, NATS_TLS_CA: certs.caCert, NATS_TLS_CERT: certs.clientCert, NATS_TLS_KEY: certs.clientKey },
      seq,
      mtls,
    );
    expect(seen).toHaveLength(3);
    for (const connection of seen) {
      expect(connection.tls_version, connection.name).toMatch(/^1\.[23]$/);
      expect(connection.authorized_user, connection.name).toBe(userPublicKey);
    }
  });

  it("with a token over server-authenticated TLS, the engine connects and consumes", async () => {
    const seq = await publishEvents({ servers: tokenTls.url, token, tls: { caFile: certs.caCert } }, 20);
    const configFile = writeTestConfig(dir, { "nats.url": tokenTls.url, "nats.token": token, "nats.tls": { caFile: certs.caCert }, "http.port": 0 }, "token.yaml");
    const seen = await runEngine(configFile, {}, seq, tokenTls);
    expect(seen).toHaveLength(3);
    for (const connection of seen) expect(connection.tls_version, connection.name).toMatch(/^1\.[23]$/);
  });

  it("with a .creds file (operator mode, JWT and NKey seed), given relative to the config file, the engine connects as that user over TLS", async () => {
    const seq = await publishEvents({ servers: operatorMode.url, credsFile, tls: { caFile: certs.caCert } }, 20);
    const configFile = writeTestConfig(
      join(dir, "certs"),
      { "nats.url": operatorMode.url, "nats.credsFile": "engine.creds", "nats.tls": { caFile: "cxpulse-test-ca.pem" }, "http.port": 0 },
      "creds.yaml",
    );
    const seen = await runEngine(configFile, {}, seq, operatorMode);
    expect(seen).toHaveLength(3);
    for (const connection of seen) {
      expect(connection.tls_version, connection.name).toMatch(/^1\.[23]$/);
      expect(connection.authorized_user, connection.name).toBe(credsUser);
    }
  });

  it("cxpulse simulate connects with the same settings (user, password, mutual TLS) and its events reach the stream", async () => {
    const before = await publishEvents({ servers: mtls.url, user: "cx-engine", password: "pw-3b9d2f", tls: clientTls() }, 1);
    const configFile = writeTestConfig(
      dir,
      { "nats.url": mtls.url, "nats.user": "cx-engine", "nats.password": "pw-3b9d2f", "nats.tls": clientTls() },
      "simulate.yaml",
    );
    const result = await runCxpulse(["simulate", "--config", configFile, "--rate", "500", "--duration", "0.5", "--customers", "50"], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(0);
    const published = Number(/published (\d+) messages/.exec(result.stdout)?.[1]);
    expect(published).toBeGreaterThan(100);
    const after = await publishEvents({ servers: mtls.url, user: "cx-engine", password: "pw-3b9d2f", tls: clientTls() }, 1);
    expect(after - before - 1).toBe(published);
  });

  it("a wrong password fails the start at once, saying the server refused the credentials", async () => {
    const configFile = writeTestConfig(
      dir,
      { "nats.url": mtls.url, "nats.user": "cx-engine", "nats.password": "wrong", "nats.tls": clientTls(), "http.port": 0 },
      "wrong-password.yaml",
    );
    const result = await runCxpulse(["start", "--config", configFile], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`cxpulse: cannot connect to NATS at ${mtls.url}`);
    expect(result.stderr).toContain("[nats_connect_failed]");
    expect(result.stderr).toMatch(/Authorization Violation/i);
    expect(result.stderr).toContain("refused the credentials");
    expect(result.durationMs).toBeLessThan(15_000);

    // A password written into the URL (the client does not use it) is not repeated either.
    const inUrl = mtls.url.replace("nats://", "nats://cx-engine:url-secret-91@");
    const urlResult = await runCxpulse(["start", "--config", writeTestConfig(dir, { "nats.url": inUrl, "nats.tls": clientTls() }, "password-in-url.yaml")]);
    expect(urlResult.code, urlResult.stderr).toBe(2);
    expect(urlResult.stderr).toContain("nats://cx-engine:***@127.0.0.1:");
    expect(urlResult.stderr).not.toContain("url-secret-91");
  });

  it("without the CA that signed the server's certificate, the start fails at once, saying TLS verification failed", async () => {
    const configFile = writeTestConfig(
      dir,
      { "nats.url": tokenTls.url, "nats.token": token, "nats.tls": { caFile: certs.otherCaCert }, "http.port": 0 },
      "wrong-ca.yaml",
    );
    const result = await runCxpulse(["start", "--config", configFile], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`cxpulse: cannot connect to NATS at ${tokenTls.url}`);
    expect(result.stderr).toContain("[nats_connect_failed]");
    expect(result.stderr).toMatch(/certificate/i);
    expect(result.stderr).toContain("nats.tls");
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it("a missing seed or certificate file fails the start naming the setting and the path", async () => {
    const missing = join(dir, "no-such.nk");
    const seedRun = await runCxpulse(["start", "--config", writeTestConfig(dir, { "nats.url": mtls.url, "nats.nkeySeedFile": missing }, "missing-seed.yaml")]);
    expect(seedRun.code, seedRun.stderr).toBe(2);
    expect(seedRun.stderr).toContain(`nats.nkeySeedFile: cannot read ${missing}`);
    const caRun = await runCxpulse(["start", "--config", writeTestConfig(dir, { "nats.url": mtls.url, "nats.tls": { caFile: "nope/ca.pem" } }, "missing-ca.yaml")]);
    expect(caRun.code, caRun.stderr).toBe(2);
    expect(caRun.stderr).toContain(`nats.tls.caFile: cannot read ${join(dir, "nope/ca.pem")}`);
  });

  it("the server requires TLS: a client speaking plain text gets no answer and is disconnected", async () => {
    const transcript = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port: tokenTls.server.port });
      let received = "";
      let sent = false;
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received += chunk;
        if (!sent && received.includes("\r\n")) {
          sent = true;
          socket.write(`CONNECT {"verbose":false,"pedantic":false,"auth_token":"${token}"}\r\nPING\r\n`);
        }
      });
      socket.once("error", () => undefined);
      socket.once("close", () => resolve(received));
      setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server kept a plain-text client connected; it sent: ${received}`));
      }, 10_000).unref();
    });
    const info = JSON.parse(transcript.slice(transcript.indexOf("{"), transcript.indexOf("\r\n"))) as { tls_required?: boolean };
    expect(info.tls_required).toBe(true);
    expect(transcript).not.toContain("PONG");
    expect(transcript).not.toContain("+OK");
  });
});

describe("configuration of NATS authentication and TLS", () => {
  const FILE = "/etc/cxpulse/cxpulse.yaml";

  const refused = (text: string, env: Record<string, string> = {}): ConfigError => {
    try {
      parseConfig(text, FILE, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected the configuration to be refused");
  };

  it("resolves relative paths against the configuration file's directory, and those from variables against the working directory", () => {
    const config = parseConfig(
      "nats:\n  nkeySeedFile: keys/engine.nk\n  tls:\n    caFile: ../ca.pem\n    certFile: /abs/client.pem\n    keyFile: client.key\n",
      FILE,
    );
    expect(config.nats.nkeySeedFile).toBe("/etc/cxpulse/keys/engine.nk");
    expect(config.nats.tls).toEqual({ caFile: "/etc/ca.pem", certFile: "/abs/client.pem", keyFile: "/etc/cxpulse/client.key" });
    const fromEnv = parseConfig("version: t\n", FILE, { NATS_CREDS: "engine.creds", NATS_TLS_CA: "ca.pem" });
    expect(fromEnv.nats.credsFile).toBe(join(process.cwd(), "engine.creds"));
    expect(fromEnv.nats.tls).toEqual({ caFile: join(process.cwd(), "ca.pem"), certFile: undefined, keyFile: undefined });
    expect(parseConfig("version: t\n", FILE).nats.tls).toBeUndefined();
    expect(parseConfig("nats:\n  tls: {}\n", FILE).nats.tls).toEqual({ caFile: undefined, certFile: undefined, keyFile: undefined });
  });

  it("refuses two ways to authenticate at once, naming the line of the second", () => {
    const error = refused("version: t\nnats:\n  user: a\n  password: b\n  token: c\n");
    expect(error.message).toContain(`${FILE}:5:10 nats.token: choose one way to authenticate`);
    expect(error.message).toContain("nats.user is set too");
    expect(refused("version: t\nnats:\n  token: c\n", { NATS_NKEY_SEED: "/k.nk" }).message).toContain(
      "nats.nkeySeedFile: choose one way to authenticate (user/password, token, nkeySeedFile or credsFile); nats.token is set too (set by NATS_NKEY_SEED)",
    );
  });

  it("refuses a client certificate without its key, an unknown TLS key and a password without a user", () => {
    expect(refused("nats:\n  tls:\n    certFile: c.pem\n").message).toContain(`${FILE}:3:15 nats.tls.certFile: a client certificate needs both certFile and keyFile`);
    expect(refused("nats:\n  tls:\n    handshakeFirst: true\n").message).toContain(`${FILE}:3:5 nats.tls.handshakeFirst: unknown key`);
    expect(refused("nats:\n  password: x\n").message).toContain(`${FILE}:2:13 nats.password: a password needs nats.user`);
  });
});
