import { Type, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

/** What `cx.query.cube` can group by and filter on. */
export const CUBE_DIMENSIONS = ["segment", "channel", "lifecycleStage", "valueTier", "npsClass", "month"] as const;
export type CubeDimension = (typeof CUBE_DIMENSIONS)[number];

/**
 * What `cx.query.cube` can report per group; see docs/cube.md for each one's exact
 * meaning. The first ones are sums of the cells; `profit`, `churnRate` and
 * `responseRate` are computed from the sums of their parts, never averaged.
 */
export const CUBE_MEASURES = [
  "customers",
  "events",
  "revenue",
  "cost",
  "profit",
  "purchases",
  "cancellations",
  "churnRate",
  "offerResponses",
  "positiveResponses",
  "responseRate",
] as const;
export type CubeMeasure = (typeof CUBE_MEASURES)[number];

const NAME = Type.String({ maxLength: 64 });

/**
 * Body of `cx.query.cube`: the dimensions to group by (none: one row of totals), the
 * measures (absent: all of them), and a filter of dimension values, each one value or
 * a list of accepted values (months as `YYYY-MM`).
 */
export const CubeQuerySchema = Type.Object(
  {
    dimensions: Type.Optional(Type.Array(NAME, { maxItems: CUBE_DIMENSIONS.length })),
    measures: Type.Optional(Type.Array(NAME, { maxItems: 32 })),
    filter: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([NAME, Type.Array(NAME, { minItems: 1, maxItems: 64 })]))),
  },
  { additionalProperties: false },
);
export type CubeQueryBody = Static<typeof CubeQuerySchema>;
export const cubeQueryCheck = TypeCompiler.Compile(CubeQuerySchema);

/** One group of the answer: its dimension values, then its measures (null: a rate over nothing). */
export type CubeRow = Record<string, string | number | null>;

/** The answer to a cube query. */
export interface CubeAnswer {
  /** Event-time watermark the cells are current to. */
  readonly watermark: number;
  /** The calendar months the cube holds (oldest, newest), null before any event. */
  readonly months: { readonly from: string; readonly to: string } | null;
  readonly dimensions: readonly CubeDimension[];
  readonly measures: readonly CubeMeasure[];
  /** Groups with at least one event, ordered by the dimensions' values in the asked order. */
  readonly rows: CubeRow[];
}
