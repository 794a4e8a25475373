import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { InputErrorCodes, Rejection } from "../errors.js";
import { isNeverUsedPlaceholder } from "../wire/decodePayload.js";
import { CHANNELS } from "./Channel.js";

const TYPE_MISMATCH_ERRORS: ReadonlySet<ValueErrorType> = new Set([
  ValueErrorType.Array,
  ValueErrorType.Boolean,
  ValueErrorType.Integer,
  ValueErrorType.Literal,
  ValueErrorType.Number,
  ValueErrorType.Object,
  ValueErrorType.String,
]);

const CHANNEL_LIST = CHANNELS.join(", ");

/** Turns the first schema violation into a stable code and a message that names the field. */
export function rejectionFromSchemaError(
  what: string,
  error: ValueError | undefined,
  freeFieldsKey: "attrs" | "context",
): Rejection {
  if (error === undefined) return new Rejection(InputErrorCodes.WrongType, `${what} does not match its schema`);
  const field = error.path.slice(1).replaceAll("/", ".") || "(root)";
  const value = error.value;
  if (isNeverUsedPlaceholder(value)) {
    return new Rejection(InputErrorCodes.MalformedMsgpack, `"${field}" holds the never-used MessagePack byte 0xc1`);
  }
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return new Rejection(InputErrorCodes.MissingField, `${what} needs field "${field}"`);
    case ValueErrorType.ObjectAdditionalProperties:
      return new Rejection(
        InputErrorCodes.UnknownField,
        field.includes(".")
          ? `field "${field}" is not allowed in a ${what}`
          : `field "${field}" is not part of a ${what}; free attributes go in "${freeFieldsKey}"`,
      );
  }
  if (field === "customerId" && typeof value === "string") {
    return new Rejection(
      InputErrorCodes.UnsafeCustomerId,
      `"customerId" must be 1-64 characters of A-Z a-z 0-9 _ -`,
    );
  }
  if (field === "channel" && typeof value === "string") {
    return new Rejection(InputErrorCodes.UnknownChannel, `unknown channel; expected one of: ${CHANNEL_LIST}`);
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    return new Rejection(InputErrorCodes.InvalidValue, `"${field}" is ${value}; it must be a finite number`);
  }
  if (field === "ts" && error.type === ValueErrorType.IntegerMinimum) {
    return new Rejection(
      InputErrorCodes.TsOutOfRange,
      `"ts" is before 2000-01-01; it must be epoch milliseconds`,
    );
  }
  if (error.type === ValueErrorType.Union) {
    const allowed = allowedLiterals(error.schema);
    if (typeof value === "string" && allowed !== undefined) {
      return new Rejection(InputErrorCodes.InvalidValue, `"${field}" must be one of: ${allowed}`);
    }
    return new Rejection(InputErrorCodes.WrongType, `"${field}" of a ${what} has the wrong type`);
  }
  if (TYPE_MISMATCH_ERRORS.has(error.type) && !(typeof value === "number" && error.type === ValueErrorType.Integer)) {
    return new Rejection(InputErrorCodes.WrongType, `"${field}" of a ${what}: ${lowerFirst(error.message)}`);
  }
  return new Rejection(InputErrorCodes.InvalidValue, `"${field}" of a ${what}: ${lowerFirst(error.message)}`);
}

function allowedLiterals(schema: unknown): string | undefined {
  const variants = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (!variants?.every((variant) => typeof variant.const === "string")) return undefined;
  return variants.map((variant) => variant.const).join(", ");
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
