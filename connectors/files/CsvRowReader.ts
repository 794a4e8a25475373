import { createReadStream, type ReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse, type CsvError, type InfoRecord, type Parser } from "csv-parse";
import { MALFORMED_CSV, SourceFileError, type RowReader, type SourceRow } from "./SourceRow.js";

/**
 * A record longer than this is not data but a quote opened and never closed: the
 * parser gives up on it instead of buffering the rest of the file into one field.
 */
const MAX_RECORD_BYTES = 1 << 20;
/** Bytes read at a time while looking for the end of a broken record's first line. */
const LINE_SCAN_BYTES = 64 * 1024;

interface ParsedRecord {
  readonly cells: string[];
  /** The file line the record starts on. */
  readonly line: number;
}

/**
 * One run of the streaming parser over the file, from a byte offset to the end or to
 * the first record it cannot read. The parser is fed one chunk at a time and hands
 * over each record as it completes (`on_record`), so a chunk's good records are kept
 * even when a later record in the same chunk is broken.
 */
class CsvRun {
  readonly #source: ReadStream;
  readonly #chunks: AsyncIterator<Buffer>;
  readonly #parser: Parser;
  /** The file offset the run starts at, and the lines of the file before it. */
  readonly #start: number;
  readonly #linesBefore: number;
  readonly parsed: ParsedRecord[] = [];
  /** The first record the parser could not read; the run is over then. */
  error: CsvError | undefined;
  ended = false;
  /** The last good record's end: its last line, the blank lines before it, and the file offset after it. */
  #lastLine = 0;
  #lastEmptyLines = 0;
  lastRecordEnd: number;

  constructor(file: string, delimiter: string, start: number, linesBefore: number) {
    this.#start = start;
    this.#linesBefore = linesBefore;
    this.lastRecordEnd = start;
    this.#source = createReadStream(file, { start });
    this.#chunks = this.#source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.#parser = parse({
      delimiter,
      bom: start === 0,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_BYTES,
      // Errors come to on_skip as values; the parser's state after one is not trusted (see CsvRowReader).
      skip_records_with_error: true,
      on_skip: (error) => {
        this.error ??= error;
        return undefined;
      },
      // Records are taken here, not read from the stream: null keeps them out of its buffer.
      on_record: (cells: string[], info: InfoRecord) => {
        if (this.error === undefined) this.#take(cells, info);
        return null;
      },
    });
  }

  /** The line a record after the last good one starts on, if no blank line comes between. */
  get brokenLine(): number {
    return this.#linesBefore + this.#lastLine + 1;
  }

  /** Feeds the parser the next chunk of the file, or the end of it. */
  async feed(): Promise<void> {
    const chunk = await this.#chunks.next();
    if (chunk.done === true) {
      await new Promise<void>((resolve) => this.#parser.end(resolve));
      this.ended = true;
    } else {
      await new Promise<void>((resolve, reject) => this.#parser.write(chunk.value, (error) => (error ? reject(error) : resolve())));
    }
  }

  /** How far into the file the run has read. */
  get position(): number {
    return this.#start + this.#source.bytesRead;
  }

  close(): void {
    this.#source.destroy();
    this.#parser.destroy();
  }

  #take(cells: string[], info: InfoRecord): void {
    const line = this.#linesBefore + this.#lastLine + 1 + (info.empty_lines - this.#lastEmptyLines);
    this.#lastLine = info.lines;
    this.#lastEmptyLines = info.empty_lines;
    // `bytes` counts from the run's start and includes the record's delimiter.
    this.lastRecordEnd = this.#start + info.bytes;
    this.parsed.push({ cells, line });
  }
}

/**
 * Reads a CSV file with a header line, streaming: the file is read a chunk at a time,
 * and the next chunk only once the records of the last one are taken. A record the
 * parser cannot read (a stray or unclosed quote) is rejected alone, by starting a new
 * run of the parser at the line after the one the record starts on: csv-parse's own
 * `skip_records_with_error` keeps the quoting state after a bad closing quote and
 * would swallow the rest of the file into that record. A record with more or fewer
 * fields than the header is rejected too. Rows are numbered by the line they start on.
 */
export class CsvRowReader implements RowReader<readonly string[]> {
  readonly header: readonly string[];
  readonly #file: string;
  readonly #delimiter: string;
  #run: CsvRun;
  /** The furthest offset read so far: a new run starts before where the failed one had read to, and progress does not go back. */
  #bytesRead = 0;

  private constructor(file: string, delimiter: string, run: CsvRun, header: readonly string[]) {
    this.#file = file;
    this.#delimiter = delimiter;
    this.#run = run;
    this.header = header;
  }

  /** Opens the file and reads its header; throws SourceFileError if the header is not readable CSV. */
  static async open(file: string, delimiter: string): Promise<CsvRowReader> {
    const run = new CsvRun(file, delimiter, 0, 0);
    try {
      while (run.parsed.length === 0 && run.error === undefined && !run.ended) await run.feed();
    } catch (error) {
      run.close();
      throw error;
    }
    const header = run.parsed.shift()?.cells ?? [];
    const repeated = header.find((column, i) => column !== "" && header.indexOf(column) !== i);
    const problem =
      run.error !== undefined && header.length === 0
        ? `cannot read the CSV header of ${file}: ${describe(run.error)}`
        : repeated !== undefined
          ? `the CSV header of ${file} names column "${repeated}" twice`
          : undefined;
    if (problem !== undefined) {
      run.close();
      throw new SourceFileError(problem);
    }
    return new CsvRowReader(file, delimiter, run, header);
  }

  /** Stops reading before the rows are read (iterating `rows` to its end or breaking out of it closes the file too). */
  close(): void {
    this.#run.close();
  }

  get bytesRead(): number {
    this.#bytesRead = Math.max(this.#bytesRead, this.#run.position);
    return this.#bytesRead;
  }

  async *rows(): AsyncGenerator<SourceRow<readonly string[]>> {
    try {
      for (;;) {
        const run = this.#run;
        for (const { cells, line } of run.parsed) {
          if (cells.length === this.header.length) {
            yield { line, values: cells };
          } else {
            const message = `has ${cells.length} field${cells.length === 1 ? "" : "s"}; the header has ${this.header.length}`;
            yield { line, rejection: { code: MALFORMED_CSV, message } };
          }
        }
        run.parsed.length = 0;
        if (run.error !== undefined) {
          const broken = await this.#restartAfterBrokenLine(run, run.error);
          if (broken !== undefined) yield broken;
          if (this.#run === run) return;
        } else if (run.ended) {
          return;
        } else {
          await run.feed();
        }
      }
    } finally {
      this.close();
    }
  }

  /**
   * Starts a new run at the line after the first line of the record the parser could
   * not read, unless the file ends there, and rejects that line; a blank line before
   * the broken record is skipped silently (the record fails again in the next run).
   */
  async #restartAfterBrokenLine(failed: CsvRun, error: CsvError): Promise<SourceRow<readonly string[]> | undefined> {
    failed.close();
    const line = failed.brokenLine;
    const { end, blank } = await scanLine(this.#file, failed.lastRecordEnd);
    if (end !== undefined) this.#run = new CsvRun(this.#file, this.#delimiter, end, line);
    return blank ? undefined : { line, rejection: { code: MALFORMED_CSV, message: `not readable as CSV: ${describe(error)}` } };
  }
}

/** Where the line starting at `offset` ends (the offset after its newline; undefined at the end of the file) and whether it is blank. */
async function scanLine(file: string, offset: number): Promise<{ end: number | undefined; blank: boolean }> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(LINE_SCAN_BYTES);
    let blank = true;
    for (let position = offset; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return { end: undefined, blank };
      const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
      blank &&= buffer.subarray(0, newline < 0 ? bytesRead : newline).toString("utf8").trim() === "";
      if (newline >= 0) return { end: position + newline + 1, blank };
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** The parser's reason, without its line numbers (they count from where the run started). */
function describe(error: CsvError): string {
  switch (error.code) {
    case "INVALID_OPENING_QUOTE":
      return 'a quote inside an unquoted field (quote the whole field and double each quote in it: "a ""b"" c")';
    case "CSV_INVALID_CLOSING_QUOTE":
      return "a quoted field goes on after its closing quote";
    case "CSV_QUOTE_NOT_CLOSED":
    case "CSV_MAX_RECORD_SIZE":
      return "a quote is opened and never closed";
    default:
      return error.message.replace(/\s*(at|on) line \d+/g, "");
  }
}
