// The response format a transcription model accepts. Whisper returns the segments and the
// audio's duration only as verbose_json; the gpt-4o transcription models (gpt-4o-transcribe,
// gpt-4o-mini-transcribe, which replace Whisper on Azure OpenAI as it retires) accept only json
// or text. Deployments are named after their models (infrastructure/terraform/openai.tf), so
// the name decides; an unrecognised name gets json, which every model accepts.
export type TranscriptionResponseFormat = 'verbose_json' | 'json';

export function transcriptionResponseFormat(model: string): TranscriptionResponseFormat {
  return /whisper/i.test(model) ? 'verbose_json' : 'json';
}
