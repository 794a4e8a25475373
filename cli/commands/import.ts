import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { extname } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { DEFAULT_CONFIG_PATH, loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { CsvRowReader } from "../../connectors/files/CsvRowReader.js";
import { NdjsonRowReader } from "../../connectors/files/NdjsonRowReader.js";
import { RowMapping, type MappedRow } from "../../connectors/files/RowMapping.js";
import { SourceFileError, type RowReader, type SourceRow } from "../../connectors/files/SourceRow.js";
import { createLogger } from "../../connectors/log/createLogger.js";
import { RateLimitedLog } from "../../connectors/log/RateLimitedLog.js";
import { AckedPublisher } from "../../connectors/nats/AckedPublisher.js";
import { connectNats } from "../../connectors/nats/connectNats.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import {
  ConfigError,
  ConfigErrorCodes,
  encodeOutbound,
  // The live traffic's own validator, so imported rows meet the same contract.
  EventValidator,
  formatKeyPath,
  InputErrorCodes,
  Rejection,
  systemClock,
} from "../../engine/index.js";
import { AckWindow, PublishStalledError } from "../import/AckWindow.js";
import { FileProgress } from "../FileProgress.js";
import { ImportSummary } from "../import/ImportSummary.js";
import { DEFAULT_LOCAL_URL } from "../localNatsServer.js";
import { fileSize, stringOption, UsageError, type OptionValues } from "../options.js";

type Format = "csv" | "ndjson";

const FORMAT_BY_EXTENSION: Readonly<Record<string, Format>> = { ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson" };

/**
 * Publishes awaiting their acknowledgement at once: thousands keep a local server's
 * disk busy (about 65,000 messages/s here); the bound keeps a slow server from making
 * the import buffer the file.
 */
const ACK_WINDOW = 4_096;
/** The import fails (exit 1) when the stream acknowledges nothing for this long, publishes being resent meanwhile. */
const ACK_STALL_MS = 30_000;

/** A file's rows, each mapped to an event input for the validator or rejected. */
interface ImportSource {
  readonly bytesRead: number;
  /** Source columns no event field is read from. */
  readonly unusedColumns: readonly string[];
  rows(): AsyncGenerator<SourceRow<Record<string, unknown>>>;
}

function importSource<T>(reader: RowReader<T>, mapper: { map(values: T, line: number): MappedRow; readonly unusedColumns: readonly string[] }): ImportSource {
  return {
    get bytesRead() {
      return reader.bytesRead;
    },
    get unusedColumns() {
      return mapper.unusedColumns;
    },
    async *rows() {
      for await (const row of reader.rows()) {
        if (row.rejection !== undefined) {
          yield row;
          continue;
        }
        const mapped = mapper.map(row.values, row.line);
        yield mapped instanceof Rejection ? { line: row.line, rejection: mapped } : { line: row.line, values: mapped };
      }
    },
  };
}

/**
 * Loads customers' history from a CSV or NDJSON file into the event stream: each row
 * is mapped to an event (the `import` section of the configuration), validated by the
 * engine's EventValidator and published, acknowledged, to cx.events.<channel>.<customerId>
 * in file order. Rows that fail are counted by code and reported, not published.
 * Each message's Nats-Msg-Id is the file's content hash and the row's line, so running
 * the same import again within the stream's duplicate window stores nothing twice.
 */
export async function runImport(values: OptionValues): Promise<number> {
  const file = stringOption(values, "file");
  if (file === undefined || file === "") throw new UsageError("--file is required");
  const format = formatOf(file, stringOption(values, "format"));
  const size = fileSize(file);
  const config = loadConfig(stringOption(values, "config") ?? DEFAULT_CONFIG_PATH, process.env);
  const dryRun = values["dry-run"] === true;
  const servers = stringOption(values, "nats-url") ?? (config.nats.url || DEFAULT_LOCAL_URL);

  const mapping = new RowMapping(config.import);
  const csv = format === "csv" ? await openCsv(file, config, mapping) : undefined;
  const summary = new ImportSummary();
  const progress = new FileProgress(size);
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  process.once("SIGINT", interrupt);
  const started = performance.now();
  let unusedColumns: readonly string[] = [];
  let publishError: PublishStalledError | undefined;
  let nc: NatsConnection | undefined;
  let publisher: AckedPublisher | undefined;
  try {
    if (!dryRun) {
      nc = await connectNats({ ...config.nats, servers });
      publisher = new AckedPublisher(nc, new RateLimitedLog(createLogger(config.logLevel, 2)));
      await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    }
    const digest = await contentDigest(file, progress);
    // A row without an id gets one from the file's content and its line: the same on every run.
    const idForLine = (line: number) => `imp-${digest.slice(0, 16)}-${line}`;
    const source =
      csv === undefined
        ? importSource(new NdjsonRowReader(file), mapping.forObjects(idForLine))
        : importSource(csv, mapping.forHeader(csv.header, idForLine));
    const window = publisher === undefined ? undefined : new AckWindow(publisher, ACK_WINDOW, ACK_STALL_MS);
    const validator = new EventValidator({ clock: systemClock, maxFutureSkewMs: config.engine.maxFutureSkewMs });
    progress.phase("importing", () => ({
      bytes: source.bytesRead,
      detail: `| ${summary.rowsRead.toLocaleString("en-US")} rows, ${summary.rejected.toLocaleString("en-US")} rejected`,
    }));
    publishError = await importRows(source, summary, {
      validator,
      window,
      msgIdPrefix: `cxpulse-import:${digest.slice(0, 32)}`,
      maxPayloadBytes: config.engine.maxPayloadBytes,
      interrupted: () => interrupted,
    });
    summary.published = window?.acknowledged ?? 0;
    unusedColumns = source.unusedColumns;
  } finally {
    progress.stop();
    process.removeListener("SIGINT", interrupt);
    csv?.close();
    publisher?.stop();
    // Every publish is acknowledged by now (or the import failed): nothing in flight needs a drain.
    await nc?.close();
  }
  const context = {
    file,
    format,
    stream: config.nats.stream.name,
    dryRun,
    elapsedMs: performance.now() - started,
    unusedColumns,
    duplicateWindowMs: config.nats.stream.duplicateWindowMs,
    ...(publishError === undefined ? {} : { publishError: publishError.message }),
  };
  process.stdout.write(values.json === true ? `${JSON.stringify(summary.report(context))}\n` : summary.format(context));
  if (interrupted) process.stderr.write("cxpulse: import interrupted; the summary covers the rows read until then\n");
  return publishError !== undefined ? 1 : interrupted ? 130 : 0;
}

interface RowImport {
  readonly validator: EventValidator;
  /** Undefined for a dry run. */
  readonly window: AckWindow | undefined;
  /** With the row's line, the Nats-Msg-Id of its message. */
  readonly msgIdPrefix: string;
  readonly maxPayloadBytes: number;
  readonly interrupted: () => boolean;
}

/**
 * Checks each row and publishes the good ones in file order, counting both, until the
 * file ends or the import is interrupted; then waits until every publish is stored.
 * Returns the failure if the stream stopped acknowledging.
 */
async function importRows(source: ImportSource, summary: ImportSummary, options: RowImport): Promise<PublishStalledError | undefined> {
  const { validator, window, msgIdPrefix, maxPayloadBytes, interrupted } = options;
  try {
    for await (const row of source.rows()) {
      if (interrupted()) break;
      summary.rowsRead++;
      const outcome = row.rejection ?? toMessage(row.values, validator, maxPayloadBytes);
      if ("data" in outcome) {
        summary.accepted++;
        await window?.publish(outcome.subject, outcome.data, `${msgIdPrefix}:${row.line}`);
      } else {
        summary.reject(row.line, outcome);
      }
    }
    await window?.settled();
    return undefined;
  } catch (error) {
    if (error instanceof PublishStalledError) return error;
    throw error;
  }
}

interface EventMessage {
  readonly subject: string;
  readonly data: Uint8Array;
}

/** The message a mapped row becomes, checked as the engine checks live traffic, or why it cannot be one. */
function toMessage(input: Record<string, unknown>, validator: EventValidator, maxPayloadBytes: number): EventMessage | Rejection {
  const event = validator.validate(input);
  if (event instanceof Rejection) return event;
  const data = encodeOutbound(event);
  if (data.length > maxPayloadBytes) {
    return new Rejection(
      InputErrorCodes.PayloadTooLarge,
      `the event is ${data.length} bytes as MessagePack; the engine takes at most ${maxPayloadBytes} (engine.maxPayloadBytes)`,
    );
  }
  return { subject: Subjects.event(event.channel, event.customerId), data };
}

function formatOf(file: string, given: string | undefined): Format {
  if (given !== undefined) {
    if (given === "csv" || given === "ndjson") return given;
    throw new UsageError(`--format must be csv or ndjson, got "${given}"`);
  }
  const format = FORMAT_BY_EXTENSION[extname(file).toLowerCase()];
  if (format === undefined) {
    throw new UsageError(`cannot tell the format of ${file} from its name (.csv, .ndjson or .jsonl); give --format csv or --format ndjson`);
  }
  return format;
}

/** The SHA-256 of the file's content: the identity of an import, in generated event ids and in Nats-Msg-Id. */
async function contentDigest(file: string, progress: FileProgress): Promise<string> {
  const hash = createHash("sha256");
  const source = createReadStream(file);
  progress.phase("hashing", () => ({ bytes: source.bytesRead, detail: "" }));
  for await (const chunk of source) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Opens a CSV file and reads its header. A column the configuration names that the
 * header lacks would leave that field out of every row: it stops the import before
 * anything is published, pointing at the setting.
 */
async function openCsv(file: string, config: CxConfig, mapping: RowMapping): Promise<CsvRowReader> {
  let reader: CsvRowReader;
  try {
    reader = await CsvRowReader.open(file, config.import.delimiter);
  } catch (error) {
    if (error instanceof SourceFileError) throw new UsageError(error.message);
    throw error;
  }
  const [missing] = mapping.missingColumns(reader.header);
  if (missing !== undefined) {
    reader.close();
    const keyPath = ["import", "columns", ...missing.field.split(".")];
    const where = config.locate(keyPath);
    throw new ConfigError(
      ConfigErrorCodes.ConfigInvalid,
      `column "${missing.column}" is not in the header of ${file} (its columns: ${reader.header.join(", ") || "none"})`,
      { ...(where === undefined ? {} : { position: { file: config.file, line: where.line, column: where.column } }), keyPath: formatKeyPath(keyPath) },
    );
  }
  return reader;
}
