import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import { isMap, isScalar, LineCounter, parseDocument, Scalar, type Document } from "yaml";
import {
  ConfigError,
  ConfigErrorCodes,
  CHANNELS,
  EVENT_TYPES,
  formatKeyPath,
  type AliveModel,
  type DecisionDefinitions,
  type EngineSettings,
  type LocateValue,
  type ValueLocation,
} from "../engine/index.js";
import { ConfigSchema, DURATION_PATTERN, type ConfigFile } from "./configSchema.js";
import { parseDuration } from "./parseDuration.js";

export const DEFAULT_CONFIG_PATH = join(dirname(fileURLToPath(import.meta.url)), "default.yaml");

export interface NatsSettings {
  /** Empty: use a local server (a running one on 127.0.0.1:4222, or one started for us). */
  readonly url: string;
  readonly name: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly token: string | undefined;
  /** File paths here (credsFile, nkeySeedFile, tls.*) are absolute: relative ones were resolved against the file's directory. */
  readonly credsFile: string | undefined;
  readonly nkeySeedFile: string | undefined;
  /** Set: the connection must be TLS. */
  readonly tls: NatsTlsSettings | undefined;
  readonly dataDir: string;
  readonly stream: StreamSettings;
  readonly decisionStream: StreamSettings;
  readonly dlqStream: StreamSettings;
  readonly consumer: { readonly maxMessages: number };
}

export interface NatsTlsSettings {
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
}

export interface StreamSettings {
  readonly name: string;
  readonly maxAgeMs: number;
  readonly duplicateWindowMs: number;
  readonly replicas: number;
}

export interface CheckpointSettings {
  readonly intervalMs: number;
  readonly stateBucket: string;
  readonly metaBucket: string;
  readonly logStream: string;
}

export interface MetricsSettings {
  readonly publishIntervalMs: number;
}

/** How often the segment profiles are refreshed, and in what slices. */
export interface SegmentProfilesSettings {
  /** 0: only when a query finds no profile. */
  readonly refreshIntervalMs: number;
  /** Customers scanned per turn of the event loop. */
  readonly batchCustomers: number;
}

export interface HttpSettings {
  readonly host: string;
  readonly port: number;
}

/** How `cxpulse import` turns rows into events. Nested fields are flattened to paths: `attrs.store`, `consents.email`. */
export interface ImportSettings {
  readonly delimiter: string;
  /** Event field → source column. */
  readonly columns: Readonly<Record<string, string>>;
  /** Event field → the value every row gets. */
  readonly constants: Readonly<Record<string, string | number | boolean>>;
}

/** The validated, frozen configuration with durations in milliseconds. */
export interface CxConfig {
  readonly file: string;
  /** The file's `version`, else a hash of its content; every decision names it. */
  readonly version: string;
  readonly engine: EngineSettings;
  readonly nats: NatsSettings;
  readonly checkpoint: CheckpointSettings;
  readonly metrics: MetricsSettings;
  readonly segmentProfiles: SegmentProfilesSettings;
  readonly http: HttpSettings;
  readonly logLevel: string;
  readonly decisions: DecisionDefinitions;
  readonly import: ImportSettings;
  /** Finds a value's line and column in the file, for errors found after loading (rules). */
  readonly locate: LocateValue;
}

/**
 * Environment variables that override connection settings. A relative path given in
 * one resolves against the working directory (in the file: against the file's directory).
 */
export const ENVIRONMENT_OVERRIDES = {
  NATS_URL: "nats.url",
  NATS_USER: "nats.user",
  NATS_PASSWORD: "nats.password",
  NATS_TOKEN: "nats.token",
  NATS_CREDS: "nats.credsFile",
  NATS_NKEY_SEED: "nats.nkeySeedFile",
  NATS_TLS_CA: "nats.tls.caFile",
  NATS_TLS_CERT: "nats.tls.certFile",
  NATS_TLS_KEY: "nats.tls.keyFile",
  CXPULSE_HTTP_PORT: "http.port",
  CXPULSE_LOG_LEVEL: "log.level",
} as const;

/** Settings that name files: relative paths resolve against the configuration file's directory. */
const PATH_SETTINGS: ReadonlySet<string> = new Set(["nats.credsFile", "nats.nkeySeedFile", "nats.tls.caFile", "nats.tls.certFile", "nats.tls.keyFile"]);

/** The ways to authenticate to NATS; at most one may be configured. */
const NATS_AUTH_METHODS = [["user", "password"], ["token"], ["nkeySeedFile"], ["credsFile"]] as const;

const MAX_REPORTED_ERRORS = 8;
/** Ten years of daily buckets: the business metrics' ring is sized by the longest window. */
const MAX_METRIC_WINDOW_DAYS = 3_650;
const DAY_MS = 86_400_000;

function aliveModel(section: ConfigFile["metrics"]["probabilityAlive"]): AliveModel | null {
  if (section === undefined) return null;
  const { threshold, ...parameters } = section;
  return Object.freeze({ parameters: Object.freeze(parameters), threshold });
}

/**
 * Reads, validates and freezes a configuration file. Throws a ConfigError whose
 * message names the file, line, column and key path of each problem.
 */
export function loadConfig(file: string = DEFAULT_CONFIG_PATH, env: Readonly<Record<string, string | undefined>> = {}): CxConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(ConfigErrorCodes.ConfigUnreadable, `cannot read configuration ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path, env);
}

export function parseConfig(text: string, file: string, env: Readonly<Record<string, string | undefined>> = {}): CxConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(ConfigErrorCodes.ConfigSyntax, `YAML: ${first.message.split("\n")[0]}`, {
      position: { file, line, column: col },
    });
  }
  const raw = (document.toJS() as unknown) ?? {};
  const locate: LocateValue = (keyPath) => locateIn(document, text, lineCounter, file, keyPath);
  const fromEnvironment = applyEnvironment(raw, env);
  const withDefaults = Value.Default(ConfigSchema, raw);
  const errors = [...Value.Errors(ConfigSchema, withDefaults)].slice(0, MAX_REPORTED_ERRORS);
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const keyPath = error.path.split("/").slice(1).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
      const where =
        (error.type === ValueErrorType.ObjectAdditionalProperties ? locateKey(document, lineCounter, file, keyPath) : locate(keyPath)) ??
        nearestLocation(locate, keyPath);
      const position = where === undefined ? undefined : { file, line: where.line, column: where.column };
      const shownAt = position === undefined ? file : `${file}:${position.line}:${position.column}`;
      return { keyPath, position, text: `${shownAt} ${formatKeyPath(keyPath) || "(top level)"}: ${describeError(error)}` };
    });
    const first = problems[0]!;
    throw new ConfigError(ConfigErrorCodes.ConfigInvalid, `invalid configuration:\n  ${problems.map((p) => p.text).join("\n  ")}`, {
      ...(first.position === undefined ? {} : { position: first.position }),
      keyPath: formatKeyPath(first.keyPath),
    });
  }
  return freeze(withDefaults as ConfigFile, file, text, locate, fromEnvironment);
}

function freeze(config: ConfigFile, file: string, text: string, locate: LocateValue, fromEnvironment: ReadonlyMap<string, string>): CxConfig {
  const version = config.version ?? `sha256:${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
  const ms = (value: string | number, keyPath: (string | number)[]) => {
    const parsed = parseDuration(value);
    if (parsed === undefined) {
      const where = locate(keyPath);
      throw new ConfigError(ConfigErrorCodes.ConfigInvalid, `not a duration: ${String(value)}`, {
        ...(where === undefined ? {} : { position: { file, line: where.line, column: where.column } }),
        keyPath: formatKeyPath(keyPath),
      });
    }
    return parsed;
  };
  const responseWindowMs = (value: string | number, i: number) => {
    const windowMs = ms(value, ["actions", i, "responseWindow"]);
    if (windowMs === 0) throw settingError(["actions", i, "responseWindow"], "a response window must be longer than 0");
    return windowMs;
  };
  const stream = (key: "stream" | "decisionStream" | "dlqStream"): StreamSettings =>
    Object.freeze({
      name: config.nats[key].name,
      maxAgeMs: ms(config.nats[key].maxAge, ["nats", key, "maxAge"]),
      duplicateWindowMs: ms(config.nats[key].duplicateWindow, ["nats", key, "duplicateWindow"]),
      replicas: config.nats[key].replicas,
    });
  /** An error in a setting: where it is written, or which environment variable set it. */
  const settingError = (keyPath: (string | number)[], message: string) => {
    const variable = fromEnvironment.get(keyPath.join("."));
    const where = variable === undefined ? locate(keyPath) : undefined;
    return new ConfigError(ConfigErrorCodes.ConfigInvalid, variable === undefined ? message : `${message} (set by ${variable})`, {
      ...(where === undefined ? {} : { position: { file, line: where.line, column: where.column } }),
      keyPath: formatKeyPath(keyPath),
    });
  };
  const nats = config.nats;
  const authMethods = NATS_AUTH_METHODS.filter((keys) => keys.some((key) => nats[key] !== undefined));
  if (authMethods.length > 1) {
    const [first, second] = authMethods.map((keys) => keys.find((key) => nats[key] !== undefined)!);
    throw settingError(["nats", second!], `choose one way to authenticate (user/password, token, nkeySeedFile or credsFile); nats.${first} is set too`);
  }
  if (nats.password !== undefined && nats.user === undefined) throw settingError(["nats", "password"], "a password needs nats.user");
  if ((nats.tls?.certFile === undefined) !== (nats.tls?.keyFile === undefined)) {
    const [present, missing] = nats.tls?.certFile === undefined ? ["keyFile", "certFile"] : ["certFile", "keyFile"];
    throw settingError(["nats", "tls", present], `a client certificate needs both certFile and keyFile; nats.tls.${missing} is missing`);
  }
  const importColumns = fieldPaths<string>(config.import.columns);
  const importConstants = fieldPaths<string | number | boolean>(config.import.constants);
  const givenTwice = Object.keys(importConstants).find((path) => Object.hasOwn(importColumns, path));
  if (givenTwice !== undefined) {
    throw settingError(["import", "constants", ...givenTwice.split(".")], `import.columns.${givenTwice} names a column for this field too; give it a column or a constant`);
  }
  const directory = dirname(file);
  const path = (value: string | undefined) => (value === undefined || isAbsolute(value) ? value : resolve(directory, value));
  const e = config.engine;
  const valueTiers = () => {
    const { medium, high } = config.metrics.valueTiers;
    if (high <= medium) throw settingError(["metrics", "valueTiers", "high"], `the high value tier must start above the medium one (${medium}), got ${high}`);
    return Object.freeze({ medium, high });
  };
  const purchaseInactivityMs = () => {
    const keyPath = ["metrics", "purchaseInactivity"];
    const value = ms(config.metrics.purchaseInactivity, keyPath);
    if (value === 0 || value % DAY_MS !== 0 || value > MAX_METRIC_WINDOW_DAYS * DAY_MS) {
      throw settingError(keyPath, `the purchase inactivity period is 1 to ${MAX_METRIC_WINDOW_DAYS} whole days, got ${config.metrics.purchaseInactivity}`);
    }
    return value;
  };
  const segmentProfilesRefreshMs = () => {
    const value = ms(config.segmentProfiles.refresh, ["segmentProfiles", "refresh"]);
    if (value !== 0 && value < 1_000) throw settingError(["segmentProfiles", "refresh"], `refresh the segment profiles at most once a second (or 0: on demand), got ${config.segmentProfiles.refresh}`);
    return value;
  };
  const campaigns = () =>
    Object.freeze(
      config.campaigns.map((campaign, i) => {
        const at = (key: "start" | "end", fallback: number) => {
          const text = campaign[key];
          if (text === undefined) return fallback;
          const ts = Date.parse(text);
          if (Number.isNaN(ts)) throw settingError(["campaigns", i, key], `not a date and time: ${text}`);
          return ts;
        };
        const startTs = at("start", Number.NEGATIVE_INFINITY);
        const endTs = at("end", Number.POSITIVE_INFINITY);
        if (endTs <= startTs) throw settingError(["campaigns", i, "end"], `the campaign must end after it starts (${campaign.start})`);
        return Object.freeze({
          id: campaign.id,
          title: campaign.title,
          audience: campaign.audience,
          actions: Object.freeze([...campaign.actions]),
          startTs,
          endTs,
          maxContacts: campaign.maxContacts ?? Number.POSITIVE_INFINITY,
          responseWindowMs: ms(campaign.responseWindow, ["campaigns", i, "responseWindow"]),
          controlShare: campaign.controlShare,
          variants: Object.freeze(campaign.variants.map((variant) => Object.freeze({ ...variant }))),
        });
      }),
    );
  const contactPolicy = () => {
    const section = config.contactPolicy;
    const caps = section.caps.map((cap, i) => {
      // A cap counts the contact history; past its size, older contacts are not there to count.
      if (cap.max >= e.contactHistory) {
        throw settingError(["contactPolicy", "caps", i, "max"], `a cap must be below engine.contactHistory (${e.contactHistory}) to be exact, got ${cap.max}`);
      }
      const windowMs = ms(cap.window, ["contactPolicy", "caps", i, "window"]);
      if (windowMs === 0) throw settingError(["contactPolicy", "caps", i, "window"], "a cap needs a window longer than 0");
      return Object.freeze({ channelIndex: cap.channel === "all" ? -1 : CHANNELS.indexOf(cap.channel), max: cap.max, windowMs });
    });
    return Object.freeze({
      caps: Object.freeze(caps),
      declineCoolDownMs: ms(section.declineCoolDown, ["contactPolicy", "declineCoolDown"]),
      offersWhileComplaintOpen: section.offersWhileComplaintOpen,
      outstandingMs: ms(section.outstandingFor, ["contactPolicy", "outstandingFor"]),
      acceptedRestMs: ms(section.acceptedRestFor, ["contactPolicy", "acceptedRestFor"]),
      withdrawWithinMs: ms(section.withdrawWithin, ["contactPolicy", "withdrawWithin"]),
    });
  };
  const businessWindowDays = Object.freeze(
    config.metrics.windows.map((window, i) => {
      const days = Number(window.slice(0, -1));
      if (days > MAX_METRIC_WINDOW_DAYS) throw settingError(["metrics", "windows", i], `a business-metric window is at most ${MAX_METRIC_WINDOW_DAYS}d, got ${window}`);
      return days;
    }),
  );
  return Object.freeze({
    file,
    version,
    engine: Object.freeze({
      maxCustomers: e.maxCustomers,
      hotCustomers: e.hotCustomers,
      maxPayloadBytes: e.maxPayloadBytes,
      allowedLatenessMs: ms(e.allowedLateness, ["engine", "allowedLateness"]),
      maxFutureSkewMs: ms(e.maxFutureSkew, ["engine", "maxFutureSkew"]),
      triggerMaxAgeMs: ms(e.triggerMaxAge, ["engine", "triggerMaxAge"]),
      recentInteractions: e.recentInteractions,
      contactHistory: e.contactHistory,
      maxProductsPerCustomer: e.maxProductsPerCustomer,
      decideLimit: e.decideLimit,
      businessWindowDays,
      purchaseInactivityMs: purchaseInactivityMs(),
      monthlyDiscountRate: (1 + config.metrics.annualDiscountRate) ** (1 / 12) - 1,
      valueTiers: valueTiers(),
      aliveModel: aliveModel(config.metrics.probabilityAlive),
      channelSelection: Object.freeze({
        preferredBoost: config.channelSelection.preferredBoost,
        perHour: Object.freeze(
          CHANNELS.map((channel) => config.channelSelection.capacity.find((c) => c.channel === channel)?.perHour ?? Number.POSITIVE_INFINITY),
        ),
      }),
      models: config.models.enabled
        ? Object.freeze({
            bits: config.models.hashBits,
            responseWindowMs: ms(config.models.responseWindow, ["models", "responseWindow"]),
            purchaseWindowMs: ms(config.models.purchaseWindow, ["models", "purchaseWindow"]),
            categories: Object.freeze([...config.models.purchaseCategories]),
            maxLabelWatches: config.models.maxLabelWatches,
            qualityWindow: config.models.qualityWindow,
            churnSampleRate: config.models.churnSampleRate,
            priors: Object.freeze({ ...config.models.priors }),
          })
        : null,
      economics: Object.freeze({
        margin: config.economics.margin,
        marginByCategory: new Map(Object.entries(config.economics.marginByCategory)),
        handlingCost: Object.freeze(EVENT_TYPES.map((type) => config.economics.handlingCost[type] ?? 0)),
      }),
      lifecycle: Object.freeze({
        newForMs: ms(e.lifecycle.newFor, ["engine", "lifecycle", "newFor"]),
        atRiskAfterMs: ms(e.lifecycle.atRiskAfter, ["engine", "lifecycle", "atRiskAfter"]),
        churnedAfterMs: ms(e.lifecycle.churnedAfter, ["engine", "lifecycle", "churnedAfter"]),
      }),
    }),
    nats: Object.freeze({
      url: config.nats.url,
      name: config.nats.name,
      user: config.nats.user,
      password: config.nats.password,
      token: config.nats.token,
      credsFile: path(config.nats.credsFile),
      nkeySeedFile: path(config.nats.nkeySeedFile),
      tls:
        config.nats.tls === undefined
          ? undefined
          : Object.freeze({
              caFile: path(config.nats.tls.caFile),
              certFile: path(config.nats.tls.certFile),
              keyFile: path(config.nats.tls.keyFile),
            }),
      dataDir: config.nats.dataDir,
      stream: stream("stream"),
      decisionStream: stream("decisionStream"),
      dlqStream: stream("dlqStream"),
      consumer: Object.freeze({ maxMessages: config.nats.consumer.maxMessages }),
    }),
    checkpoint: Object.freeze({
      intervalMs: ms(config.checkpoint.interval, ["checkpoint", "interval"]),
      stateBucket: config.checkpoint.stateBucket,
      metaBucket: config.checkpoint.metaBucket,
      logStream: config.checkpoint.logStream,
    }),
    metrics: Object.freeze({ publishIntervalMs: ms(config.metrics.publishInterval, ["metrics", "publishInterval"]) }),
    segmentProfiles: Object.freeze({ refreshIntervalMs: segmentProfilesRefreshMs(), batchCustomers: config.segmentProfiles.batch }),
    http: Object.freeze({ host: config.http.host, port: config.http.port }),
    logLevel: config.log.level,
    decisions: Object.freeze({
      version,
      metricWindows: businessWindowDays,
      arbitration: Object.freeze({ exploration: config.arbitration.exploration }),
      contactPolicy: contactPolicy(),
      campaigns: campaigns(),
      segments: config.segments,
      actions: Object.freeze(
        config.actions.map(({ responseWindow, ...action }, i) =>
          responseWindow === undefined ? action : { ...action, responseWindowMs: responseWindowMs(responseWindow, i) },
        ),
      ),
      triggers: config.triggers,
    }),
    import: Object.freeze({ delimiter: config.import.delimiter, columns: importColumns, constants: importConstants }),
    locate,
  });
}

/** `{amount: "total", attrs: {store: "store_id"}}` → `{amount: "total", "attrs.store": "store_id"}`, frozen. */
function fieldPaths<T>(fields: Readonly<Record<string, unknown>>): Readonly<Record<string, T>> {
  const paths: Record<string, T> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value === "object" && value !== null) {
      for (const [key, nested] of Object.entries(value)) paths[`${field}.${key}`] = nested as T;
    } else {
      paths[field] = value as T;
    }
  }
  return Object.freeze(paths);
}

/**
 * Environment variables win over the file for connection settings. Returns the key
 * paths they set, with the variable that set each (errors name it). Paths they give
 * are made absolute here, against the working directory.
 */
function applyEnvironment(raw: unknown, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const applied = new Map<string, string>();
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return applied;
  for (const [variable, keyPath] of Object.entries(ENVIRONMENT_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    const keys = keyPath.split(".");
    let target: Record<string, unknown> | undefined = raw as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      if (target[key] === undefined) target[key] = {};
      const child: unknown = target[key];
      // Not a mapping: leave it for the schema to report, under its own key.
      target = typeof child === "object" && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : undefined;
      if (target === undefined) break;
    }
    if (target === undefined) continue;
    target[keys[keys.length - 1]!] =
      keyPath === "http.port" && /^\d+$/.test(value) ? Number(value) : PATH_SETTINGS.has(keyPath) ? resolve(value) : value;
    applied.set(keyPath, variable);
  }
  return applied;
}

function locateIn(
  document: Document,
  text: string,
  lineCounter: LineCounter,
  file: string,
  keyPath: readonly (string | number)[],
): ValueLocation | undefined {
  const node: unknown = keyPath.length === 0 ? document.contents : document.getIn(keyPath, true);
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  if (range === undefined) return undefined;
  const { line, col } = lineCounter.linePos(range[0]);
  if (!isScalar(node) || typeof node.value !== "string") return { file, line, column: col };
  const value = node.value;
  const contentStart = scalarContentStart(text, range[0], (node as Scalar).type);
  const first = lineCounter.linePos(contentStart);
  return {
    file,
    line: first.line,
    column: first.col,
    mapOffset: (offset) => {
      const { line: l, col: c } = lineCounter.linePos(sourceOffsetOf(value, text, contentStart, range[1], offset));
      return { line: l, column: c };
    },
  };
}

/** Where a scalar's characters begin: after an opening quote, or on the line after a block header. */
function scalarContentStart(text: string, start: number, type: Scalar.Type | undefined): number {
  if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) return start + 1;
  if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) {
    let at = text.indexOf("\n", start) + 1;
    while (text[at] === " ") at++;
    return at;
  }
  return start;
}

/**
 * The source offset of character `offset` of a scalar's value. YAML only ever drops
 * source characters (quotes, escape backslashes, indentation, line breaks folded to a
 * space), so walking value and source together, skipping source characters that do
 * not match, lands on the character as written.
 */
function sourceOffsetOf(value: string, text: string, start: number, end: number, offset: number): number {
  let at = start;
  for (let i = 0; i < value.length && at < end; i++, at++) {
    const wanted = value[i] === "\n" ? " " : value[i];
    while (at < end && text[at] !== wanted && !(wanted === " " && text[at] === "\n")) at++;
    if (i === offset) break;
  }
  return Math.min(at, end);
}

function nearestLocation(locate: LocateValue, keyPath: readonly (string | number)[]): ValueLocation | undefined {
  for (let length = keyPath.length - 1; length >= 0; length--) {
    const location = locate(keyPath.slice(0, length));
    if (location !== undefined) return location;
  }
  return undefined;
}

function describeError(error: ValueError): string {
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return "unknown key";
  if (error.type === ValueErrorType.ObjectRequiredProperty) return "required key is missing";
  const anyOf = (error.schema as { anyOf?: { pattern?: string }[] }).anyOf;
  if (anyOf?.some((variant) => variant.pattern === DURATION_PATTERN)) {
    return `expected a duration such as 500ms, 30s, 5m, 1h or 7d, or a number of milliseconds (got ${JSON.stringify(error.value)})`;
  }
  const value = error.value;
  const shown = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? ` (got ${JSON.stringify(value)})` : "";
  return `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}${shown}`;
}

/** Where a key (not its value) is written: unknown keys are reported there. */
function locateKey(
  document: Document,
  lineCounter: LineCounter,
  file: string,
  keyPath: readonly (string | number)[],
): ValueLocation | undefined {
  const parent: unknown = keyPath.length <= 1 ? document.contents : document.getIn(keyPath.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const name = keyPath[keyPath.length - 1];
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === name);
  const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  if (range === undefined) return undefined;
  const { line, col } = lineCounter.linePos(range[0]);
  return { file, line, column: col };
}
