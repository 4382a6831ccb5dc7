#!/usr/bin/env node
// Independent Open Badges 3.0 / VC-JWT verifier.
//
//   node verify.mjs <base-url> <file|->
//
// Verifies a compact JWS (application/vc+jwt) issued by the server at
// <base-url> using third-party libraries only (did-jwt-vc / did-jwt /
// did-resolver for the VC-JWT, jose for an independent JWS check,
// @digitalbazaar/vc-bitstring-status-list for the revocation bit) and prints
// ONE JSON line:
//   {"verified","revoked","jose","issuer","name","validFrom","validUntil","errors"}
// Exit status: 0 whenever verification could run (whatever the outcome),
// 2 on usage errors. See README.md.

import { readFile } from 'node:fs/promises';
import { Resolver } from 'did-resolver';
import { verifyCredential } from 'did-jwt-vc';
import { decodeJWT } from 'did-jwt';
import * as jose from 'jose';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
const FETCH_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
// Same tolerance did-jwt applies to nbf/exp (NBF_SKEW), reused for validFrom/validUntil.
const SKEW_SECONDS = 300;
const VCDM2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const VCDM1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
const MIN_STATUS_LIST_BITS = 131072;

function usage(msg) {
  if (msg) process.stderr.write(`verify.mjs: ${msg}\n`);
  process.stderr.write('usage: node verify.mjs <base-url> <file|->\n' +
    '  base-url must be a loopback http URL (http://127.0.0.1:<port> or http://localhost:<port>)\n');
  process.exit(2);
}

function errMsg(e) {
  return e instanceof Error ? e.message : String(e);
}

/** Parses a URL and requires plain http on a loopback host. Throws otherwise. */
function loopbackUrl(str, what) {
  let u;
  try {
    u = new URL(str);
  } catch {
    throw new Error(`${what} is not a valid URL: ${JSON.stringify(str)}`);
  }
  if (u.protocol !== 'http:') throw new Error(`${what} must use http: (loopback only), got ${u.protocol}`);
  if (!LOOPBACK_HOSTS.has(u.hostname)) {
    throw new Error(`${what} must be on 127.0.0.1 or localhost, got ${u.hostname}`);
  }
  if (u.username || u.password) throw new Error(`${what} must not carry credentials`);
  return u;
}

function effectivePort(u) {
  return u.port || '80';
}

/** Fetches a loopback URL (no redirects) and returns the body text. */
async function fetchLoopback(urlStr, what, accept) {
  const u = loopbackUrl(urlStr, what);
  const res = await fetch(u, {
    headers: { accept },
    redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${what} ${u.href}: HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_BODY_BYTES) throw new Error(`${what} ${u.href}: body too large`);
  return { text: buf.toString('utf8'), contentType: res.headers.get('content-type') };
}

/**
 * did:web -> http URL, loopback only. did:web:127.0.0.1%3A3000 ->
 * http://127.0.0.1:3000/.well-known/did.json; did:web:127.0.0.1%3A3000:a:b ->
 * http://127.0.0.1:3000/a/b/did.json. The standard web-did-resolver forces
 * https, hence this small resolver.
 */
function didWebUrl(methodSpecificId) {
  const parts = methodSpecificId.split(':').map((p) => decodeURIComponent(p));
  const host = parts.shift();
  if (!host) throw new Error('empty did:web host');
  const path = parts.length ? `/${parts.map(encodeURIComponent).join('/')}/did.json` : '/.well-known/did.json';
  return loopbackUrl(`http://${host}${path}`, 'did:web host').href;
}

async function fetchDidDocument(did) {
  if (!did.startsWith('did:web:')) throw new Error(`unsupported DID method (only did:web): ${did}`);
  const url = didWebUrl(did.slice('did:web:'.length));
  const { text } = await fetchLoopback(url, 'DID document', 'application/did+json, application/json');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`DID document at ${url} is not JSON`);
  }
  if (!doc || typeof doc !== 'object' || doc.id !== did) {
    throw new Error(`DID document at ${url} has id ${JSON.stringify(doc?.id)}, expected ${did}`);
  }
  return doc;
}

const didDocCache = new Map();
function cachedDidDocument(did) {
  if (!didDocCache.has(did)) didDocCache.set(did, fetchDidDocument(did));
  return didDocCache.get(did);
}

const resolver = new Resolver({
  web: async (did, parsed) => {
    try {
      const didDocument = await cachedDidDocument(parsed.did);
      return {
        didDocument,
        didDocumentMetadata: {},
        didResolutionMetadata: { contentType: 'application/did+json' },
      };
    } catch (e) {
      return {
        didDocument: null,
        didDocumentMetadata: {},
        didResolutionMetadata: { error: 'notFound', message: errMsg(e) },
      };
    }
  },
});

function asArray(v) {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function issuerId(cred, payload) {
  if (typeof cred.issuer === 'string') return cred.issuer;
  if (cred.issuer && typeof cred.issuer.id === 'string') return cred.issuer.id;
  return typeof payload?.iss === 'string' ? payload.iss : null;
}

/** The credential is either the `vc` claim or the JWT payload itself. */
function credentialOf(payload) {
  if (payload && typeof payload.vc === 'object' && payload.vc !== null) return payload.vc;
  return payload;
}

function checkHeader(header, what, errors) {
  let ok = true;
  if (header?.alg !== 'ES256') {
    errors.push(`${what}: JWS header alg must be "ES256", got ${JSON.stringify(header?.alg)}`);
    ok = false;
  }
  if (header?.typ !== 'vc+jwt') {
    errors.push(`${what}: JWS header typ must be "vc+jwt", got ${JSON.stringify(header?.typ)}`);
    ok = false;
  }
  if (typeof header?.kid !== 'string' || !header.kid) {
    errors.push(`${what}: JWS header kid is missing`);
    ok = false;
  }
  return ok;
}

/**
 * Structural checks done here instead of did-jwt-vc's `format` policy, which
 * insists on the VCDM 1.1 context https://www.w3.org/2018/credentials/v1 and
 * would reject a VCDM 2.0 credential. Returns false (with errors) on failure.
 */
function checkStructure(payload, header, what, requiredType, errors) {
  const before = errors.length;
  const cred = credentialOf(payload);
  const ctx = asArray(cred['@context']);
  if (ctx[0] !== VCDM2_CONTEXT && ctx[0] !== VCDM1_CONTEXT) {
    errors.push(`${what}: first @context must be "${VCDM2_CONTEXT}", got ${JSON.stringify(ctx[0])}`);
  }
  const types = asArray(cred.type);
  for (const t of ['VerifiableCredential', ...asArray(requiredType)]) {
    if (Array.isArray(t) ? !t.some((x) => types.includes(x)) : !types.includes(t)) {
      errors.push(`${what}: type must include ${JSON.stringify(t)}`);
    }
  }
  const subj = cred.credentialSubject;
  if (!subj || typeof subj !== 'object' || Array.isArray(subj)) {
    errors.push(`${what}: credentialSubject must be an object`);
  }
  const iss = issuerId(cred, payload);
  if (typeof payload.iss !== 'string') {
    errors.push(`${what}: JWT iss claim is missing`);
  } else if (iss !== payload.iss) {
    errors.push(`${what}: issuer id ${JSON.stringify(iss)} does not equal JWT iss ${JSON.stringify(payload.iss)}`);
  }
  if (typeof header?.kid === 'string' && header.kid.includes('#') && !header.kid.startsWith('#')) {
    const kidDid = header.kid.split('#')[0];
    if (kidDid !== payload.iss) {
      errors.push(`${what}: kid ${JSON.stringify(header.kid)} is not a key of the issuer ${JSON.stringify(payload.iss)}`);
    }
  }
  if (payload.jti !== undefined && cred.id !== undefined && payload.jti !== cred.id) {
    errors.push(`${what}: JWT jti ${JSON.stringify(payload.jti)} does not equal id ${JSON.stringify(cred.id)}`);
  }
  if (payload.sub !== undefined && subj && subj.id !== undefined && payload.sub !== subj.id) {
    errors.push(`${what}: JWT sub ${JSON.stringify(payload.sub)} does not equal credentialSubject.id ${JSON.stringify(subj.id)}`);
  }
  for (const claim of ['nbf', 'exp', 'iat']) {
    const v = payload[claim];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v < 100000000000)) {
      errors.push(`${what}: JWT ${claim} must be a unix timestamp in seconds, got ${JSON.stringify(v)}`);
    }
  }
  // VCDM 2.0 validity period, checked against the real clock like nbf/exp.
  const now = Math.floor(Date.now() / 1000);
  for (const [field, cmp] of [['validFrom', (t) => t <= now + SKEW_SECONDS], ['validUntil', (t) => t > now - SKEW_SECONDS]]) {
    if (cred[field] === undefined) continue;
    const ms = typeof cred[field] === 'string' ? Date.parse(cred[field]) : NaN;
    if (Number.isNaN(ms)) {
      errors.push(`${what}: ${field} is not a date-time: ${JSON.stringify(cred[field])}`);
    } else if (!cmp(Math.floor(ms / 1000))) {
      errors.push(`${what}: ${field} ${cred[field]} is outside the current time ${new Date(now * 1000).toISOString()}`);
    }
  }
  return errors.length === before;
}

/** did-jwt-vc verification + header + structural checks. Returns boolean. */
async function verifyVcJwt(jwt, what, requiredType, errors) {
  let decoded;
  try {
    decoded = decodeJWT(jwt);
  } catch (e) {
    errors.push(`${what}: cannot decode JWT: ${errMsg(e)}`);
    return false;
  }
  let ok = true;
  try {
    await verifyCredential(jwt, resolver, {
      proofPurpose: 'assertionMethod',
      // did-jwt-vc's format check requires the VCDM 1.1 context; replaced by checkStructure().
      policies: { format: false },
    });
  } catch (e) {
    errors.push(`${what}: did-jwt-vc verifyCredential: ${errMsg(e)}`);
    ok = false;
  }
  if (!checkHeader(decoded.header, what, errors)) ok = false;
  if (!checkStructure(decoded.payload, decoded.header, what, requiredType, errors)) ok = false;
  return ok;
}

/** Independent check with jose: kid -> DID document verificationMethod -> compactVerify. */
async function joseVerify(jws, header, payload, errors) {
  try {
    const kid = header?.kid;
    if (typeof kid !== 'string' || !kid) throw new Error('JWS header has no kid');
    let did = kid.startsWith('#') ? payload?.iss : kid.split('#')[0];
    if (typeof did !== 'string') throw new Error(`cannot determine DID for kid ${kid}`);
    const fullKid = kid.startsWith('#') ? did + kid : kid;
    const doc = await cachedDidDocument(did);
    const vm = asArray(doc.verificationMethod).find(
      (m) => m && (m.id === fullKid || (typeof m.id === 'string' && m.id.startsWith('#') && did + m.id === fullKid)));
    if (!vm) throw new Error(`no verificationMethod with id ${fullKid} in DID document`);
    if (!vm.publicKeyJwk) throw new Error(`verificationMethod ${fullKid} has no publicKeyJwk`);
    const key = await jose.importJWK(vm.publicKeyJwk, 'ES256');
    await jose.compactVerify(jws, key, { algorithms: ['ES256'] });
    return true;
  } catch (e) {
    errors.push(`jose: ${errMsg(e)}`);
    return false;
  }
}

/** Returns true/false for the status bit, or null if it cannot be established. */
async function checkRevocation(cred, credIssuer, errors) {
  const entries = asArray(cred.credentialStatus);
  if (entries.length === 0) return null;
  const entry = entries.find((s) => s && s.type === 'BitstringStatusListEntry' && s.statusPurpose === 'revocation');
  if (!entry) {
    errors.push('status: credentialStatus has no BitstringStatusListEntry with statusPurpose "revocation"');
    return null;
  }
  try {
    if (typeof entry.statusListIndex !== 'string' || !/^(0|[1-9][0-9]*)$/.test(entry.statusListIndex)) {
      throw new Error(`statusListIndex must be a decimal string, got ${JSON.stringify(entry.statusListIndex)}`);
    }
    const index = Number(entry.statusListIndex);
    const listUrl = entry.statusListCredential;
    if (typeof listUrl !== 'string') throw new Error('statusListCredential is missing');
    const { text } = await fetchLoopback(listUrl, 'statusListCredential', 'application/vc+jwt');
    const listJwt = text.trim();
    const listErrors = [];
    const ok = await verifyVcJwt(listJwt, 'status list', ['BitstringStatusListCredential'], listErrors);
    errors.push(...listErrors);
    if (!ok) throw new Error('status list credential did not verify');
    const listPayload = decodeJWT(listJwt).payload;
    const list = credentialOf(listPayload);
    if (list.id !== listUrl) {
      throw new Error(`status list id ${JSON.stringify(list.id)} does not equal statusListCredential ${listUrl}`);
    }
    const listIssuer = issuerId(list, listPayload);
    if (credIssuer && listIssuer !== credIssuer) {
      throw new Error(`status list issuer ${JSON.stringify(listIssuer)} differs from credential issuer ${JSON.stringify(credIssuer)}`);
    }
    const subj = list.credentialSubject;
    if (subj?.type !== 'BitstringStatusList' && !asArray(subj?.type).includes('BitstringStatusList')) {
      throw new Error('status list credentialSubject.type must be "BitstringStatusList"');
    }
    if (subj.statusPurpose !== entry.statusPurpose) {
      throw new Error(`status list statusPurpose ${JSON.stringify(subj.statusPurpose)} does not match entry ${JSON.stringify(entry.statusPurpose)}`);
    }
    if (typeof subj.encodedList !== 'string') throw new Error('status list encodedList is missing');
    const bsl = await decodeList({ encodedList: subj.encodedList });
    if (bsl.length < MIN_STATUS_LIST_BITS) {
      errors.push(`status: status list has ${bsl.length} bits, spec minimum is ${MIN_STATUS_LIST_BITS}`);
    }
    if (index >= bsl.length) throw new Error(`statusListIndex ${index} out of range (list has ${bsl.length} bits)`);
    return bsl.getStatus(index);
  } catch (e) {
    errors.push(`status: ${errMsg(e)}`);
    return null;
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length !== 2) usage('expected exactly two arguments');
  let base;
  try {
    base = loopbackUrl(args[0], 'base-url');
  } catch (e) {
    usage(errMsg(e));
  }
  let input;
  try {
    input = args[1] === '-' ? await readStdin() : await readFile(args[1], 'utf8');
  } catch (e) {
    usage(`cannot read ${args[1]}: ${errMsg(e)}`);
  }

  const out = {
    verified: false, revoked: null, jose: false,
    issuer: null, name: null, validFrom: null, validUntil: null, errors: [],
  };
  const errors = out.errors;
  try {
    const jwt = input.trim();
    let decoded = null;
    try {
      decoded = decodeJWT(jwt);
    } catch (e) {
      errors.push(`cannot decode JWT: ${errMsg(e)}`);
    }
    const header = decoded?.header ?? safeHeader(jwt);
    const payload = decoded?.payload ?? null;

    const [verified, joseOk] = await Promise.all([
      decoded ? verifyVcJwt(jwt, 'credential', [['OpenBadgeCredential', 'AchievementCredential']], errors) : false,
      joseVerify(jwt, header, payload, errors),
    ]);
    out.verified = verified;
    out.jose = joseOk;

    if (payload) {
      const cred = credentialOf(payload);
      out.issuer = issuerId(cred, payload);
      const name = cred.credentialSubject?.achievement?.name;
      out.name = typeof name === 'string' ? name : null;
      out.validFrom = typeof cred.validFrom === 'string' ? cred.validFrom : null;
      out.validUntil = typeof cred.validUntil === 'string' ? cred.validUntil : null;

      // The issuer must be the server at base-url (did:web of the same loopback port).
      if (typeof out.issuer === 'string' && out.issuer.startsWith('did:web:')) {
        try {
          const issUrl = new URL(didWebUrl(out.issuer.slice('did:web:'.length)));
          if (effectivePort(issUrl) !== effectivePort(base)) {
            errors.push(`credential: issuer ${out.issuer} is not the server at ${base.origin}`);
            out.verified = false;
          }
        } catch (e) {
          errors.push(`credential: issuer ${out.issuer}: ${errMsg(e)}`);
          out.verified = false;
        }
      } else {
        errors.push(`credential: issuer must be a did:web DID, got ${JSON.stringify(out.issuer)}`);
        out.verified = false;
      }

      out.revoked = await checkRevocation(cred, out.issuer, errors);
    }
  } catch (e) {
    errors.push(`unexpected: ${errMsg(e)}`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

function safeHeader(jwt) {
  try {
    return jose.decodeProtectedHeader(jwt);
  } catch {
    return null;
  }
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

main().catch((e) => {
  // Last resort: still print one JSON line.
  process.stdout.write(JSON.stringify({
    verified: false, revoked: null, jose: false, issuer: null, name: null,
    validFrom: null, validUntil: null, errors: [`unexpected: ${errMsg(e)}`],
  }) + '\n');
  process.exit(0);
});
