// Seed 004's sampling rule: about N traces a second reach Application Insights, but a failed or
// slow request is always there to look at. A head sampler (the distro's RateLimitedSampler on its
// own) decides before the outcome is known, so the distro records every span (ratio 1) and this
// processor, registered ahead of the distro's export batcher, decides at the end:
//   - a trace the rate limiter picked when its first span started is exported whole, carrying the
//     limiter's sample rate (Application Insights multiplies counts back by it);
//   - any other span is exported only if it failed or is a server span slower than the threshold;
//   - everything else has its SAMPLED flag cleared, which is what the batcher checks before export.
// Standard metrics (request rate, failures, duration) are computed by the distro's processor
// before this one, from every span, so they stay exact. Relied on: @azure/monitor-opentelemetry
// 1.18.1 (dist/esm/index.js: user spanProcessors sit between its metrics processor and its
// BatchSpanProcessor), @opentelemetry/sdk-trace 2.x (BatchSpanProcessorBase.onEnd skips spans
// whose traceFlags lack SAMPLED; Span.spanContext() returns its own mutable context).
import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';

/** Application Insights' sample-rate attribute (percentage), as the distro's samplers set it. */
export const sampleRateAttribute = 'microsoft.sample_rate';

/** The part of an OpenTelemetry sampler used here (the distro's RateLimitedSampler is one). */
export interface RateSampler {
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): { decision: number; attributes?: Readonly<Attributes> };
}

/** A span as a processor sees it when it starts. */
export interface StartedSpan {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  setAttribute(key: string, value: AttributeValue): unknown;
}

/** A span as a processor sees it when it ends. */
export interface EndedSpan {
  readonly kind: SpanKind;
  readonly status: SpanStatus;
  readonly duration: HrTime;
  readonly events: readonly { name: string }[];
  spanContext(): SpanContext;
}

export interface TraceSamplingOptions {
  rateSampler: RateSampler;
  /** Server spans at least this long are always exported. */
  slowRequestMs: number;
  /** Traces tracked at once; the oldest is forgotten beyond it (a span that never ends). */
  maxOpenTraces?: number;
}

interface TraceDecision {
  keep: boolean;
  sampleRate: AttributeValue | undefined;
  openSpans: number;
}

/** OpenTelemetry's RECORD_AND_SAMPLED (SamplingDecision in sdk-trace-base). */
const recordAndSampled = 2;

const durationMs = ([seconds, nanos]: HrTime) => seconds * 1000 + nanos / 1e6;

/** Whether a span is exported whatever the rate: it failed, or it is a slow request. */
export function mustKeep(span: EndedSpan, slowRequestMs: number): boolean {
  if (span.status.code === SpanStatusCode.ERROR) return true;
  if (span.events.some((event) => event.name === 'exception')) return true;
  return span.kind === SpanKind.SERVER && durationMs(span.duration) >= slowRequestMs;
}

export class TraceSamplingProcessor {
  private readonly traces = new Map<string, TraceDecision>();
  private readonly maxOpenTraces: number;

  constructor(private readonly options: TraceSamplingOptions) {
    this.maxOpenTraces = options.maxOpenTraces ?? 10_000;
  }

  onStart(span: StartedSpan, parentContext: Context): void {
    const { traceId } = span.spanContext();
    const decision = this.traces.get(traceId) ?? this.decide(span, parentContext);
    decision.openSpans += 1;
    if (decision.keep && decision.sampleRate !== undefined) {
      span.setAttribute(sampleRateAttribute, decision.sampleRate);
    }
  }

  onEnd(span: EndedSpan): void {
    const context = span.spanContext();
    const decision = this.traces.get(context.traceId);
    if (decision !== undefined) {
      decision.openSpans -= 1;
      if (decision.openSpans <= 0) this.traces.delete(context.traceId);
    }
    if (decision?.keep === true || mustKeep(span, this.options.slowRequestMs)) return;
    context.traceFlags &= ~TraceFlags.SAMPLED;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.traces.clear();
    return Promise.resolve();
  }

  /** The first span of a trace in this process asks the rate limiter once for the whole trace. */
  private decide(span: StartedSpan, parentContext: Context): TraceDecision {
    const { traceId } = span.spanContext();
    const result = this.options.rateSampler.shouldSample(
      parentContext,
      traceId,
      span.name,
      span.kind,
      {},
      [],
    );
    const decision: TraceDecision = {
      keep: result.decision === recordAndSampled,
      sampleRate: result.attributes?.[sampleRateAttribute],
      openSpans: 0,
    };
    if (this.traces.size >= this.maxOpenTraces) {
      const oldest = this.traces.keys().next();
      if (oldest.done !== true) this.traces.delete(oldest.value);
    }
    this.traces.set(traceId, decision);
    return decision;
  }
}
