/** How the evaluation reads a column: a number (scaled by the model) or a category (hashed). */
export type ColumnKind = "numeric" | "categorical";

/** Distinct values tracked per text column to spot an id; past this the column is not flagged. */
const MAX_TRACKED_DISTINCT = 100_000;

/**
 * A first pass over a file's rows that decides from the values alone how each column is
 * read, with nothing specific to any file: numeric when every non-empty cell is a finite
 * decimal number (an empty cell is then "missing"), categorical otherwise. It also spots
 * columns that look like row ids (every text value distinct, or numbers counting up by
 * one), which carry no signal but would be learned from: the command names them so the
 * user can pass them to --ignore.
 */
export class ColumnSurvey {
  readonly #columns: number;
  readonly #numeric: boolean[];
  readonly #counting: boolean[];
  readonly #previous: number[];
  readonly #distinct: (Set<string> | undefined)[];
  rows = 0;

  constructor(columns: number) {
    this.#columns = columns;
    this.#numeric = new Array<boolean>(columns).fill(true);
    this.#counting = new Array<boolean>(columns).fill(true);
    this.#previous = new Array<number>(columns).fill(Number.NaN);
    this.#distinct = Array.from({ length: columns }, () => new Set<string>());
  }

  observe(cells: readonly string[]): void {
    for (let j = 0; j < this.#columns; j++) {
      const cell = cells[j]!.trim();
      const value = parseNumber(cell);
      if (cell !== "" && Number.isNaN(value)) this.#numeric[j] = false;
      if (this.#counting[j] && !(this.rows === 0 || value === this.#previous[j]! + 1)) this.#counting[j] = false;
      this.#previous[j] = value;
      const distinct = this.#distinct[j];
      if (distinct !== undefined) {
        distinct.add(cell);
        if (distinct.size > MAX_TRACKED_DISTINCT || distinct.size <= this.rows) this.#distinct[j] = undefined;
      }
    }
    this.rows++;
  }

  kindOf(column: number): ColumnKind {
    return this.#numeric[column] ? "numeric" : "categorical";
  }

  /** Whether the column looks like a row id: at least two rows, all with distinct text, or numbers counting up by one. */
  looksLikeId(column: number): boolean {
    if (this.rows < 2) return false;
    return this.#numeric[column] ? this.#counting[column]! : this.#distinct[column] !== undefined;
  }
}

/** A cell's number, NaN for an empty cell or text that is not a finite decimal number. */
export function parseNumber(cell: string): number {
  if (cell === "") return Number.NaN;
  const value = Number(cell);
  return Number.isFinite(value) ? value : Number.NaN;
}
