// Part 1 of the route fuzz (test/fuzz/fuzz-suite.ts): every other operation of the OpenAPI
// document in name order, so vitest's two workers each take half.
import { fuzzPart } from './fuzz-suite.js';

fuzzPart(1, 2);
