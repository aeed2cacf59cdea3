import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/platform/telemetry/logger.js';
import { requestContext } from '../../../src/platform/telemetry/request-context.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('stamps the correlation id of the current request on every line, wherever it is written', async () => {
    const { lines, logger } = capture();
    await requestContext.run({ correlationId: 'corr-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', correlationId: 'corr-1', level: 'info' });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  it('never writes authorization or cookie headers, nor credentials inside messages', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer abc.def.ghi',
            cookie: 'session=1',
            'api-key': 'azure-openai-key-1',
            accept: 'json',
          },
        },
      },
      'connecting with DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain('abc.def.ghi');
    expect(line).not.toContain('session=1');
    expect(line).not.toContain('c2VjcmV0a2V5');
    expect(line).not.toContain('azure-openai-key-1');
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'json' } },
    });
  });
});
