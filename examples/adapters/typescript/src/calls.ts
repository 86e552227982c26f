// Verifying the gatekeeper's calls to the provider (docs/enlistment.md
// "Gatekeeper calls"): a bearer JWT signed by a key of the gatekeeper's JWKS.
// Signatures, `alg`, `typ`, `crit`, `iss`, `aud`, `exp` and `nbf` are checked
// by jose's jwtVerify; the rules it has no option for (future `iat`, the
// lifetime bound, `jti`, `body_sha256`, replays) are written out below.
import { createHash } from "node:crypto";
import http from "node:http";
import { errors, importJWK, JWK, jwtVerify, JWTHeaderParameters, JWTPayload } from "jose";

/** What the harness told us in EnConfigure. */
export interface GatekeeperConfig {
  jwksUrl: URL;
  issuer: string;
  clockSkewSeconds: number;
  maxCallTokenLifetimeSeconds: number;
  maxTokenBytes: number;
}

/** The profile's only two algorithms, and the key each one fits (RFC 8037 §3.1, RFC 7518 §3.4). */
const KEY_FOR_ALG: Record<string, { kty: string; crv: string }> = {
  EdDSA: { kty: "OKP", crv: "Ed25519" },
  ES256: { kty: "EC", crv: "P-256" },
};
const MAX_JWKS_BYTES = 256 * 1024;
const JWKS_TIMEOUT_MS = 5000;
/** Three base64url parts without padding (RFC 7515 §2, §7.1). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Accepts only http://127.0.0.1:PORT/... (docs/enlistment.md, EN-029). */
export function loopbackUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  return url.protocol === "http:" && loopback && url.username === "" && url.password === "" ? url : undefined;
}

/** GET a small JSON document from a loopback URL, bounded in size and time. */
export function fetchJson(url: URL): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: JWKS_TIMEOUT_MS, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url.href}: status ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) req.destroy(new Error(`GET ${url.href}: over ${MAX_JWKS_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch (e) {
          reject(e);
        }
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url.href}: timed out`)));
    req.on("error", reject);
  });
}

/** A call that was accepted: who sent it under which `jti`. */
export interface AcceptedCall {
  jti: string;
}

/** The gatekeeper's keys (refetched once when a new `kid` appears, EN-024) and the replay cache. */
export class CallVerifier {
  private keys = new Map<string, JWK>();
  private seenJti = new Map<string, number>();

  constructor(readonly config: GatekeeperConfig) {}

  private async refreshKeys(): Promise<void> {
    const doc = await fetchJson(this.config.jwksUrl);
    const keys = (doc as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new Error("the gatekeeper's JWKS has no keys array");
    this.keys = new Map();
    for (const key of keys as JWK[]) {
      if (key && typeof key === "object" && typeof key.kid === "string" && !this.keys.has(key.kid)) {
        this.keys.set(key.kid, key);
      }
    }
  }

  /** The public key `kid` names, checked to fit `alg` (never the token's choice, RFC 8725 §2.1). */
  private async keyFor(header: JWTHeaderParameters) {
    const kid = header.kid;
    const wanted = KEY_FOR_ALG[header.alg];
    if (typeof kid !== "string" || !wanted) throw new Error("no kid, or an algorithm of no profile");
    if (!this.keys.has(kid)) await this.refreshKeys();
    const jwk = this.keys.get(kid);
    if (!jwk) throw new Error(`kid ${kid} is not in the gatekeeper's JWKS`);
    if (jwk.kty !== wanted.kty || jwk.crv !== wanted.crv) throw new Error(`alg ${header.alg} does not fit key ${kid}`);
    if (jwk.d !== undefined) throw new Error("the gatekeeper's JWKS carries a private key");
    const { kty, crv, x, y } = jwk;
    return importJWK({ kty, crv, x, y }, header.alg);
  }

  /**
   * Verifies `Authorization: Bearer TOKEN` for a call whose body is `body`,
   * at provider time `now` (seconds). Returns the call, or a reason to refuse.
   */
  async verify(authorization: string | undefined, body: Buffer, audience: string, now: number): Promise<AcceptedCall | string> {
    const match = /^Bearer +([^ ]+) *$/i.exec(authorization ?? "");
    if (!match || match[1] === undefined) return "no bearer token";
    const token = match[1];
    const cfg = this.config;
    if (token.length > cfg.maxTokenBytes) return `token over ${cfg.maxTokenBytes} bytes`;
    if (!COMPACT_JWS.test(token)) return "not a compact JWS";
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keyFor(header), {
        algorithms: Object.keys(KEY_FOR_ALG),
        typ: "application/gatekeeper-call+jwt",
        issuer: cfg.issuer,
        audience,
        clockTolerance: cfg.clockSkewSeconds,
        currentDate: new Date(now * 1000),
        requiredClaims: ["iss", "aud", "iat", "exp", "jti", "body_sha256"],
      }));
    } catch (e) {
      return e instanceof errors.JOSEError ? `${e.code}: ${e.message}` : `refused: ${(e as Error).message}`;
    }
    const { iat, exp, jti } = payload;
    const skew = cfg.clockSkewSeconds;
    if (typeof iat !== "number" || typeof exp !== "number") return "iat and exp must be NumericDates";
    if (iat - skew > now) return "iat is in the future";
    const lifetime = exp - iat;
    if (!(lifetime > 0 && lifetime <= cfg.maxCallTokenLifetimeSeconds)) return `lifetime ${lifetime} s is out of bounds`;
    if (typeof jti !== "string" || jti === "") return "jti must be a non-empty string";
    const digest = createHash("sha256").update(body).digest("base64url");
    if (payload["body_sha256"] !== digest) return "body_sha256 does not match the body";
    for (const [seen, until] of this.seenJti) if (until + skew < now) this.seenJti.delete(seen);
    if (this.seenJti.has(jti)) return "jti replayed";
    this.seenJti.set(jti, exp);
    return { jti };
  }
}
