// Mints HS256 development tokens from the shared secret (`azimuth token`), and tests' tokens.
import { SignJWT } from 'jose';

export interface MintTokenOptions {
  secret: string;
  subject: string;
  roles?: string[];
  issuer?: string;
  audience?: string;
  /** Lifetime in jose's notation, e.g. `1h`, `7d`. */
  expiresIn?: string;
}

export function mintToken(options: MintTokenOptions): Promise<string> {
  let jwt = new SignJWT({ roles: options.roles ?? [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
