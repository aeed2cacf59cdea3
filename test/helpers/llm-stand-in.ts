// A local HTTP stand-in for the paid LLM APIs, speaking their wire formats so the official SDKs can be
// driven against it: Azure OpenAI (`/openai/deployments/{d}/…?api-version=`), OpenAI (`/v1/…`) and
// Anthropic (`/v1/messages`). It records what it received and plays scripted failures.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandInKind = 'transcriptions' | 'chat' | 'messages';
export type StandInFlavour = 'azure' | 'openai' | 'anthropic';

export interface ReceivedRequest {
  kind: StandInKind;
  flavour: StandInFlavour;
  method: string;
  path: string;
  /** Azure only: the deployment named in the path, and the api-version query parameter. */
  deployment?: string;
  apiVersion?: string;
  headers: IncomingHttpHeaders;
  /** JSON body (chat completions, messages). */
  body?: Record<string, unknown>;
  /** Multipart text fields (transcriptions): model, language, prompt, response_format… */
  fields?: Record<string, string>;
  /** The multipart `file` part (transcriptions). */
  file?: { name: string; type: string; size: number; bytes: Buffer };
}

/** A scripted answer for the next request of a kind: a status (with headers and body), or a hang. */
export type ScriptedReply = { status: number; headers?: Record<string, string>; body?: unknown } | 'hang';

export interface StandInTranscription {
  text: string;
  language: string;
  duration: number;
  segments: { start: number; end: number; text: string }[];
}

export interface LlmStandInOptions {
  /** Accepted in Azure's `api-key` header. */
  azureApiKey?: string;
  /** Accepted as `Authorization: Bearer …` on Azure paths (the managed-identity path). */
  azureBearerToken?: string;
  /** Accepted as `Authorization: Bearer …` on OpenAI paths. */
  openAiApiKey?: string;
  /** Accepted in Anthropic's `x-api-key` header, or as `Authorization: Bearer …` (what SDK 1.x sends). */
  anthropicApiKey?: string;
}

export interface LlmStandIn {
  /** http://127.0.0.1:{port}: the Azure endpoint and the Anthropic base URL. */
  url: string;
  /** `${url}/v1`: the OpenAI base URL. */
  openAiBaseUrl: string;
  readonly options: Required<LlmStandInOptions>;
  /** Every request that reached a known route, in order (authentication failures included). */
  requests: ReceivedRequest[];
  /** Requests of one kind. */
  received(kind: StandInKind): ReceivedRequest[];
  /** Queues replies for the next requests of `kind`; when the queue is empty, requests succeed. */
  script(kind: StandInKind, ...replies: ScriptedReply[]): void;
  /** What successful transcriptions return (verbose_json). */
  transcription: StandInTranscription;
  /** The structured answer successful chats return (OpenAI: as JSON text; Anthropic: as tool input). */
  answer: unknown;
  /** When set, picks the answer per request (a stack serving several modules' prompts). */
  answerFor: ((request: ReceivedRequest) => unknown) | undefined;
  /** When set, OpenAI chats answer with this text instead of JSON.stringify(answer). */
  answerText: string | undefined;
  /** Token counts successful chats report. */
  usage: { inputTokens: number; outputTokens: number };
  /** The model chats report; defaults to the request's model. */
  reportedModel: string | undefined;
  /** Clears requests, scripts and overrides (not the credentials). */
  reset(): void;
  close(): Promise<void>;
}

const defaults = () => ({
  transcription: {
    text: 'Hello there. Thanks for calling.',
    language: 'english',
    duration: 90,
    segments: [
      { start: 0, end: 1.5, text: ' Hello there.' },
      { start: 1.5, end: 3.25, text: ' Thanks for calling.' },
    ],
  },
  answer: { summary: 'A short call.', score: 7 } as unknown,
  usage: { inputTokens: 1200, outputTokens: 300 },
});

function route(
  method: string,
  pathname: string,
): { kind: StandInKind; flavour: StandInFlavour; deployment?: string } | undefined {
  if (method !== 'POST') return undefined;
  const azure = /^\/openai\/deployments\/([^/]+)\/(audio\/transcriptions|chat\/completions)$/.exec(pathname);
  if (azure?.[1] !== undefined)
    return {
      kind: azure[2] === 'chat/completions' ? 'chat' : 'transcriptions',
      flavour: 'azure',
      deployment: decodeURIComponent(azure[1]),
    };
  if (pathname === '/v1/audio/transcriptions') return { kind: 'transcriptions', flavour: 'openai' };
  if (pathname === '/v1/chat/completions') return { kind: 'chat', flavour: 'openai' };
  if (pathname === '/v1/messages') return { kind: 'messages', flavour: 'anthropic' };
  return undefined;
}

function errorBody(flavour: StandInFlavour, status: number, message: string): unknown {
  if (flavour === 'anthropic') {
    const type =
      status === 429
        ? 'rate_limit_error'
        : status === 401
          ? 'authentication_error'
          : status >= 500
            ? 'api_error'
            : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  return {
    error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: String(status) },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The credentials the stand-in accepts unless told otherwise; secrets no log line may hold. */
export const standInCredentials: Required<LlmStandInOptions> = {
  azureApiKey: 'azure-test-key',
  azureBearerToken: 'fake-entra-token',
  openAiApiKey: 'sk-test-key',
  anthropicApiKey: 'anthropic-test-key',
};

export async function startLlmStandIn(options: LlmStandInOptions = {}): Promise<LlmStandIn> {
  const credentials: Required<LlmStandInOptions> = { ...standInCredentials, ...options };
  const scripts = new Map<StandInKind, ScriptedReply[]>();
  let counter = 0;

  const authorized = (flavour: StandInFlavour, headers: IncomingHttpHeaders): boolean => {
    if (flavour === 'azure')
      return (
        headers['api-key'] === credentials.azureApiKey ||
        headers.authorization === `Bearer ${credentials.azureBearerToken}`
      );
    if (flavour === 'openai') return headers.authorization === `Bearer ${credentials.openAiApiKey}`;
    // Anthropic's documented `x-api-key`, or `Authorization: Bearer` as @anthropic-ai/sdk 1.x sends the key.
    const key =
      headers['x-api-key'] ??
      (headers.authorization?.startsWith('Bearer ') === true ? headers.authorization.slice(7) : undefined);
    return key === credentials.anthropicApiKey && typeof headers['anthropic-version'] === 'string';
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(Buffer.concat(chunks)).catch((error: unknown) => {
        send(res, 500, { error: { message: `stand-in failed: ${String(error)}` } });
      });
    });

    async function handle(raw: Buffer) {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const found = route(req.method ?? 'GET', url.pathname);
      if (found === undefined) {
        send(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
        return;
      }
      const received: ReceivedRequest = {
        ...found,
        method: req.method ?? 'POST',
        path: url.pathname,
        headers: req.headers,
        ...(found.flavour === 'azure' ? { apiVersion: url.searchParams.get('api-version') ?? '' } : {}),
      };
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.startsWith('multipart/form-data')) {
        const request = new Request('http://stand-in/', {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: raw,
        });
        // The deprecation warns about untrusted server traffic; a test stand-in parsing the SDK's
        // small bodies needs no multipart dependency.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        const form = await request.formData();
        received.fields = {};
        for (const [name, value] of form.entries()) {
          if (typeof value === 'string') received.fields[name] = value;
          else {
            const bytes = Buffer.from(await value.arrayBuffer());
            received.file = { name: value.name, type: value.type, size: bytes.length, bytes };
          }
        }
      } else if (raw.length > 0) {
        received.body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      }
      standIn.requests.push(received);

      if (!authorized(found.flavour, req.headers)) {
        send(res, 401, errorBody(found.flavour, 401, 'Access denied: invalid credentials.'));
        return;
      }
      const scripted = scripts.get(found.kind)?.shift();
      if (scripted === 'hang') return; // never answers; close() cuts the connection
      if (scripted !== undefined) {
        send(
          res,
          scripted.status,
          scripted.body ?? errorBody(found.flavour, scripted.status, `scripted ${scripted.status}`),
          scripted.headers,
        );
        return;
      }
      counter += 1;
      if (found.kind === 'transcriptions') {
        const t = standIn.transcription;
        send(res, 200, {
          task: 'transcribe',
          language: t.language,
          duration: t.duration,
          text: t.text,
          segments: t.segments.map((segment, id) => ({
            id,
            seek: 0,
            start: segment.start,
            end: segment.end,
            text: segment.text,
            tokens: [],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1.2,
            no_speech_prob: 0.01,
          })),
        });
        return;
      }
      const body = received.body ?? {};
      const answer = standIn.answerFor === undefined ? standIn.answer : standIn.answerFor(received);
      const model = standIn.reportedModel ?? (typeof body.model === 'string' ? body.model : 'unknown');
      if (found.kind === 'chat') {
        send(res, 200, {
          id: `chatcmpl-${counter}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: standIn.answerText ?? JSON.stringify(answer),
                refusal: null,
              },
              finish_reason: 'stop',
              logprobs: null,
            },
          ],
          usage: {
            prompt_tokens: standIn.usage.inputTokens,
            completion_tokens: standIn.usage.outputTokens,
            total_tokens: standIn.usage.inputTokens + standIn.usage.outputTokens,
          },
        });
        return;
      }
      const toolChoice = body.tool_choice as { name?: string } | undefined;
      send(res, 200, {
        id: `msg_${counter}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [
          {
            type: 'tool_use',
            id: `toolu_${counter}`,
            name: toolChoice?.name ?? 'answer',
            input: answer,
          },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: standIn.usage.inputTokens, output_tokens: standIn.usage.outputTokens },
      });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const standIn: LlmStandIn = {
    url,
    openAiBaseUrl: `${url}/v1`,
    options: credentials,
    requests: [],
    received: (kind) => standIn.requests.filter((request) => request.kind === kind),
    script(kind, ...replies) {
      scripts.set(kind, [...(scripts.get(kind) ?? []), ...replies]);
    },
    ...defaults(),
    answerText: undefined,
    answerFor: undefined,
    reportedModel: undefined,
    reset() {
      standIn.requests.length = 0;
      scripts.clear();
      Object.assign(standIn, defaults(), {
        answerText: undefined,
        answerFor: undefined,
        reportedModel: undefined,
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
  return standIn;
}
