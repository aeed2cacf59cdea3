// The per-request features the foundation adds to every route, by name. Production runs all of
// them; the bench (`npm run bench foundation`) builds the app without one at a time to print
// each one's cost. Leaving one out is decided when the app is built, so it costs nothing per request.

export const requestFeatures = [
  'request-log',
  'correlation-context',
  'security-headers',
  'cors',
  'rate-limit',
  'metrics',
  'auth',
  'validation',
  'serialization',
] as const;

export type RequestFeature = (typeof requestFeatures)[number];

/** True unless the bench asked to build the app without `feature`. */
export const featureOn = (off: readonly RequestFeature[] | undefined, feature: RequestFeature) =>
  off?.includes(feature) !== true;
