// The baseline: bare node:http answering the same bytes as the app's routes.
import { createServer } from 'node:http';

const routes: Record<string, string> = JSON.parse(process.env.BARE_ROUTES ?? '{}') as Record<string, string>;
createServer((request, response) => {
  const body = routes[request.url ?? ''];
  if (body === undefined) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
