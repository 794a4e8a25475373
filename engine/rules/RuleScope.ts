/** Static types the compiler checks; `any` is for free attributes known only at run time. */
export type ValueType = "number" | "string" | "boolean" | "list" | "any";

export type Reader<C> = (ctx: C) => unknown;

export interface NameBinding<C> {
  readonly type: ValueType;
  readonly read: Reader<C>;
}

/** A compiled argument: constant arguments let a function specialise at compile time. */
export interface CompiledArgument<C> {
  readonly type: ValueType;
  readonly read: Reader<C>;
  readonly constant: boolean;
}

export interface FunctionBinding<C> {
  readonly params: readonly ValueType[];
  readonly returns: ValueType;
  /**
   * Builds the reader for one call site. Returns an error message when an argument
   * is not acceptable (e.g. an unknown channel name), which the compiler reports at
   * the argument's position.
   */
  readonly bind: (args: readonly CompiledArgument<C>[]) => Reader<C> | { readonly error: string; readonly arg: number };
}

/**
 * What a rule may refer to. The rules package knows no customers or events; whoever
 * compiles a rule passes the scope of names and functions that fit where it is used.
 */
export interface RuleScope<C> {
  /** Resolves a dotted name such as `revenue30d` or `event.amount`. */
  name(path: readonly string[]): NameBinding<C> | undefined;
  fn(name: string): FunctionBinding<C> | undefined;
  /** All plain names and functions, for "did you mean" hints. */
  knownNames(): readonly string[];
}
