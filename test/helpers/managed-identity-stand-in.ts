// App Service's managed-identity endpoint, locally: what `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`
// point a site at, and what @azure/identity's ManagedIdentityCredential asks for a token
// (GET ?resource=…&api-version=2019-08-01 with the X-IDENTITY-HEADER secret). It issues one fixed
// bearer token per resource, valid for an hour, and records what was asked.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ManagedIdentityStandIn {
  /** The process environment App Service gives a site with a system-assigned identity. */
  environment: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Resources tokens were issued for, in order. */
  resources: string[];
  close(): Promise<void>;
}

export async function startManagedIdentityStandIn(token: string): Promise<ManagedIdentityStandIn> {
  const header = randomBytes(16).toString('hex');
  const resources: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const resource = url.searchParams.get('resource');
    if (request.headers['x-identity-header'] !== header || resource === null) {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
      return;
    }
    resources.push(resource);
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        access_token: token,
        expires_on: String(expiresOn),
        resource,
        token_type: 'Bearer',
        client_id: '00000000-0000-4000-8000-00000000000a',
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    environment: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: header },
    resources,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
