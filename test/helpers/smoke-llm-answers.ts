// What the LLM stand-in answers when `npm run smoke` drives a whole stack: a scan's label read
// (its request carries the photo) or a recording's insights, each in its module's strict shape.
import type { ReceivedRequest } from './llm-stand-in.js';

export const smokeInsights = {
  summary: 'A smoke test.',
  keyPoints: ['Silence'],
  coachingRecommendations: ['None'],
  sentiment: { overall: 'neutral', score: 0, explanation: 'Silence.' },
  actionItems: [],
};

export const smokeLabel = {
  productName: 'Smoke',
  brand: 'Test',
  category: 'relaxer',
  ingredients: ['Aqua', 'Parfum'],
  claims: [],
  confidence: 0.9,
};

export const smokeAnswerFor = (request: ReceivedRequest): unknown =>
  JSON.stringify(request.body ?? {}).includes('image') ? smokeLabel : smokeInsights;
