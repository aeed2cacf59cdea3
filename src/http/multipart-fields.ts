// Strict multipart forms, like strict JSON bodies: a text field the route does not read is a 400
// naming it, so a misspelt field is not silently ignored.
import { errors } from '../platform/errors/app-error.js';

/**
 * Throws 400 for a form field outside `known` (the file part itself aside). `fields` is the
 * multipart part's `fields`: every field sent before the file.
 */
export function refuseUnknownFields(
  fields: Record<string, unknown>,
  options: { known: readonly string[]; file: string },
): void {
  const unknown = Object.keys(fields).find((name) => name !== options.file && !options.known.includes(name));
  if (unknown !== undefined)
    throw errors.badRequest(`Invalid body field "${unknown}": is not a known field.`, {
      extensions: { errors: [{ in: 'body', path: `/${unknown}`, message: 'is not a known field' }] },
    });
}
