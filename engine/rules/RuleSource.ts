import { ConfigError, type ConfigErrorCode, type SourcePosition } from "../errors.js";

/** Maps an offset in an expression's text to its line and column in the file. */
export type OffsetMapper = (offset: number) => { line: number; column: number };

/**
 * An expression's text and where it sits in its configuration file, so that an error
 * at character `offset` of the expression can name the file's own line and column.
 * Configuration loaders that know how the text was written (YAML folds lines, unescapes
 * quotes) pass a `mapOffset`; otherwise lines are counted in the text itself.
 */
export class RuleSource {
  readonly text: string;
  readonly file: string;
  /** File position of the expression's first character. */
  readonly line: number;
  readonly column: number;
  /** Key path of the expression in the configuration, e.g. `triggers[0].when`. */
  readonly keyPath: string | undefined;
  readonly #mapOffset: OffsetMapper | undefined;

  constructor(
    text: string,
    where: { file?: string; line?: number; column?: number; keyPath?: string; mapOffset?: OffsetMapper } = {},
  ) {
    this.text = text;
    this.file = where.file ?? "<rule>";
    this.line = where.line ?? 1;
    this.column = where.column ?? 1;
    this.keyPath = where.keyPath;
    this.#mapOffset = where.mapOffset;
  }

  positionAt(offset: number): SourcePosition {
    if (this.#mapOffset !== undefined) return { file: this.file, ...this.#mapOffset(offset) };
    let lineDelta = 0;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        lineDelta++;
        lineStart = i + 1;
      }
    }
    return lineDelta === 0
      ? { file: this.file, line: this.line, column: this.column + offset }
      : { file: this.file, line: this.line + lineDelta, column: 1 + offset - lineStart };
  }

  error(code: ConfigErrorCode, offset: number, message: string): ConfigError {
    const where = this.keyPath === undefined ? { position: this.positionAt(offset) } : { position: this.positionAt(offset), keyPath: this.keyPath };
    return new ConfigError(code, `${message}\n    ${this.#excerpt(offset)}`, where);
  }

  /** The offending line of the expression with a caret under the offset. */
  #excerpt(offset: number): string {
    const start = this.text.lastIndexOf("\n", offset - 1) + 1;
    const endAt = this.text.indexOf("\n", offset);
    const end = endAt === -1 ? this.text.length : endAt;
    return `${this.text.slice(start, end)}\n    ${" ".repeat(Math.max(0, offset - start))}^`;
  }
}
