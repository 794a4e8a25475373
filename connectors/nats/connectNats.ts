import { accessSync, constants, readFileSync } from "node:fs";
import { basename } from "node:path";
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  nkeys,
  type NatsConnection,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { ConfigError, ConfigErrorCodes, CxError, ServiceErrorCodes } from "../../engine/index.js";

export interface NatsTlsFiles {
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
}

export interface NatsConnectionSettings {
  readonly servers: string;
  readonly name: string;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
  readonly credsFile?: string | undefined;
  /** A file holding an NKey user seed (`SU...`); the server knows the public key. */
  readonly nkeySeedFile?: string | undefined;
  /** Set (even empty): the connection must be TLS. The files are read at every (re)connect. */
  readonly tls?: NatsTlsFiles | undefined;
}

/**
 * Connects with the configured authentication and TLS, and reconnects forever with
 * backoff: the engine outlives server restarts and network loss, and resumes where it
 * was. The first connection is tried once per server, so a wrong password, an untrusted
 * certificate or an unreachable server fails the start with the reason instead of
 * hanging.
 */
export async function connectNats(settings: NatsConnectionSettings): Promise<NatsConnection> {
  const options: NodeConnectionOptions = {
    servers: settings.servers.split(",").map((server) => server.trim()),
    name: settings.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
  };
  if (settings.user !== undefined) options.user = settings.user;
  if (settings.password !== undefined) options.pass = settings.password;
  if (settings.token !== undefined) options.token = settings.token;
  if (settings.credsFile !== undefined) options.authenticator = credsAuthenticator(readSetting("nats.credsFile", settings.credsFile));
  if (settings.nkeySeedFile !== undefined) {
    const seed = readNkeySeed(settings.nkeySeedFile);
    options.authenticator = nkeyAuthenticator(() => seed.slice());
  }
  if (settings.tls !== undefined) {
    const { caFile, certFile, keyFile } = settings.tls;
    // Checked now so that a wrong path is reported as such, naming the setting.
    if (caFile !== undefined) checkReadable("nats.tls.caFile", caFile);
    if (certFile !== undefined) checkReadable("nats.tls.certFile", certFile);
    if (keyFile !== undefined) checkReadable("nats.tls.keyFile", keyFile);
    options.tls = {
      ...(caFile === undefined ? {} : { caFile }),
      ...(certFile === undefined ? {} : { certFile }),
      ...(keyFile === undefined ? {} : { keyFile }),
    };
  }
  try {
    return await connect(options);
  } catch (error) {
    throw new CxError(
      ServiceErrorCodes.NatsConnectFailed,
      `cannot connect to NATS at ${withoutPasswords(settings.servers)} (connection ${settings.name}): ${describeConnectError(error)}`,
      { cause: error },
    );
  }
}

/** Server URLs as they may be shown: a password written into one (`nats://user:secret@host`) is masked. */
function withoutPasswords(servers: string): string {
  return servers.replace(/\/\/([^/@:\s,]*):[^/@\s,]*@/g, "//$1:***@");
}

/** The client's reason, and what to check for the usual ones. */
function describeConnectError(error: unknown): string {
  const reasons: string[] = [];
  for (let cause: unknown = error; cause instanceof Error && reasons.length < 4; cause = cause.cause) {
    const message = cause.message;
    if (message !== "" && !reasons.some((reason) => reason.includes(message))) reasons.push(message);
  }
  const reason = reasons.join(": ") || String(error);
  if (/authorization|authentication|permissions/i.test(reason)) {
    return `${reason}; the server refused the credentials (check nats.user/password, token, nkeySeedFile or credsFile)`;
  }
  if (/certificate|self.signed|tls|ssl/i.test(reason)) {
    return `${reason}; TLS failed (check nats.tls: caFile must hold the CA that signed the server's certificate)`;
  }
  return reason;
}

function readSetting(keyPath: string, file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(ConfigErrorCodes.ConfigInvalid, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      keyPath,
    });
  }
}

function checkReadable(keyPath: string, file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new ConfigError(ConfigErrorCodes.ConfigInvalid, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      keyPath,
    });
  }
}

/** The seed, checked; the error never repeats the file's content (it is a secret). */
function readNkeySeed(file: string): Uint8Array {
  if (/^S[A-Z2-7]{57}$/.test(basename(file))) {
    // Someone put the seed itself where its path belongs: say so without echoing it.
    throw new ConfigError(ConfigErrorCodes.ConfigInvalid, "expected the path of a seed file, not the seed itself", {
      keyPath: "nats.nkeySeedFile",
    });
  }
  const seed = new TextEncoder().encode(new TextDecoder().decode(readSetting("nats.nkeySeedFile", file)).trim());
  try {
    const pair = nkeys.fromSeed(seed);
    if (!pair.getPublicKey().startsWith("U")) throw new Error("not a user seed");
  } catch {
    throw new ConfigError(ConfigErrorCodes.ConfigInvalid, `${file} does not hold an NKey user seed (one line starting with SU)`, {
      keyPath: "nats.nkeySeedFile",
    });
  }
  return seed;
}
