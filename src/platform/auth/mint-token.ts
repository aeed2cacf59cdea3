// Mints HS256 development tokens from the shared secret (`azimuth token`), and tests' tokens.
import { decodeJwt, SignJWT } from 'jose';

/**
 * The longest a development token may live, in seconds. Minting refuses more, and the API refuses
 * shared-secret tokens issued longer ago than this (authenticator.ts), so a leaked one goes stale.
 */
export const devTokenMaxLifetimeSeconds = 24 * 3600;

export interface MintTokenOptions {
  secret: string;
  subject: string;
  roles?: string[];
  issuer?: string;
  audience?: string;
  /** Lifetime in jose's notation, e.g. `1h`, `12h`; at most 24 h. */
  expiresIn?: string;
}

export async function mintToken(options: MintTokenOptions): Promise<string> {
  let jwt = new SignJWT({ roles: options.roles ?? [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  const token = await jwt.sign(new TextEncoder().encode(options.secret));
  // jose parses the many duration spellings; read its result back rather than parse them twice.
  const { iat = 0, exp = 0 } = decodeJwt(token);
  if (exp - iat > devTokenMaxLifetimeSeconds)
    throw new RangeError(
      `a development token lives at most ${devTokenMaxLifetimeSeconds / 3600} h; "${options.expiresIn}" is longer`,
    );
  return token;
}
