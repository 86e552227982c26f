//! The enlistment suite's mutants, described: name, the requirements each
//! violates, what inspired it and its defect.

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` belongs to another suite.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        EnlistmentAcceptsAlgNone => (
            "enlistment-accepts-alg-none",
            &["EN-016"],
            "\"alg\": \"none\" accepted, Tim McLean, \"Critical vulnerabilities in JSON Web Token libraries\" (2015); RFC 8725 §2.1",
            "accepts a gatekeeper call token with alg none and no signature",
        ),
        EnlistmentIgnoresExp => (
            "enlistment-ignores-exp",
            &["EN-018"],
            "RFC 7519 §4.1.4; CWE-613 (Insufficient Session Expiration)",
            "accepts expired gatekeeper call tokens (exp never checked)",
        ),
        EnlistmentIgnoresAud => (
            "enlistment-ignores-aud",
            &["EN-019"],
            "RFC 8725 §3.9 (cross-service relay: the audience not checked)",
            "accepts gatekeeper call tokens meant for another audience",
        ),
        EnlistmentIgnoresIss => (
            "enlistment-ignores-iss",
            &["EN-019", "EN-025"],
            "RFC 8725 §3.8 (issuer not validated)",
            "accepts gatekeeper call tokens from any issuer",
        ),
        EnlistmentFirstKeyAnyKid => (
            "enlistment-first-key-any-kid",
            &["EN-017"],
            "verifiers that take the first key of a JWKS instead of the one kid names (RFC 7515 §4.1.4)",
            "verifies with the first key of the gatekeeper JWKS whatever the kid",
        ),
        EnlistmentHmacKeyConfusion => (
            "enlistment-hmac-key-confusion",
            &["EN-016"],
            "CVE-2015-9235 (auth0 node-jsonwebtoken: HS256 verified with the RS256 public key)",
            "accepts HS256 tokens keyed with the gatekeeper's public key bytes",
        ),
        EnlistmentNoReplayCache => (
            "enlistment-no-replay-cache",
            &["EN-020"],
            "RFC 7519 §4.1.7 (jti) unchecked; CWE-294",
            "keeps no jti replay cache: a replayed call is delivered twice",
        ),
        EnlistmentProofIgnoresNonce => (
            "enlistment-proof-ignores-nonce",
            &["EN-009"],
            "OpenID Connect Core §3.1.2.1 (nonce binds a token to a request); CWE-294",
            "issues proofs without the gatekeeper's nonce (not bound to the challenge)",
        ),
        EnlistmentJwksExposesPrivateKey => (
            "enlistment-jwks-exposes-private-key",
            &["EN-005"],
            "serializing the private JWK where its public half was meant (d is the private key, RFC 7518 §6.2.2.1, RFC 8037 §2); CWE-200",
            "publishes the private member d in its JWKS",
        ),
        EnlistmentDayLongProofs => (
            "enlistment-day-long-proofs",
            &["EN-008"],
            "CWE-613 (Insufficient Session Expiration): a lifetime constant in the wrong unit",
            "issues proofs valid for 24 hours",
        ),
        EnlistmentBodyHashUnchecked => (
            "enlistment-body-hash-unchecked",
            &["EN-021"],
            "CWE-345 (Insufficient Verification of Data Authenticity): a signed hash never compared with the body",
            "never compares the request body with the token's body_sha256",
        ),
        EnlistmentIgnoresFutureIat => (
            "enlistment-ignores-future-iat",
            &["EN-018"],
            "RFC 7519 §4.1.6 (iat); skew checks applied only to exp",
            "accepts tokens issued in the future beyond the clock-skew allowance",
        ),
        EnlistmentRotationDropsOldKey => (
            "enlistment-rotation-drops-old-key",
            &["EN-013"],
            "OpenID Connect Core §10.1.1 (keep the old key until the tokens it signed expire)",
            "unpublishes the old signing key at rotation, while proofs it signed are still valid",
        ),
        EnlistmentIgnoresNbf => (
            "enlistment-ignores-nbf",
            &["EN-018"],
            "RFC 7519 §4.1.5 (nbf) unchecked by verifiers that validate only the claims they issue",
            "bounds iat by the clock skew but never reads nbf (RFC 7519 §4.1.5), like verifiers that validate only the claims they issue themselves",
        ),
        EnlistmentAlgCaseInsensitive => (
            "enlistment-alg-case-insensitive",
            &["EN-016"],
            "Auth0's 2020 \"nonE\" bypass (a case-sensitive deny-list in front of a case-insensitive library); RFC 7515 §4.1.1",
            "trims and lower-cases alg before matching it, so eddsa or 'ES256 ' pass (alg is case-sensitive, RFC 7515 §4.1.1; the bug class of Auth0's 2020 nonE bypass, a case-sensitive check in front of a case-insensitive library)",
        ),
        EnlistmentIgnoresTyp => (
            "enlistment-ignores-typ",
            &["EN-027"],
            "RFC 8725 §3.11 and §3.12 (explicit typing against cross-JWT confusion)",
            "never reads typ, so a token of another kind is taken as a call (RFC 8725 §3.11, §3.12 cross-JWT confusion)",
        ),
        EnlistmentIgnoresCrit => (
            "enlistment-ignores-crit",
            &["EN-028"],
            "libjwt issue #157 (crit never processed); RFC 7515 §4.1.11",
            "ignores crit, accepting a token whose critical extension it does not understand (RFC 7515 §4.1.11; libjwt issue #157, crit never processed)",
        ),
        EnlistmentTrustsEmbeddedJwk => (
            "enlistment-trusts-embedded-jwk",
            &["EN-017"],
            "CVE-2018-0114 (node-jose trusts the key embedded in the jwk header)",
            "verifies with the public key embedded in the token's jwk header instead of the gatekeeper's JWKS (CVE-2018-0114, node-jose)",
        ),
        EnlistmentFollowsJku => (
            "enlistment-follows-jku",
            &["EN-017"],
            "RFC 8725 §3.10 (blindly following jku)",
            "fetches the JWK Set the token's jku header names and verifies with its key (RFC 8725 §3.10: blindly following jku)",
        ),
        EnlistmentFollowsX5u => (
            "enlistment-follows-x5u",
            &["EN-017"],
            "RFC 8725 §3.10; RFC 7515 §4.1.5 (x5u fetched without validation)",
            "fetches the certificate the token's x5u header names and verifies with its key, without validating it (RFC 8725 §3.10; RFC 7515 §4.1.5)",
        ),
        EnlistmentTrustsX5c => (
            "enlistment-trusts-x5c",
            &["EN-017"],
            "RFC 7515 §4.1.6; the embedded-key class of CVE-2018-0114",
            "verifies with the key of the certificate in the token's x5c header without validating its chain (RFC 7515 §4.1.6; the embedded-key class of CVE-2018-0114)",
        ),
        EnlistmentTokenLimitOffByOne => (
            "enlistment-token-limit-off-by-one",
            &["EN-023"],
            "CWE-193 (Off-by-one Error): >= where > was meant",
            "refuses a call token of exactly max_token_bytes (>= where > was meant), the off-by-one boundary class (CWE-193)",
        ),
        EnlistmentSignalKeyTrailingBytes => (
            "enlistment-signal-key-trailing-bytes",
            &["EN-010"],
            "prefix parsing that ignores trailing input (the parser-differential class)",
            "accepts a Signal identity key of 0x05 || 32 bytes followed by more bytes, reading only the first 33 (the prefix-parse class: a decoder that ignores trailing input)",
        ),
        EnlistmentConfigureAnyUrl => (
            "enlistment-configure-any-url",
            &["EN-029"],
            "CWE-918 (Server-Side Request Forgery): an unchecked fetch URL",
            "takes any gatekeeper JWKS URL EnConfigure gives, loopback or not (the unchecked fetch-URL class of SSRF, CWE-918)",
        ),
        EnlistmentAuthenticateAlwaysTrue => (
            "enlistment-authenticate-always-true",
            &["EN-014"],
            "CWE-287 (Improper Authentication): fail-open authentication",
            "answers every authentication call authenticated true, signed in or not (the fail-open authentication class, CWE-287)",
        ),
        EnlistmentEs256AcceptsZeroSignature => (
            "enlistment-es256-accepts-zero-signature",
            &["EN-017"],
            "CVE-2022-21449 (Java 15-18 ECDSA accepted r = s = 0, \"psychic signatures\")",
            "accepts an ES256 call token whose signature is r = s = 0 for any message and any key, as Java 15-18's ECDSA did (CVE-2022-21449, \"psychic signatures\": no check that 1 <= r, s < n; Wycheproof ecdsa_secp256r1_sha256_p1363 tcId 11)",
        ),
        EnlistmentEddsaNoSRangeCheck => (
            "enlistment-eddsa-no-s-range-check",
            &["EN-017"],
            "ed25519-donna ed25519_sign_open tests only `(RS[63] & 224)`, as SUPERCOP ref10 crypto_sign_open tests `sm[63] & 224`; RFC 8032 §5.1.7 requires S < L",
            "checks only the top three bits of an Ed25519 signature's S and reduces it mod L, as ed25519-donna's `(RS[63] & 224) != 0` test does, so S + L verifies where RFC 8032 §5.1.7 requires S < L (signature malleability; Wycheproof ed25519 tcId 63, SignatureMalleability)",
        ),
        EnlistmentEs256AcceptsDer => (
            "enlistment-es256-accepts-der",
            &["EN-017"],
            "jwtk/jjwt#125 (JJWT produced and accepted DER-encoded ES256 signatures)",
            "reads an ES256 signature that is not 64 octets as ASN.1 DER and verifies that, as JJWT did (jwtk/jjwt#125, \"JWS ECDSA signatures should not be ASN.1 DER formatted\"), where RFC 7518 §3.4 says the JWS Signature MUST be a 64-octet sequence",
        ),
        EnlistmentDiscoveryMissingMember => (
            "enlistment-discovery-missing-member",
            &["EN-001"],
            "discovery documents that leave out a member OpenID Connect Discovery 1.0 §3 marks REQUIRED (subject_types_supported), which strict relying parties (e.g. oidc-client-ts, go-oidc's metadata checks) then refuse",
            "publishes a discovery document without subject_types_supported",
        ),
        EnlistmentIssuerTrailingSlash => (
            "enlistment-issuer-trailing-slash",
            &["EN-002"],
            "the issuer trailing-slash mismatch (Auth0's issuers end in '/', and relying parties comparing them with the URL they fetched fail; OpenID Connect Discovery 1.0 §4.3: the issuer MUST be identical)",
            "writes its issuer with a trailing slash in the discovery document",
        ),
        EnlistmentJwksPaddedBase64 => (
            "enlistment-jwks-padded-base64",
            &["EN-003"],
            "base64 where base64url without padding is required (RFC 7515 §2, RFC 7518 §6.2.1.2, RFC 8037 §2): the standard encoder used for JWK members, which strict JWK parsers refuse",
            "writes the x and y members of its published JWKs in standard, padded base64",
        ),
        EnlistmentKidPerAlgorithm => (
            "enlistment-kid-per-algorithm",
            &["EN-004"],
            "a kid derived from the algorithm (or a constant), so a rotated key reuses its predecessor's kid (RFC 7517 §4.5: kids are used to choose among keys, which only works when they differ)",
            "names each key after its algorithm, so the key a rotation adds has the outgoing key's kid",
        ),
        EnlistmentProofTypJwt => (
            "enlistment-proof-typ-jwt",
            &["EN-006"],
            "the JWT library's default typ \"JWT\" left in place (jsonwebtoken's Header::new, and most libraries, set it), where RFC 8725 §3.11 asks for explicit typing",
            "types its proofs typ JWT (the library default) instead of application/enlistment-proof+jwt",
        ),
        EnlistmentProofIatMilliseconds => (
            "enlistment-proof-iat-milliseconds",
            &["EN-007"],
            "milliseconds where NumericDate counts seconds (RFC 7519 §2), the JavaScript Date.now() class",
            "writes iat and exp in milliseconds since the epoch",
        ),
        EnlistmentJtiFromClaims => (
            "enlistment-jti-from-claims",
            &["EN-011"],
            "an identifier derived from the claims instead of drawn at random (RFC 7519 §4.1.7: a jti MUST be assigned so that collisions are negligible)",
            "derives jti from the subject and the second it was issued, so two proofs for one user in the same second share it",
        ),
        EnlistmentSignInBeforeCheck => (
            "enlistment-sign-in-before-check",
            &["EN-012"],
            "a session created before the credential check and not removed when it fails (CWE-287, Improper Authentication; CWE-303, Incorrect Implementation of Authentication Algorithm)",
            "marks a user signed in before comparing the credential, and keeps the mark when the credential is wrong",
        ),
        EnlistmentMissingTokenAllowed => (
            "enlistment-missing-token-allowed",
            &["EN-015"],
            "authentication middleware that validates a token only when one is present (the optional-auth fail-open class, CWE-306, Missing Authentication for Critical Function)",
            "delivers a gatekeeper call that has no Authorization header",
        ),
        EnlistmentEmptyJtiAccepted => (
            "enlistment-empty-jti-accepted",
            &["EN-022"],
            "a required claim checked for presence only (serde's String accepts \"\"), so an empty jti passes and every such token shares one replay-cache entry",
            "accepts a call token whose jti is the empty string",
        ),
        _ => return None,
    })
}
