// The end-of-span sampling decision: a trace the rate limiter picked is exported whole; otherwise
// only failed spans and slow requests keep the SAMPLED flag the export batcher looks at.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type HrTime,
  type SpanContext,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  mustKeep,
  sampleRateAttribute,
  TraceSamplingProcessor,
  type EndedSpan,
  type RateSampler,
} from '../../../src/platform/telemetry/trace-sampling-processor.js';

interface FakeSpan extends EndedSpan {
  name: string;
  attributes: Record<string, unknown>;
  setAttribute(key: string, value: unknown): void;
}

function fakeSpan(
  traceId: string,
  options: { kind?: SpanKind; error?: boolean; ms?: number; exception?: boolean } = {},
): FakeSpan {
  const context: SpanContext = {
    traceId,
    spanId: Math.random().toString(16).slice(2, 18),
    traceFlags: TraceFlags.SAMPLED,
  };
  const ms = options.ms ?? 10;
  const duration: HrTime = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  const attributes: Record<string, unknown> = {};
  return {
    name: 'GET /stars',
    kind: options.kind ?? SpanKind.SERVER,
    status: { code: options.error ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    duration,
    events: options.exception ? [{ name: 'exception' }] : [],
    attributes,
    spanContext: () => context,
    setAttribute: (key, value) => {
      attributes[key] = value;
    },
  };
}

/** A rate sampler that picks the traces named in `picked`, with a 20 % sample rate. */
function pickOnly(...picked: string[]): RateSampler & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    shouldSample: (_context, traceId) => {
      asked.push(traceId);
      return picked.includes(traceId)
        ? { decision: 2, attributes: { [sampleRateAttribute]: 20 } }
        : { decision: 0, attributes: { [sampleRateAttribute]: 20 } };
    },
  };
}

const exported = (span: EndedSpan) => (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;

function run(processor: TraceSamplingProcessor, spans: FakeSpan[]): void {
  for (const span of spans) processor.onStart(span, ROOT_CONTEXT);
  for (const span of [...spans].reverse()) processor.onEnd(span);
}

describe('TraceSamplingProcessor', () => {
  it('when the rate limiter picks a trace, then all its spans are exported with its sample rate', () => {
    const sampler = pickOnly('a');
    const processor = new TraceSamplingProcessor({ rateSampler: sampler, slowRequestMs: 5000 });
    const spans = [fakeSpan('a'), fakeSpan('a', { kind: SpanKind.CLIENT })];
    run(processor, spans);
    expect(spans.map(exported)).toEqual([true, true]);
    expect(spans.map((span) => span.attributes[sampleRateAttribute])).toEqual([20, 20]);
    expect(sampler.asked).toEqual(['a']);
  });

  it('when it passes a trace over, then its fast, successful spans are dropped', () => {
    const processor = new TraceSamplingProcessor({ rateSampler: pickOnly(), slowRequestMs: 5000 });
    const spans = [fakeSpan('b'), fakeSpan('b', { kind: SpanKind.CLIENT })];
    run(processor, spans);
    expect(spans.map(exported)).toEqual([false, false]);
  });

  it('when a passed-over request fails or is slow, then that span is exported anyway', () => {
    const processor = new TraceSamplingProcessor({ rateSampler: pickOnly(), slowRequestMs: 5000 });
    const failed = [
      fakeSpan('c', { error: true }),
      fakeSpan('c', { kind: SpanKind.CLIENT, exception: true }),
    ];
    const slow = [fakeSpan('d', { ms: 6000 }), fakeSpan('d', { kind: SpanKind.CLIENT, ms: 5900 })];
    run(processor, failed);
    run(processor, slow);
    expect(failed.map(exported)).toEqual([true, true]);
    // The slow request is kept; a slow dependency alone is not a slow request.
    expect(slow.map(exported)).toEqual([true, false]);
  });

  it('when a trace ends, then it is forgotten, and the open traces are bounded', () => {
    const sampler = pickOnly();
    const processor = new TraceSamplingProcessor({
      rateSampler: sampler,
      slowRequestMs: 5000,
      maxOpenTraces: 2,
    });
    run(processor, [fakeSpan('e')]);
    run(processor, [fakeSpan('e')]);
    expect(sampler.asked).toEqual(['e', 'e']);
    for (const id of ['f', 'g', 'h']) processor.onStart(fakeSpan(id), ROOT_CONTEXT);
    processor.onStart(fakeSpan('f'), ROOT_CONTEXT);
    expect(sampler.asked.slice(2)).toEqual(['f', 'g', 'h', 'f']);
  });
});

describe('mustKeep', () => {
  it('keeps errors and slow server spans only', () => {
    expect(mustKeep(fakeSpan('x', { ms: 4999 }), 5000)).toBe(false);
    expect(mustKeep(fakeSpan('x', { ms: 5000 }), 5000)).toBe(true);
    expect(mustKeep(fakeSpan('x', { error: true }), 5000)).toBe(true);
  });
});
