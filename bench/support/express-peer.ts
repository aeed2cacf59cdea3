// The Express peer: Express 5 with helmet, morgan (one line per request) and express-rate-limit,
// answering the same bytes as the app's routes, for the "≥ 3× the Express peer" target.
import express from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import morgan from 'morgan';

const routes: Record<string, string> = JSON.parse(process.env.BARE_ROUTES ?? '{}') as Record<string, string>;
const app = express();
app.use(helmet());
app.use(morgan('combined'));
app.use(
  rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-7', legacyHeaders: false }),
);
for (const [path, body] of Object.entries(routes)) {
  app.get(path, (_request, response) => {
    response.type('application/json; charset=utf-8').send(body);
  });
}
app.listen(Number(process.env.PORT), '127.0.0.1');
