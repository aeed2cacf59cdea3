// The stars HTTP suite on PGlite and on Azure Table Storage (Azurite).
import { storeFixtures } from './helpers/store-fixtures.js';
import { describeStarsHttp } from './stars-http-suite.js';

for (const fixture of storeFixtures) describeStarsHttp(fixture);
