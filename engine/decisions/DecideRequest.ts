import { Type, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Rejection } from "../errors.js";
import { Attributes, CUSTOMER_ID_PATTERN, EVENT_ID_PATTERN } from "../events/eventSchema.js";
import { rejectionFromSchemaError } from "../events/rejectionFromSchemaError.js";
import type { DecodedObject } from "../wire/decodePayload.js";

export const MAX_DECIDE_LIMIT = 50;

/** Body of a request on `cx.decide.<channel>`: who is in front of us, and in what moment. */
export const DecideRequestSchema = Type.Object(
  {
    customerId: Type.String({ pattern: CUSTOMER_ID_PATTERN, description: "Customer id (token-safe)" }),
    context: Type.Optional(Attributes),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DECIDE_LIMIT, description: "Actions wanted" })),
    issue: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,63}$", description: "Only actions of this issue in the catalog (e.g. retention)" })),
    requestId: Type.Optional(
      Type.String({ pattern: EVENT_ID_PATTERN, description: "Caller's id for the moment; makes the decision id repeatable" }),
    ),
  },
  { $id: "cxpulse.decide.request", additionalProperties: false },
);

export type DecideRequest = Static<typeof DecideRequestSchema>;

const check = TypeCompiler.Compile(DecideRequestSchema);

export function validateDecideRequest(value: DecodedObject): DecideRequest | Rejection {
  return check.Check(value) ? value : rejectionFromSchemaError("decide request", check.Errors(value).First(), "context");
}
