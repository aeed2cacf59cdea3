// Route schemas compiled when a route first validates or serializes, not all at `ready`: Ajv and
// fast-json-stringify compiling every route's schemas was ~0.4 s of start-up CPU (bench
// `foundation`), mostly for routes a process may never serve. Fastify's own default compilers
// build each function, with the server's options (strict bodies: removeAdditional false), so what
// a request sees is the same; only when it is compiled moves.
import ajvCompiler from '@fastify/ajv-compiler';
import serializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

/** A function that compiles itself with `compile` on its first call; Ajv's `errors` are passed on. */
function onFirstCall<F extends (...args: never[]) => unknown>(compile: () => F): F {
  let compiled: F | undefined;
  const lazy = function (this: unknown, ...args: Parameters<F>) {
    compiled ??= compile();
    const result = compiled.apply(this, args);
    // Fastify reads a failed Ajv validation's reasons from the function's `errors` property.
    (lazy as { errors?: unknown }).errors = (compiled as { errors?: unknown }).errors;
    return result;
  };
  return lazy as unknown as F;
}

/**
 * The `schemaController.compilersFactory` option. Fastify then treats the validator compiler as
 * custom, which only means it passes a route's `headers` schema through without lower-casing
 * its keys: Azimuth's routes declare no header schemas.
 */
export function compileOnFirstUse(): Required<CompilersFactory> {
  const buildValidator = ajvCompiler();
  const buildSerializer = serializerCompiler();
  return {
    buildValidator: ((externalSchemas, options) => {
      const compiler = onFirstCall(() => buildValidator(externalSchemas, options));
      return (route: Parameters<typeof compiler>[0]) => onFirstCall(() => compiler(route));
    }) as typeof buildValidator,
    buildSerializer: ((externalSchemas, options) => {
      const compiler = onFirstCall(() => buildSerializer(externalSchemas, options));
      return (route: Parameters<typeof compiler>[0]) => onFirstCall(() => compiler(route));
    }) as typeof buildSerializer,
  };
}
