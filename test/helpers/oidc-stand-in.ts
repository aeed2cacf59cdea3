// A local stand-in for Microsoft Entra ID (v2.0 endpoints), speaking its wire format so the real
// @azure/msal-browser can sign in against it and the API can verify its tokens with jose:
//
//   GET  /{tenant}/v2.0/.well-known/openid-configuration
//   GET  /{tenant}/discovery/v2.0/keys                  JWKS (RS256, with kid)
//   GET  /{tenant}/oauth2/v2.0/authorize                code flow with PKCE (S256); the configured user
//                                                       is signed in at once and sent back with the code
//   POST /{tenant}/oauth2/v2.0/token                    authorization_code (+ code_verifier), refresh_token
//   GET  /{tenant}/oauth2/v2.0/logout                   back to post_logout_redirect_uri
//
// MSAL accepts only https authorities, so it serves TLS with a self-signed certificate made by
// `openssl` for 127.0.0.1; `certificatePath` is for NODE_EXTRA_CA_CERTS of a process that calls it.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface OidcUser {
  /** Object id (oid) in the tenant; the access token's `sub` is derived from it per application. */
  oid: string;
  name: string;
  preferredUsername: string;
  roles?: string[];
}

export interface OidcStandInOptions {
  /** The SPA's client id (the console). */
  clientId?: string;
  /** The API's client id: the access tokens' audience. */
  apiClientId?: string;
  /** Redirect URIs registered for the SPA; a request with another is refused as Entra does. */
  redirectUris: string[];
  user?: OidcUser;
}

export interface OidcStandIn {
  /** https://127.0.0.1:{port} */
  url: string;
  tenantId: string;
  clientId: string;
  apiClientId: string;
  /** `${url}/${tenantId}`: the authority MSAL is given. */
  authority: string;
  issuer: string;
  jwksUri: string;
  /** The scope the console asks for: api://{apiClientId}/access_as_user. */
  apiScope: string;
  /** PEM certificate of the TLS server (self-signed; trust it with NODE_EXTRA_CA_CERTS). */
  certificatePath: string;
  user: OidcUser;
  /** Access tokens issued by the token endpoint, in order. */
  issued: string[];
  /** Paths requested, in order (`GET /…/authorize`, `POST /…/token`…). */
  requests: string[];
  /** An access token for the API, as the token endpoint would issue it. */
  accessToken(user?: OidcUser): Promise<string>;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  nonce: string | undefined;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A self-signed certificate for 127.0.0.1, made by the openssl command line. */
function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { key, cert };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Entra's error body (AADSTS codes), as MSAL parses it. */
function oauthError(res: ServerResponse, status: number, error: string, description: string) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(
    JSON.stringify({
      error,
      error_description: description,
      error_codes: [status === 400 ? 9002313 : 50000],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    }),
  );
}

/** What the endpoints share: the tenant, the apps, the signed-in user, keys and issued codes. */
interface Tenant {
  url: string;
  tenantId: string;
  clientId: string;
  apiClientId: string;
  issuer: string;
  redirectUris: string[];
  user: OidcUser;
  kid: string;
  privateKey: CryptoKey;
  codes: Map<string, PendingCode>;
  refreshTokens: Map<string, string>;
  issued: string[];
}

const endpoint = (t: Tenant, path: string) => `${t.url}/${t.tenantId}/${path}`;

/** Entra's pairwise subject: stable per user and application, opaque to both. */
const subjectOf = (user: OidcUser, app: string) =>
  base64url(createHash('sha256').update(`${user.oid}:${app}`).digest());

const clientInfo = (t: Tenant) => base64url(JSON.stringify({ uid: t.user.oid, utid: t.tenantId }));

function sign(t: Tenant, claims: Record<string, unknown>, audience: string): Promise<string> {
  return new SignJWT({ ver: '2.0', tid: t.tenantId, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: t.kid })
    .setIssuer(t.issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime('1h')
    .sign(t.privateKey);
}

/** A v2.0 access token for the API, as Entra issues it to the SPA `azp`. */
function accessTokenFor(t: Tenant, user: OidcUser, azp: string): Promise<string> {
  const claims = {
    sub: subjectOf(user, t.apiClientId),
    oid: user.oid,
    azp,
    scp: 'access_as_user',
    name: user.name,
    preferred_username: user.preferredUsername,
    ...(user.roles ? { roles: user.roles } : {}),
  };
  return sign(t, claims, t.apiClientId);
}

async function tokenResponse(t: Tenant, pending: Pick<PendingCode, 'nonce' | 'scope'>) {
  const accessToken = await accessTokenFor(t, t.user, t.clientId);
  t.issued.push(accessToken);
  const refreshToken = base64url(randomBytes(32));
  t.refreshTokens.set(refreshToken, pending.scope);
  const idClaims = {
    sub: subjectOf(t.user, t.clientId),
    oid: t.user.oid,
    name: t.user.name,
    preferred_username: t.user.preferredUsername,
    ...(pending.nonce === undefined ? {} : { nonce: pending.nonce }),
  };
  return {
    token_type: 'Bearer',
    // Entra answers with the resource's scopes only (not openid, profile, offline_access).
    scope: pending.scope
      .split(' ')
      .filter((scope) => scope.startsWith('api://'))
      .join(' '),
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: accessToken,
    refresh_token: refreshToken,
    id_token: await sign(t, idClaims, t.clientId),
    client_info: clientInfo(t),
  };
}

function sendJson(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** The configured user signs in at once: a code goes back to the registered redirect URI. */
function authorize(t: Tenant, query: URLSearchParams, res: ServerResponse) {
  const redirectUri = query.get('redirect_uri') ?? '';
  if (query.get('client_id') !== t.clientId || !t.redirectUris.includes(redirectUri)) {
    oauthError(res, 400, 'invalid_request', 'AADSTS50011: The redirect URI does not match the app.');
    return;
  }
  const challenge = query.get('code_challenge');
  if (
    query.get('response_type') !== 'code' ||
    challenge === null ||
    query.get('code_challenge_method') !== 'S256'
  ) {
    oauthError(res, 400, 'invalid_request', 'AADSTS9002325: Proof Key for Code Exchange is required.');
    return;
  }
  const code = base64url(randomBytes(32));
  const nonce = query.get('nonce') ?? undefined;
  t.codes.set(code, { clientId: t.clientId, redirectUri, challenge, scope: query.get('scope') ?? '', nonce });
  const answer = new URLSearchParams({
    code,
    state: query.get('state') ?? '',
    client_info: clientInfo(t),
    session_state: randomUUID(),
  });
  const separator = query.get('response_mode') === 'query' ? '?' : '#';
  res.writeHead(302, { location: `${redirectUri}${separator}${answer.toString()}` });
  res.end();
}

async function token(t: Tenant, form: URLSearchParams, res: ServerResponse) {
  if (form.get('grant_type') === 'refresh_token') {
    const scope = t.refreshTokens.get(form.get('refresh_token') ?? '');
    if (scope === undefined || form.get('client_id') !== t.clientId)
      oauthError(res, 400, 'invalid_grant', 'AADSTS9002313: Invalid refresh token.');
    else sendJson(res, await tokenResponse(t, { nonce: undefined, scope }));
    return;
  }
  const code = form.get('code') ?? '';
  const pending = t.codes.get(code);
  t.codes.delete(code);
  const challenge = base64url(
    createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest(),
  );
  const valid =
    pending !== undefined &&
    form.get('grant_type') === 'authorization_code' &&
    form.get('client_id') === pending.clientId &&
    form.get('redirect_uri') === pending.redirectUri &&
    challenge === pending.challenge;
  if (valid) sendJson(res, await tokenResponse(t, pending));
  else
    oauthError(res, 400, 'invalid_grant', 'AADSTS70008: The authorization code or PKCE verifier is invalid.');
}

/** The discovery document, with Entra's fields and values. */
const discovery = (t: Tenant) => ({
  token_endpoint: endpoint(t, 'oauth2/v2.0/token'),
  token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
  jwks_uri: endpoint(t, 'discovery/v2.0/keys'),
  response_modes_supported: ['query', 'fragment', 'form_post'],
  subject_types_supported: ['pairwise'],
  id_token_signing_alg_values_supported: ['RS256'],
  response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
  scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
  issuer: t.issuer,
  request_uri_parameter_supported: false,
  authorization_endpoint: endpoint(t, 'oauth2/v2.0/authorize'),
  device_authorization_endpoint: endpoint(t, 'oauth2/v2.0/devicecode'),
  http_logout_supported: true,
  frontchannel_logout_supported: true,
  end_session_endpoint: endpoint(t, 'oauth2/v2.0/logout'),
  claims_supported: [
    'sub',
    'iss',
    'aud',
    'exp',
    'iat',
    'nonce',
    'preferred_username',
    'name',
    'tid',
    'ver',
    'oid',
  ],
  tenant_region_scope: 'EU',
  cloud_instance_name: 'microsoftonline.com',
});

function logout(t: Tenant, query: URLSearchParams, res: ServerResponse) {
  const back = query.get('post_logout_redirect_uri');
  if (back !== null && t.redirectUris.includes(back)) res.writeHead(302, { location: back }).end();
  else res.writeHead(200, { 'content-type': 'text/plain' }).end('You have signed out.');
}

/** One request; `path` has the tenant id replaced by `{tenant}`. */
async function route(t: Tenant, jwk: JWK, req: IncomingMessage, res: ServerResponse, path: string) {
  const query = new URL(req.url ?? '/', t.url).searchParams;
  if (req.method === 'OPTIONS') res.writeHead(204).end();
  else if (path === '/{tenant}/v2.0/.well-known/openid-configuration') sendJson(res, discovery(t));
  else if (path === '/{tenant}/discovery/v2.0/keys') sendJson(res, { keys: [jwk] });
  else if (path === '/{tenant}/oauth2/v2.0/authorize') authorize(t, query, res);
  else if (path === '/{tenant}/oauth2/v2.0/token' && req.method === 'POST')
    await token(t, await readForm(req), res);
  else if (path === '/{tenant}/oauth2/v2.0/logout') logout(t, query, res);
  else oauthError(res, 404, 'not_found', `AADSTS90002: no route ${req.method ?? ''} ${path}`);
}

export async function startOidcStandIn(options: OidcStandInOptions): Promise<OidcStandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'azimuth-oidc-'));
  const files = selfSignedCertificate(dir);
  const server = createServer({ key: await readFile(files.key), cert: await readFile(files.cert) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const tenantId = randomUUID();
  const t: Tenant = {
    url,
    tenantId,
    clientId: options.clientId ?? randomUUID(),
    apiClientId: options.apiClientId ?? randomUUID(),
    issuer: `${url}/${tenantId}/v2.0`,
    redirectUris: options.redirectUris,
    user: options.user ?? {
      oid: randomUUID(),
      name: 'Ada Lovelace',
      preferredUsername: 'ada@contoso.example',
    },
    kid,
    privateKey,
    codes: new Map(),
    refreshTokens: new Map(),
    issued: [],
  };
  const requests: string[] = [];

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', url).pathname.replace(`/${tenantId}/`, '/{tenant}/');
    requests.push(`${req.method ?? 'GET'} ${path}`);
    // MSAL calls discovery, keys and token across origins, as SPAs do with Entra.
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*');
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    route(t, jwk, req, res, path).catch((error: unknown) =>
      oauthError(res, 500, 'server_error', String(error)),
    );
  });

  return {
    url,
    tenantId,
    clientId: t.clientId,
    apiClientId: t.apiClientId,
    authority: `${url}/${tenantId}`,
    issuer: t.issuer,
    jwksUri: endpoint(t, 'discovery/v2.0/keys'),
    apiScope: `api://${t.apiClientId}/access_as_user`,
    certificatePath: files.cert,
    user: t.user,
    issued: t.issued,
    requests,
    accessToken: (user = t.user) => accessTokenFor(t, user, t.clientId),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
