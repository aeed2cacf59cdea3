// Steady HTTP traffic against a server a test started, the way a load balancer sends it: a few
// loops each sending one request after another while the backend is in rotation, and a front end
// that polls readiness and takes the backend out of rotation on a 503 or a refused connection.
// Every outcome is counted, so a test (SIGTERM, chaos) can assert what clients saw.

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path: string;
  /** JSON body, made fresh for each request. */
  body?: () => object;
}

export interface LoadReport {
  requests: number;
  /** Answers by status code. */
  byStatus: Record<number, number>;
  /** Answers whose status was not 2xx. */
  non2xx: number;
  /** Connections the server never accepted (ECONNREFUSED): nothing was sent on them. */
  refused: number;
  /** Failures after the connection was accepted (resets, hang-ups, timeouts), by error code. */
  errors: Record<string, number>;
  /** Answers carrying `Connection: close`. */
  connectionClose: number;
  /** Answers received after `markSignal()`. */
  answeredAfterSignal: number;
}

export interface SteadyLoad {
  /** Notes when the test signalled the server, to count what was answered afterwards. */
  markSignal(): void;
  report(): LoadReport;
  /** Stops the loops (each finishes its request in flight) and returns the report. */
  stop(): Promise<LoadReport>;
}

export interface ReadinessWatcher {
  inRotation(): boolean;
  /** Readiness answers seen, by status (a refused probe counts as 0). */
  seen: Record<number, number>;
  stop(): void;
}

const errorCode = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : (error as Error).name;
};

/** Polls `/health/readiness`; once it answers 503 or refuses, the backend stays out of rotation. */
export function watchReadiness(baseUrl: string, intervalMs = 50): ReadinessWatcher {
  const seen: Record<number, number> = {};
  let inRotation = true;
  const probe = async () => {
    const status = await fetch(`${baseUrl}/health/readiness`).then(
      (response) => response.status,
      () => 0,
    );
    seen[status] = (seen[status] ?? 0) + 1;
    if (status !== 200) inRotation = false;
  };
  const timer = setInterval(() => void probe(), intervalMs);
  return {
    inRotation: () => inRotation,
    seen,
    stop: () => clearInterval(timer),
  };
}

export function startSteadyLoad(options: {
  baseUrl: string;
  requests: LoadRequest[];
  /** Loops sending at once (default 4). */
  concurrency?: number;
  /** Checked before each request (default: always). */
  inRotation?: () => boolean;
}): SteadyLoad {
  const report: LoadReport = {
    requests: 0,
    byStatus: {},
    non2xx: 0,
    refused: 0,
    errors: {},
    connectionClose: 0,
    answeredAfterSignal: 0,
  };
  let running = true;
  let signalled = false;
  const inRotation = options.inRotation ?? (() => true);

  const send = async (request: LoadRequest) => {
    report.requests += 1;
    try {
      const response = await fetch(`${options.baseUrl}${request.path}`, {
        method: request.method ?? 'GET',
        ...(request.body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body()) }),
      });
      await response.arrayBuffer();
      report.byStatus[response.status] = (report.byStatus[response.status] ?? 0) + 1;
      if (response.status < 200 || response.status >= 300) report.non2xx += 1;
      if (response.headers.get('connection') === 'close') report.connectionClose += 1;
      if (signalled) report.answeredAfterSignal += 1;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') report.refused += 1;
      else report.errors[code] = (report.errors[code] ?? 0) + 1;
    }
  };

  const loop = async (offset: number) => {
    for (let i = offset; running && inRotation(); i++) {
      await send(options.requests[i % options.requests.length] as LoadRequest);
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 4 }, (_, i) => loop(i));

  return {
    markSignal: () => {
      signalled = true;
    },
    report: () => report,
    async stop() {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}
