#!/usr/bin/env node
// Self-test fixture: a stand-in for the issuing server, built with jose and
// node's own zlib/http (no code shared with verify.mjs).
//
//   node fixture.mjs <out-dir>
//
// Generates a P-256 key, listens on 127.0.0.1:<random port>, serves
//   /.well-known/did.json  the DID document (same shape as the real server)
//   /status/1              a signed BitstringStatusListCredential VC-JWT (bit 7 set)
// and writes to <out-dir>: base-url, active.jwt (index 5), revoked.jwt
// (index 7), tampered.jwt (active.jwt with one payload byte changed),
// vc-claim.jwt (like active.jwt, but the credential sits in the `vc` claim).
// Runs until SIGTERM/SIGINT (or for at most 120 s).

import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { writeFile, mkdir } from 'node:fs/promises';
import { randomUUID, randomBytes, createHash } from 'node:crypto';
import * as jose from 'jose';

const outDir = process.argv[2];
if (!outDir) {
  process.stderr.write('usage: node fixture.mjs <out-dir>\n');
  process.exit(2);
}

const LIST_BITS = 131072;
const REVOKED_INDEX = 7;

const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
const pubJwk = await jose.exportJWK(publicKey);
const thumbprint = await jose.calculateJwkThumbprint(pubJwk, 'sha256');

let routes = {};
const server = http.createServer((req, res) => {
  const r = routes[req.url];
  if (req.method !== 'GET' || !r) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': r.type });
  res.end(r.body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const base = `http://127.0.0.1:${port}`;
const did = `did:web:127.0.0.1%3A${port}`;
const kid = `${did}#key-${thumbprint}`;

const didDocument = {
  '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
  id: did,
  verificationMethod: [{
    id: kid,
    type: 'JsonWebKey2020',
    controller: did,
    publicKeyJwk: { kty: 'EC', crv: 'P-256', x: pubJwk.x, y: pubJwk.y },
  }],
  assertionMethod: [kid],
};

async function sign(payload) {
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', kid })
    .sign(privateKey);
}

const now = Math.floor(Date.now() / 1000);
const nbf = now - 60;
const exp = now + 365 * 24 * 3600;
const iso = (s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Status list: bit i lives in byte floor(i/8), most significant bit first
// (W3C Bitstring Status List), encoded as "u" + base64url(gzip(bits)).
const bits = Buffer.alloc(LIST_BITS / 8);
bits[Math.floor(REVOKED_INDEX / 8)] |= 0x80 >> (REVOKED_INDEX % 8);
const encodedList = 'u' + gzipSync(bits).toString('base64url');
const statusUrl = `${base}/status/1`;
const statusPayload = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  id: statusUrl,
  type: ['VerifiableCredential', 'BitstringStatusListCredential'],
  issuer: did,
  validFrom: iso(nbf),
  credentialSubject: {
    id: `${statusUrl}#list`,
    type: 'BitstringStatusList',
    statusPurpose: 'revocation',
    encodedList,
  },
  iss: did,
  jti: statusUrl,
  iat: now,
  nbf,
};

routes = {
  '/.well-known/did.json': { type: 'application/did+json', body: JSON.stringify(didDocument) },
  '/status/1': { type: 'application/vc+jwt', body: await sign(statusPayload) },
};

function credential(index, achievementName) {
  const id = `${base}/verify/${randomUUID()}`;
  const subject = `urn:uuid:${randomUUID()}`;
  const salt = randomBytes(8).toString('hex');
  const identityHash = createHash('sha256').update(`learner@example.org${salt}`).digest('hex');
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: did, type: ['Profile'], name: 'Acme' },
    validFrom: iso(nbf),
    validUntil: iso(exp),
    name: achievementName,
    credentialSubject: {
      id: subject,
      type: ['AchievementSubject'],
      identifier: [{
        type: 'IdentityObject',
        identityHash: `sha256$${identityHash}`,
        identityType: 'emailAddress',
        hashed: true,
        salt,
      }],
      achievement: {
        id: `${base}/achievements/1`,
        type: ['Achievement'],
        name: achievementName,
        description: 'Completed the fixture programme.',
        criteria: { narrative: 'Attend all sessions.' },
      },
    },
    credentialStatus: {
      id: `${statusUrl}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: statusUrl,
    },
    iss: did,
    jti: id,
    sub: subject,
    nbf,
    iat: now,
    exp,
  };
}

const active = await sign(credential(5, 'Fixture Badge'));
const revoked = await sign(credential(REVOKED_INDEX, 'Fixture Badge'));

// Tamper: change exactly one byte of the decoded payload (a letter of the
// achievement name), keeping valid JSON, and reuse the original signature.
const [h, p, s] = active.split('.');
const payloadBytes = Buffer.from(p, 'base64url');
const at = payloadBytes.indexOf('Fixture Badge');
if (at < 0) throw new Error('fixture: cannot find name to tamper');
payloadBytes[at] = 'M'.charCodeAt(0); // "Fixture" -> "Mixture"
const tampered = `${h}.${payloadBytes.toString('base64url')}.${s}`;

// The same active credential in the alternative VC-JWT shape: registered JWT
// claims at the top level, the credential inside the `vc` claim.
const { iss, jti, sub, nbf: nbf2, iat, exp: exp2, ...vc } = credential(5, 'Fixture Badge');
const vcClaim = await sign({ iss, jti, sub, nbf: nbf2, iat, exp: exp2, vc });

await mkdir(outDir, { recursive: true });
await writeFile(`${outDir}/active.jwt`, active + '\n');
await writeFile(`${outDir}/revoked.jwt`, revoked + '\n');
await writeFile(`${outDir}/tampered.jwt`, tampered + '\n');
await writeFile(`${outDir}/vc-claim.jwt`, vcClaim + '\n');
await writeFile(`${outDir}/did.json`, JSON.stringify(didDocument, null, 2) + '\n');
// Written last: its presence tells selftest.sh the fixture is ready.
await writeFile(`${outDir}/base-url`, base + '\n');

const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Never linger if the caller forgets to stop us.
setTimeout(stop, 120_000);
