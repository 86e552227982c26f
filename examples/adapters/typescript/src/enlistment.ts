// The provider side of the enlistment suite (docs/enlistment.md): OpenID
// discovery and a JWKS served over node:http on 127.0.0.1, enlistment proofs
// signed with jose, and the gatekeeper's calls verified (calls.ts).
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CryptoKey, exportJWK, generateKeyPair, JWK, SignJWT } from "jose";
import { AcceptedCall, CallVerifier, loopbackUrl } from "./calls.js";
import { NotImplemented, Obj, Refusal } from "./proto.js";

/** The Configure.enlistment values this side uses. */
export interface EnlistmentProfile {
  proofAudience: string;
  maxProofLifetimeSeconds: number;
  clockSkewSeconds: number;
}
/** The default profile's values (docs/enlistment.md), for a run with no Configure. */
const DEFAULT_PROFILE: EnlistmentProfile = {
  proofAudience: "https://gatekeeper.example/enlistment",
  maxProofLifetimeSeconds: 300,
  clockSkewSeconds: 60,
};
/** Our proofs live two minutes, or less when the profile says so. */
const PROOF_LIFETIME_SECONDS = 120;
const MAX_BODY_BYTES = 64 * 1024;
/** The largest call token we can take (profiles go up to 64 KiB, docs/enlistment.md). */
export const MAX_CALL_TOKEN_BYTES = 128 * 1024;
const MAX_HEADER_BYTES = 2 * MAX_CALL_TOKEN_BYTES;
/** The provider's accounts: identifier and the credential EnSignIn takes. */
const USERS = new Map([
  ["alice@provider.example", "correct horse battery staple"],
  ["bob@provider.example", "hunter2-but-longer"],
]);

interface SigningKey {
  kid: string;
  alg: "EdDSA" | "ES256";
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** Provider time after which it leaves the JWKS (set at rotation). */
  retireAt?: number;
}

interface Delivery {
  endpoint: "push" | "authenticate";
  body: Uint8Array;
  jti: string;
}

async function newKey(alg: "EdDSA" | "ES256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519" } : {});
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

/** Everything Reset forgets. */
class ProviderState {
  server: http.Server | undefined;
  issuer = "";
  clockOffset = 0;
  signedIn = new Set<string>();
  /** The key that signs proofs, the other published current key, and retired ones. */
  signing: SigningKey | undefined;
  other: SigningKey | undefined;
  retired: SigningKey[] = [];
  verifier: CallVerifier | undefined;
  deliveries: Delivery[] = [];
}

export class Enlistment {
  private s = new ProviderState();
  private profile = DEFAULT_PROFILE;

  constructor(private readonly log: (line: string) => void) {}

  private now(): number {
    return Math.floor(Date.now() / 1000) + this.s.clockOffset;
  }

  private proofLifetime(): number {
    return Math.min(PROOF_LIFETIME_SECONDS, this.profile.maxProofLifetimeSeconds);
  }

  async reset(): Promise<void> {
    const server = this.s.server;
    this.s = new ProviderState();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async operation(op: string, body: Obj, profile: EnlistmentProfile | undefined): Promise<Obj> {
    this.profile = profile ?? DEFAULT_PROFILE;
    switch (op) {
      case "en_provider_info": {
        const issuer = await this.start();
        return {
          issuer,
          push_endpoint: `${issuer}/gatekeeper/push`,
          authenticate_endpoint: `${issuer}/gatekeeper/authenticate`,
          users: [...USERS].map(([identifier, credential]) => ({ identifier, credential })),
        };
      }
      case "en_configure":
        return this.configure(body);
      case "en_sign_in": {
        const identifier = String(body["identifier"] ?? "");
        const credential = USERS.get(identifier);
        if (credential === undefined) throw new Refusal("NOT_FOUND", "no such account");
        if (body["credential"] !== credential) {
          this.s.signedIn.delete(identifier);
          throw new Refusal("UNAUTHENTICATED", "wrong credential");
        }
        this.s.signedIn.add(identifier);
        return {};
      }
      case "en_issue_proof":
        return { token: await this.issueProof(body) };
      case "en_rotate_keys":
        return { kid: await this.rotate() };
      case "en_deliveries":
        return { deliveries: this.s.deliveries };
      case "en_advance_clock":
        this.s.clockOffset += Number(body["seconds"] ?? 0);
        return {};
      default:
        throw new NotImplemented(`operation ${op} is not implemented`);
    }
  }

  private configure(body: Obj): Obj {
    const jwksUrl = loopbackUrl(String(body["gatekeeper_jwks_url"] ?? ""));
    if (!jwksUrl) throw new Refusal("MALFORMED_INPUT", "the gatekeeper JWKS must be an http://127.0.0.1 URL");
    this.s.verifier = new CallVerifier({
      jwksUrl,
      issuer: String(body["gatekeeper_issuer"] ?? ""),
      // Never more leeway than the profile allows.
      clockSkewSeconds: Math.min(Number(body["clock_skew_seconds"] ?? 0), this.profile.clockSkewSeconds),
      maxCallTokenLifetimeSeconds: Number(body["max_call_token_lifetime_seconds"] ?? 0),
      maxTokenBytes: Number(body["max_token_bytes"] ?? 0),
    });
    return {};
  }

  private async keys(): Promise<{ signing: SigningKey; other: SigningKey }> {
    if (!this.s.signing || !this.s.other) {
      this.s.signing = await newKey("EdDSA");
      this.s.other = await newKey("ES256");
    }
    return { signing: this.s.signing, other: this.s.other };
  }

  private async issueProof(body: Obj): Promise<string> {
    const identifier = String(body["identifier"] ?? "");
    if (!USERS.has(identifier)) throw new Refusal("NOT_FOUND", "no such account");
    if (!this.s.signedIn.has(identifier)) throw new Refusal("UNAUTHENTICATED", "the user has not signed in");
    const audience = String(body["audience"] ?? "");
    const nonce = String(body["nonce"] ?? "");
    if (audience === "" || nonce === "") throw new Refusal("SCHEMA_VIOLATION", "empty audience or nonce");
    const signal = (body["signal_identity_key"] as Uint8Array | undefined) ?? new Uint8Array();
    const noise = (body["noise_static_key"] as Uint8Array | undefined) ?? new Uint8Array();
    // A Signal identity key is 0x05 || 32 bytes of X25519; a Noise static key 32 bytes.
    if (signal.length !== 33 || signal[0] !== 0x05) throw new Refusal("INVALID_KEY", "malformed Signal identity key");
    if (noise.length !== 32) throw new Refusal("INVALID_KEY", "malformed Noise static key");
    const issuer = await this.start();
    const { signing } = await this.keys();
    const now = this.now();
    return new SignJWT({
      nonce,
      cnf: {
        signal_identity_key: Buffer.from(signal).toString("base64url"),
        noise_static_key: Buffer.from(noise).toString("base64url"),
      },
    })
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: "enlistment-proof+jwt" })
      .setIssuer(issuer)
      .setSubject(identifier)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.proofLifetime())
      .setJti(randomUUID())
      .sign(signing.privateKey);
  }

  /** A new signing key of the same type; the old one stays published until its proofs expired. */
  private async rotate(): Promise<string> {
    const { signing } = await this.keys();
    signing.retireAt = this.now() + this.proofLifetime() + this.profile.clockSkewSeconds;
    this.s.retired.push(signing);
    this.s.signing = await newKey(signing.alg);
    return this.s.signing.kid;
  }

  private async jwks(): Promise<{ keys: JWK[] }> {
    const { signing, other } = await this.keys();
    const now = this.now();
    const retired = this.s.retired.filter((k) => k.retireAt !== undefined && now < k.retireAt);
    return { keys: [signing, other, ...retired].map((k) => k.publicJwk) };
  }

  /** Starts the HTTP server on 127.0.0.1 (once per Reset) and answers the issuer. */
  private async start(): Promise<string> {
    if (this.s.server) return this.s.issuer;
    const state = this.s;
    // Call tokens may be up to 64 KiB (docs/enlistment.md: max_token_bytes at most 64 KiB),
    // more than Node's default header limit of 16 KiB. Slow requests are cut off.
    const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 10_000 }, (req, res) => {
      this.serve(state, req, res).catch((e: unknown) => {
        this.log(`HTTP handler failed: ${(e as Error).message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    state.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return state.issuer;
  }

  private async serve(state: ProviderState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, json?: unknown, headers: http.OutgoingHttpHeaders = {}) => {
      const body = json === undefined ? "" : JSON.stringify(json);
      res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
      res.end(body);
    };
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/.well-known/openid-configuration") {
      // OpenID Connect Discovery 1.0 §3: the required members; `none` never advertised.
      return send(200, {
        issuer: state.issuer,
        jwks_uri: `${state.issuer}/jwks.json`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["EdDSA", "ES256"],
      });
    }
    if (req.method === "GET" && path === "/jwks.json") return send(200, await this.jwks());
    const endpoint = path === "/gatekeeper/push" ? "push" : path === "/gatekeeper/authenticate" ? "authenticate" : undefined;
    if (!endpoint) return send(404, { error: "not_found" });
    if (req.method !== "POST") return send(405, { error: "method_not_allowed" });
    const body = await readBody(req);
    if (!body) return send(413, { error: "body_too_large" });
    const refused = { "www-authenticate": 'Bearer error="invalid_token"' };
    if (!state.verifier) return send(401, { error: "invalid_token" }, refused);
    const verdict: AcceptedCall | string = await state.verifier.verify(req.headers.authorization, body, state.issuer, this.now());
    if (typeof verdict === "string") {
      this.log(`refused a ${endpoint} call: ${verdict}`);
      return send(401, { error: "invalid_token" }, refused);
    }
    if (endpoint === "push") {
      state.deliveries.push({ endpoint, body, jti: verdict.jti });
      return send(202, { accepted: true });
    }
    let sub: unknown;
    try {
      sub = (JSON.parse(body.toString("utf8")) as { sub?: unknown }).sub;
    } catch {
      sub = undefined;
    }
    if (typeof sub !== "string") return send(400, { error: "invalid_request" });
    state.deliveries.push({ endpoint, body, jti: verdict.jti });
    return send(200, { sub, authenticated: state.signedIn.has(sub) });
  }
}

/** The request body, or undefined past MAX_BODY_BYTES. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
