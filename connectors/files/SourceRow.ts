import type { InputErrorCode } from "../../engine/index.js";

/**
 * The code of a CSV record that cannot be read as CSV (a broken quote, a wrong number
 * of fields). Only the import reports it: such a row never becomes a message, so it is
 * not one of the engine's input codes. The other rejections of a row use those codes.
 */
export const MALFORMED_CSV = "malformed_csv";

export type RowRejectionCode = InputErrorCode | typeof MALFORMED_CSV;

/** Why a row of a file is not imported: a stable code and a readable reason. */
export interface RowRejection {
  readonly code: RowRejectionCode;
  readonly message: string;
}

/** One row of a source file, numbered by the file line it starts on, or the reason it could not be read. */
export type SourceRow<T> =
  | { readonly line: number; readonly values: T; readonly rejection?: undefined }
  | { readonly line: number; readonly rejection: RowRejection };

/** A file read row by row, streaming: never more than one buffer of it in memory. */
export interface RowReader<T> {
  /** How far into the file reading has got, for progress. */
  readonly bytesRead: number;
  rows(): AsyncGenerator<SourceRow<T>>;
}

/** A file that cannot be imported at all, e.g. a CSV file whose header cannot be read. */
export class SourceFileError extends Error {}
