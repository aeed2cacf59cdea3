// Verifies bearer tokens with jose: a JWKS (Entra ID, RS256) with issuer and audience, or a
// shared HS256 secret. Roles come from the `roles` claim (Entra ID app roles use the same name).
// Every token must expire (`exp`); a shared-secret (development) token must also say when it was
// issued and is refused once older than the development-token cap.
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { devTokenMaxLifetimeSeconds } from './mint-token.js';
import type { Principal } from './principal.js';

export interface Authenticator {
  /** Resolves to the principal, or rejects with a reason that is safe to show the caller. */
  authenticate(token: string): Promise<Principal>;
}

export interface JwtAuthenticatorOptions {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  const verifyOptions = {
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
    clockTolerance: 30,
    requiredClaims: ['exp'],
  };
  let verify: (token: string) => Promise<JWTPayload>;
  if (options.jwksUrl) {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl));
    verify = async (token) =>
      (await jwtVerify(token, keys, { ...verifyOptions, algorithms: ['RS256', 'ES256'] })).payload;
  } else if (options.secret) {
    const key = new TextEncoder().encode(options.secret);
    verify = async (token) =>
      (
        await jwtVerify(token, key, {
          ...verifyOptions,
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'iat'],
          maxTokenAge: devTokenMaxLifetimeSeconds,
        })
      ).payload;
  } else {
    throw new Error('a JWT authenticator needs a secret or a JWKS URL');
  }

  return {
    async authenticate(token) {
      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        const { code, claim } = error as { code?: string; claim?: string };
        const about = claim === undefined ? '' : ` (${claim})`;
        throw new Error(`invalid bearer token: ${code ?? 'verification failed'}${about}`, { cause: error });
      }
      if (typeof payload.sub !== 'string' || payload.sub === '')
        throw new Error('invalid bearer token: no subject');
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
      return { id: payload.sub, roles };
    },
  };
}
