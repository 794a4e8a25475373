import { createHash } from "node:crypto";
import { nkeys } from "@nats-io/transport-node";

type KeyPair = ReturnType<typeof nkeys.createUser>;

/**
 * A NATS operator, one account with JetStream and one user, as JWTs signed with
 * NKeys: enough for a nats-server in operator mode (decentralised auth, the mode
 * `.creds` files belong to) without the `nsc` tool. The server's configuration uses
 * the memory resolver with the account preloaded; the user's `.creds` file holds the
 * user's JWT and seed, which is what the engine's `nats.credsFile` points at.
 */
export interface NatsOperatorSetup {
  /** Lines for the nats-server configuration file. */
  readonly serverConfig: string;
  /** Content of the user's `.creds` file. */
  readonly creds: string;
  readonly userPublicKey: string;
}

export function makeOperatorSetup(): NatsOperatorSetup {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const operatorJwt = signJwt(operator, operator, "cxpulse-test-operator", { type: "operator", version: 2 });
  const unlimited = -1;
  const accountJwt = signJwt(operator, account, "cxpulse-test-account", {
    type: "account",
    version: 2,
    limits: {
      subs: unlimited,
      data: unlimited,
      payload: unlimited,
      imports: unlimited,
      exports: unlimited,
      wildcards: true,
      conn: unlimited,
      leaf: unlimited,
      mem_storage: unlimited,
      disk_storage: unlimited,
      streams: unlimited,
      consumer: unlimited,
    },
    default_permissions: { pub: {}, sub: {} },
  });
  // JetStream needs a system account in operator mode.
  const system = nkeys.createAccount();
  const systemJwt = signJwt(operator, system, "SYS", { type: "account", version: 2, limits: { subs: unlimited, data: unlimited, payload: unlimited, imports: unlimited, exports: unlimited, wildcards: true, conn: unlimited, leaf: unlimited } });
  const userJwt = signJwt(account, user, "cxpulse-test-user", {
    type: "user",
    version: 2,
    pub: {},
    sub: {},
    subs: unlimited,
    data: unlimited,
    payload: unlimited,
  });
  const seed = new TextDecoder().decode(user.getSeed());
  const creds = [
    "-----BEGIN NATS USER JWT-----",
    userJwt,
    "------END NATS USER JWT------",
    "",
    "************************* IMPORTANT *************************",
    "NKEY Seed printed below can be used to sign and prove identity.",
    "NKEYs are sensitive and should be treated as secrets.",
    "",
    "-----BEGIN USER NKEY SEED-----",
    seed,
    "------END USER NKEY SEED------",
    "",
  ].join("\n");
  const serverConfig = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    "resolver: MEMORY",
    `resolver_preload: { ${account.getPublicKey()}: ${accountJwt}, ${system.getPublicKey()}: ${systemJwt} }`,
    "",
  ].join("\n");
  return { serverConfig, creds, userPublicKey: user.getPublicKey() };
}

/** A NATS JWT (ed25519-nkey): `sub`'s claims, signed by `issuer`. */
function signJwt(issuer: KeyPair, subject: KeyPair, name: string, nats: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const claims: Record<string, unknown> = {
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject.getPublicKey(),
    nats,
  };
  // The id is a hash of the claims, as the nats jwt libraries make it.
  claims.jti = base32(createHash("sha512-256").update(JSON.stringify(claims)).digest());
  const payload = base64url(JSON.stringify(claims));
  const signature = issuer.sign(new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${base64url(signature)}`;
}

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64url");
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
