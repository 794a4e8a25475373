import { FeatureVector } from "../../engine/index.js";
import { parseNumber, type ColumnKind } from "./ColumnSurvey.js";

/** One feature column: where it is in a row, how it is read, its name hashed once. */
interface FeatureColumn {
  readonly index: number;
  readonly numeric: boolean;
  readonly seed: number;
}

/**
 * Turns a CSV row into the FeatureVector the engine's models read: numeric columns by
 * name (the model standardises them; an empty cell is the feature's missing indicator),
 * categorical ones as hashed (column, value) indicators. Column names are hashed once.
 */
export class RowEncoder {
  readonly #columns: readonly FeatureColumn[];

  constructor(features: readonly { readonly index: number; readonly name: string; readonly kind: ColumnKind }[]) {
    this.#columns = features.map(({ index, name, kind }) => ({ index, numeric: kind === "numeric", seed: FeatureVector.seed(name) }));
  }

  encode(cells: readonly string[], into: FeatureVector): FeatureVector {
    into.clear();
    for (const { index, numeric, seed } of this.#columns) {
      const cell = cells[index]!.trim();
      if (numeric) into.addNumeric(seed, parseNumber(cell));
      else into.addCategorical(seed, cell);
    }
    return into;
  }
}
