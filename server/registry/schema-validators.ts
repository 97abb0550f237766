import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { InvalidArgumentError } from '../../shared/index.js';
import { linearRegExp } from './linear-regexp.js';

/** At most this many schema errors are reported for one payload. */
const MAX_REPORTED_ERRORS = 20;

/** One reason a payload does not match its schema. */
export interface SchemaError {
  /** JSON Pointer into the payload (`/items/0/price`; `` for the payload itself). */
  path: string;
  message: string;
}

/** A compiled schema: the errors of a payload, empty when it matches. */
export type PayloadCheck = (payload: unknown) => SchemaError[];

/**
 * Compiles tenants' JSON Schemas (Ajv, draft 2020-12, with the standard formats) into payload
 * checks, once per schema version.
 *
 * Why these settings: strict schemas refuse unknown keywords and formats when the schema is
 * registered, so a typo (`"requried"`) is an error then instead of a schema that checks nothing;
 * patterns run on RE2 ({@link linearRegExp}), linear in the payload, so no schema can stall the
 * event loop; every error is collected (up to 20 reported) so a producer fixes a payload in one
 * round.
 *
 * @example
 * const check = new SchemaValidators().compile({ type: 'object', required: ['id'] });
 * check({}); // [{ path: '', message: "must have required property 'id'" }]
 */
export class SchemaValidators {
  private readonly ajv: Ajv2020;

  constructor() {
    // Unknown keywords and formats are errors; constructs that are valid JSON Schema but look odd
    // (`required` naming a property without a schema, `properties` without `type`) are not.
    this.ajv = new Ajv2020({
      strictSchema: true,
      strictNumbers: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allErrors: true,
      code: { regExp: linearRegExp },
    });
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
  }

  /**
   * Compiles a schema.
   *
   * @throws InvalidArgumentError when it is not a valid JSON Schema (or uses a pattern RE2 cannot run), with the reasons.
   */
  compile(schema: Record<string, unknown>): PayloadCheck {
    let validate: ValidateFunction;
    try {
      // `$id` would register the schema globally in this Ajv: each version is compiled on its own.
      const { $id: _id, ...withoutId } = schema;
      validate = this.ajv.compile(withoutId);
      // Ajv keeps every schema it compiled (keyed by the object): the caller keeps the check, so
      // the Ajv instance must not, or each compile would grow it for good.
      this.ajv.removeSchema(withoutId);
    } catch (err) {
      throw new InvalidArgumentError(`The schema is not valid: ${err instanceof Error ? err.message : String(err)}`, {
        details: { issues: [{ path: ['schema'], message: err instanceof Error ? err.message : String(err) }] },
      });
    }
    return (payload) => (validate(payload) ? [] : (validate.errors ?? []).slice(0, MAX_REPORTED_ERRORS).map(toSchemaError));
  }
}

function toSchemaError(error: ErrorObject): SchemaError {
  const property =
    (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
    (error.params as { additionalProperty?: string }).additionalProperty;
  const message =
    property !== undefined && error.keyword === 'additionalProperties' ? `must not have property '${property}'` : (error.message ?? error.keyword);
  return { path: error.instancePath, message };
}
