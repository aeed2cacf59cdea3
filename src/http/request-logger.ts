// What `request.log` is: the process logger itself, unless the route changes the level or the
// serializers. The correlation id reaches every line through the logger's mixin, so a child per
// request would only bind it twice, and making one costs more than the request's own log line.
import type { FastifyBaseLogger } from 'fastify';

type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;

export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  _bindings: unknown,
  options: ChildOptions,
): FastifyBaseLogger {
  return options.level === undefined && options.serializers === undefined
    ? logger
    : logger.child({}, options);
}
