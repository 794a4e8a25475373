/**
 * The one catalogue of cxpulse error codes.
 *
 * A code is stable and never reused: it is the suffix of the dead-letter subject
 * (`cx.dlq.<code>`), the `code` label of `cx_events_rejected_total`, and the `code`
 * of an error reply. `docs/errors.md` documents every code; a test keeps the two equal.
 */
export const InputErrorCodes = {
  EmptyPayload: "empty_payload",
  PayloadTooLarge: "payload_too_large",
  MalformedMsgpack: "malformed_msgpack",
  MalformedJson: "malformed_json",
  NotAnObject: "not_an_object",
  MissingField: "missing_field",
  WrongType: "wrong_type",
  UnknownField: "unknown_field",
  UnknownEventType: "unknown_event_type",
  UnknownChannel: "unknown_channel",
  InvalidValue: "invalid_value",
  TsOutOfRange: "ts_out_of_range",
  UnsafeCustomerId: "unsafe_customer_id",
  SubjectMismatch: "subject_mismatch",
} as const;

export type InputErrorCode = (typeof InputErrorCodes)[keyof typeof InputErrorCodes];

/** Every input error code in declaration order; its index is the code's slot in counters. */
export const INPUT_ERROR_CODES: readonly InputErrorCode[] = Object.values(InputErrorCodes);

export const INPUT_ERROR_INDEX: ReadonlyMap<InputErrorCode, number> = new Map(
  INPUT_ERROR_CODES.map((code, index) => [code, index]),
);

/** Errors found while loading configuration or compiling rules; they stop a start or a reload. */
export const ConfigErrorCodes = {
  ConfigUnreadable: "config_unreadable",
  ConfigSyntax: "config_syntax",
  ConfigInvalid: "config_invalid",
  RuleSyntax: "rule_syntax",
  RuleType: "rule_type",
  RuleUnknownName: "rule_unknown_name",
  UnknownReference: "unknown_reference",
} as const;

export type ConfigErrorCode = (typeof ConfigErrorCodes)[keyof typeof ConfigErrorCodes];

/** Faults that are not the caller's input: a service's own failure, a missing dependency. */
export const ServiceErrorCodes = {
  InternalError: "internal_error",
  NatsServerMissing: "nats_server_missing",
  NatsConnectFailed: "nats_connect_failed",
  /** A tool that reads the engine's checkpoints found none committed. */
  NoCheckpoint: "no_checkpoint",
  /** A model fit found no data to fit to. */
  NothingToFit: "nothing_to_fit",
} as const;

export type ServiceErrorCode = (typeof ServiceErrorCodes)[keyof typeof ServiceErrorCodes];

export type ErrorCode = InputErrorCode | ConfigErrorCode | ServiceErrorCode;

/**
 * Rejected input is a value on the hot path, not an exception: decode and validate
 * return one, the engine counts it and hands it to the dead-letter output.
 */
export class Rejection {
  readonly code: InputErrorCode;
  readonly message: string;

  constructor(code: InputErrorCode, message: string) {
    this.code = code;
    this.message = message;
  }
}

/** Base class of the errors cxpulse throws; they are for start-up, configuration and bugs. */
export class CxError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Where in a configuration file something is; lines and columns count from 1. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

/** A configuration or rule error that points at a file, line and column. */
export class ConfigError extends CxError {
  readonly position: SourcePosition | undefined;
  readonly keyPath: string | undefined;

  constructor(
    code: ConfigErrorCode,
    message: string,
    where: { position?: SourcePosition; keyPath?: string } = {},
    options?: ErrorOptions,
  ) {
    const prefix = [where.position && formatPosition(where.position), where.keyPath]
      .filter(Boolean)
      .join(" ");
    super(code, prefix ? `${prefix}: ${message}` : message, options);
    this.position = where.position;
    this.keyPath = where.keyPath;
  }
}
