// Capability tokens: a capability exported as a signed, self-describing string that another agent
// or node presents to receive a handle. Hybrid-signed (Ed25519 AND ML-DSA-65); the expensive
// signature check is cached per token, while expiry, revocation, rights and uses are checked on every use.
import { AiosError, type ErrorCode } from '@aios/abi';
import {
  canonicalJson, fromBase64Url, fromUtf8, hybridSign, hybridVerify, keyId as keyIdOf, sha256, toBase64Url, toHex, utf8,
  type HybridKeyPair, type HybridPublicKey,
} from '@aios/trust';

export const TOKEN_PREFIX = 'aioscap1';
/** Upper bound on an encoded token (a hybrid signature alone is ~4.5 KB in base64url). */
export const TOKEN_MAX_CHARS = 8192;
const MAX_OBJECT_CHARS = 1024;
const MAX_AUDIENCE_CHARS = 256;

/** The signed claims. Field names are short because they travel in every token. */
export interface TokenClaims {
  v: 1;
  /** Object reference, e.g. 'agent:42' or 'ns:memoryd/notes'. */
  obj: string;
  /** Rights bit set granted (see Rights in @aios/abi). */
  rights: number;
  /** Expiry, ms since the epoch: the token is refused when now >= exp. */
  exp: number;
  /** The only agent or node id that may present the token. */
  aud: string;
  /** How many successful presentations are allowed. */
  maxUses: number;
  /** 16 random bytes, hex: makes otherwise equal tokens distinct. */
  nonce: string;
  /** Key id (hex SHA-256 of the encoded public key) of the issuer. */
  iss: string;
}

export interface MintTokenInput {
  object: string;
  rights: number;
  expires: number;
  audience: string;
  maxUses: number;
  /** 16 bytes from the random port. */
  nonce: Uint8Array;
}

export interface MintedToken {
  /** The compact token: aioscap1.<claims b64url>.<signature b64url> */
  token: string;
  /** hex SHA-256 of the claims bytes: what revocation lists and use counters key on. */
  id: string;
  claims: TokenClaims;
}

/** Counts successful presentations per token id; back it with storage to survive restarts. */
export interface TokenUseCounter {
  count(id: string): number;
  record(id: string): void;
}

export interface TokenAuditEvent {
  event: 'token.verify';
  tokenId: string | null;
  result: 'ok' | ErrorCode;
  reason: string;
  audience: string;
  object?: string;
  rights?: number;
}

export interface VerifyTokenOptions {
  /** Clock-port time, ms. */
  now: number;
  /** Who is presenting (agent or node id); must equal the token's aud. */
  audience: string;
  issuerPublicKey: HybridPublicKey;
  /** Rights the presenter asks for; default: all the token grants. Any bit beyond the grant is EPERM. */
  rights?: number;
  isRevoked(id: string): boolean;
  uses: TokenUseCounter;
  /** Signature-verification cache; share one per node so ML-DSA runs once per token. */
  cache?: TokenVerifyCache;
  audit?(event: TokenAuditEvent): void;
}

export interface TokenGrant {
  id: string;
  object: string;
  /** The rights the new handle gets: the requested rights (a subset of the grant). */
  rights: number;
  claims: TokenClaims;
  usesLeft: number;
}

/** A use counter in memory (tests, single-node). */
export class MemoryUseCounter implements TokenUseCounter {
  private readonly counts = new Map<string, number>();
  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }
  record(id: string): void {
    this.counts.set(id, this.count(id) + 1);
  }
  /** Drops the count of a token that can never be presented again (expired or revoked). */
  forget(id: string): void {
    this.counts.delete(id);
  }
}

/** What the cache keeps per token string: the decoded claims and whether the signature verified. */
export interface CachedTokenCheck {
  parsed: ParsedToken;
  signatureValid: boolean;
}

/**
 * Remembers, per (issuer key, exact token string), the decoded token and the outcome of the hybrid
 * signature check, so a token presented many times is decoded and verified once. Only that is
 * cached: audience, expiry, revocation, rights and uses are checked on every presentation.
 * Bounded: the oldest entries are dropped first.
 */
export class TokenVerifyCache {
  private readonly byIssuer = new Map<string, Map<string, CachedTokenCheck>>();
  private size = 0;
  /** How many full hybrid verifications ran (for tests and metrics). */
  signatureChecks = 0;
  constructor(private readonly capacity = 10_000) {}
  get(issuerId: string, token: string): CachedTokenCheck | undefined {
    return this.byIssuer.get(issuerId)?.get(token);
  }
  set(issuerId: string, token: string, value: CachedTokenCheck): void {
    if (this.size >= this.capacity) this.clear();
    let m = this.byIssuer.get(issuerId);
    if (!m) this.byIssuer.set(issuerId, (m = new Map()));
    if (!m.has(token)) this.size++;
    m.set(token, value);
  }
  clear(): void {
    this.byIssuer.clear();
    this.size = 0;
  }
}

const CLAIM_KEYS = ['aud', 'exp', 'iss', 'maxUses', 'nonce', 'obj', 'rights', 'v'];
const keyIds = new WeakMap<HybridPublicKey, string>();
function cachedKeyId(pub: HybridPublicKey): string {
  let id = keyIds.get(pub);
  if (id === undefined) {
    id = keyIdOf(pub);
    keyIds.set(pub, id);
  }
  return id;
}

/** Why the claims are malformed, or null. */
function claimsError(c: unknown): string | null {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return 'claims are not an object';
  const r = c as Record<string, unknown>;
  const keys = Object.keys(r).sort();
  if (keys.length !== CLAIM_KEYS.length || keys.some((k, i) => k !== CLAIM_KEYS[i])) return 'claims have missing or unknown fields';
  if (r.v !== 1) return 'unsupported token version';
  if (typeof r.obj !== 'string' || r.obj.length === 0 || r.obj.length > MAX_OBJECT_CHARS) return 'bad object reference';
  if (!Number.isInteger(r.rights) || (r.rights as number) < 0 || (r.rights as number) > 0x7fffffff) return 'bad rights';
  if (!Number.isSafeInteger(r.exp) || (r.exp as number) < 0) return 'bad expiry';
  if (typeof r.aud !== 'string' || r.aud.length === 0 || r.aud.length > MAX_AUDIENCE_CHARS) return 'bad audience';
  if (!Number.isSafeInteger(r.maxUses) || (r.maxUses as number) < 1) return 'bad maxUses';
  if (typeof r.nonce !== 'string' || !/^[0-9a-f]{32}$/.test(r.nonce)) return 'bad nonce';
  if (typeof r.iss !== 'string' || !/^[0-9a-f]{64}$/.test(r.iss)) return 'bad issuer key id';
  return null;
}

/** Signs a token for `audience`. EINVAL on bad input (empty object, rights out of range, nonce not 16 bytes...). */
export function mintToken(input: MintTokenInput, issuer: HybridKeyPair): MintedToken {
  if (!(input.nonce instanceof Uint8Array) || input.nonce.length !== 16) throw new AiosError('EINVAL', 'token nonce must be 16 bytes');
  const claims: TokenClaims = {
    v: 1, obj: input.object, rights: input.rights, exp: input.expires, aud: input.audience, maxUses: input.maxUses,
    nonce: toHex(input.nonce), iss: issuer.keyId,
  };
  const err = claimsError(claims);
  if (err) throw new AiosError('EINVAL', `cannot mint token: ${err}`);
  const body = utf8(canonicalJson(claims));
  const sig = hybridSign(issuer.secretKey, body);
  return { token: `${TOKEN_PREFIX}.${toBase64Url(body)}.${toBase64Url(sig)}`, id: toHex(sha256(body)), claims };
}

export interface ParsedToken {
  claims: TokenClaims;
  body: Uint8Array;
  sig: Uint8Array;
  id: string;
}

/** Decodes without checking the signature. EINVAL when malformed. */
export function decodeToken(token: string): ParsedToken {
  if (typeof token !== 'string' || token.length > TOKEN_MAX_CHARS) throw new AiosError('EINVAL', 'token is not a string of acceptable size');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) throw new AiosError('EINVAL', 'token is not aioscap1.<claims>.<signature>');
  const body = fromBase64Url(parts[1]!);
  const sig = fromBase64Url(parts[2]!);
  let claims: unknown;
  try {
    claims = JSON.parse(fromUtf8(body));
  } catch (e) {
    throw new AiosError('EINVAL', 'token claims are not JSON', undefined, { cause: e });
  }
  const err = claimsError(claims);
  if (err) throw new AiosError('EINVAL', `malformed token: ${err}`);
  // Only the canonical encoding is accepted, so one capability has exactly one token string per signature.
  if (canonicalJson(claims) !== fromUtf8(body)) throw new AiosError('EINVAL', 'token claims are not canonical JSON');
  // Frozen: a cached ParsedToken is shared by every later presentation of the same token.
  return Object.freeze({ claims: Object.freeze(claims as TokenClaims), body, sig, id: toHex(sha256(body)) });
}

/**
 * Checks a presented token and, on success, counts one use. Refusals throw AiosError and are reported
 * to opts.audit: EINVAL malformed; EPERM bad signature / wrong issuer / expired / revoked / rights
 * beyond the grant / uses exhausted; EACCES wrong audience.
 */
export function verifyToken(token: string, opts: VerifyTokenOptions): TokenGrant {
  let parsed: ParsedToken | null = null;
  const refuse = (code: ErrorCode, reason: string): never => {
    const ev: TokenAuditEvent = { event: 'token.verify', tokenId: parsed?.id ?? null, result: code, reason, audience: opts.audience };
    if (parsed) {
      ev.object = parsed.claims.obj;
      ev.rights = parsed.claims.rights;
    }
    opts.audit?.(ev);
    throw new AiosError(code, `capability token refused: ${reason}`, { tokenId: parsed?.id ?? null, reason });
  };
  const issuerId = cachedKeyId(opts.issuerPublicKey);
  let checked = opts.cache?.get(issuerId, token);
  if (checked === undefined) {
    try {
      parsed = decodeToken(token);
    } catch (e) {
      refuse('EINVAL', e instanceof AiosError ? e.message : 'malformed token');
    }
    const p = parsed!;
    // A token naming another issuer is never checked against this key (and never cached as valid).
    let valid = false;
    if (p.claims.iss === issuerId) {
      valid = hybridVerify(opts.issuerPublicKey, p.body, p.sig);
      if (opts.cache) opts.cache.signatureChecks++;
    }
    checked = { parsed: p, signatureValid: valid };
    opts.cache?.set(issuerId, token, checked);
  }
  parsed = checked.parsed;
  const p = parsed;
  const c = p.claims;
  if (c.iss !== issuerId) refuse('EPERM', 'issued by another key');
  if (!checked.signatureValid) refuse('EPERM', 'bad signature');
  if (c.aud !== opts.audience) refuse('EACCES', `audience is ${c.aud}`);
  if (opts.now >= c.exp) refuse('EPERM', 'expired');
  if (opts.isRevoked(p.id)) refuse('EPERM', 'revoked');
  const want = opts.rights ?? c.rights;
  if (!Number.isInteger(want) || want < 0 || (want & ~c.rights) !== 0) refuse('EPERM', 'rights beyond the grant');
  const used = opts.uses.count(p.id);
  if (used >= c.maxUses) refuse('EPERM', 'uses exhausted');
  opts.uses.record(p.id);
  opts.audit?.({ event: 'token.verify', tokenId: p.id, result: 'ok', reason: 'granted', audience: opts.audience, object: c.obj, rights: want });
  return { id: p.id, object: c.obj, rights: want, claims: c, usesLeft: c.maxUses - used - 1 };
}
