// An independent EU wallet and verifier for the OpenID4VCI issuer (credentials/wallets/):
// the OpenWallet Foundation's @openid4vc/openid4vci client takes a credential through the
// pre-authorized code flow (OpenID4VCI 1.0) with an Ed25519 key proof, and @sd-jwt/sd-jwt-vc
// verifies the SD-JWT VC: the issuer's signature, the disclosures, the key binding of a
// presentation signed with the wallet key, and the status read from the Token Status List it
// names (fetched from the server). Prints one JSON object.
//
//   node eu_wallet.mjs take OFFER_URI --keys CONTROLLERS.json [--tx-code CODE]
//        -> {"credential", "holderKey", "version", "claims", "verified", "status", "error",
//            "tampered": {"claim", "disclosureOnly", "payloadEdited": {"value", "error"}}}
//   node eu_wallet.mjs verify SD_JWT --keys CONTROLLERS.json --holder-key JWK_JSON
//        -> {"claims", "verified", "status", "error"}
//
// CONTROLLERS.json maps an issuer DID (`iss`) to its DID document; `kid` picks the key.
import crypto from 'node:crypto';
import fs from 'node:fs';
import {Openid4vciClient, setGlobalConfig} from '@openid4vc/openid4vci';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';

setGlobalConfig({allowInsecureUrls: true}); // the test server is plain http

const [command, subject, ...rest] = process.argv.slice(2);
const option = name => {
  const at = rest.indexOf(name);
  return at === -1 ? undefined : rest[at + 1];
};
const controllers = JSON.parse(fs.readFileSync(option('--keys'), 'utf8'));

const b64 = value => Buffer.from(value).toString('base64url');
const decode = part => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

function issuerKey(kid) {
  const document = controllers[kid.split('#')[0]];
  const method = document?.verificationMethod?.find(item => item.id === kid);
  if (!method?.publicKeyJwk) throw new Error(`unknown kid ${kid}`);
  return crypto.createPublicKey({key: method.publicKeyJwk, format: 'jwk'});
}

const verifyEd25519 = (key, data, signature) =>
  crypto.verify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'));

function sdJwtVc(holderPrivate, statuses) {
  return new SDJwtVcInstance({
    hasher: (data, alg) => {
      if (alg !== 'sha-256') throw new Error(`unexpected hash ${alg}`);
      return new Uint8Array(crypto.createHash('sha256').update(data).digest());
    },
    hashAlg: 'sha-256',
    saltGenerator: () => crypto.randomBytes(16).toString('base64url'),
    verifier: (data, signature) =>
      verifyEd25519(issuerKey(decode(data.split('.')[0]).kid), data, signature),
    kbSigner: data => crypto.sign(null, Buffer.from(data), holderPrivate).toString('base64url'),
    kbSignAlg: 'EdDSA',
    kbVerifier: (data, signature, payload) =>
      verifyEd25519(crypto.createPublicKey({key: payload.cnf.jwk, format: 'jwk'}), data, signature),
    statusValidator: async status => { statuses.push(status); },
  });
}

// Present every disclosure with a key-binding JWT, then verify as a relying party would.
async function verify(credential, holderPrivate) {
  const statuses = [];
  const instance = sdJwtVc(holderPrivate, statuses);
  const claims = await instance.getClaims(credential);
  const frame = Object.fromEntries(Object.keys(claims).map(name => [name, true]));
  const nonce = crypto.randomBytes(12).toString('base64url');
  const presentation = await instance.present(credential, frame, {
    kb: {payload: {iat: Math.floor(Date.now() / 1000), aud: 'https://verifier.example', nonce}},
  });
  try {
    const result = await instance.verify(presentation, {keyBindingNonce: nonce});
    return {claims, verified: Boolean(result.kb), status: statuses[0] ?? null, error: null};
  } catch (error) {
    return {claims, verified: false, status: statuses[0] ?? null, error: String(error.message)};
  }
}

// One disclosure's value changed: the forged value must never be accepted, whether the digests
// are left alone (the disclosure then matches none of them) or the signed payload is edited to
// name the forged disclosure (the issuer's signature then fails).
async function tampered(credential) {
  const instance = sdJwtVc(null, []);
  const parts = credential.split('~');
  const [salt, name] = decode(parts[1]);
  const forged = b64(JSON.stringify([salt, name, 'Someone else']));
  const accepted = async text => {
    try {
      return {value: (await instance.verify(text)).payload[name] ?? null, error: null};
    } catch (error) {
      return {value: null, error: String(error.message)};
    }
  };
  const digest = text => crypto.createHash('sha256').update(text).digest('base64url');
  const [header, payload, signature] = parts[0].split('.');
  const claims = decode(payload);
  claims._sd = claims._sd.map(item => (item === digest(parts[1]) ? digest(forged) : item));
  const edited = [`${header}.${b64(JSON.stringify(claims))}.${signature}`, forged, ...parts.slice(2)];
  return {
    claim: name,
    disclosureOnly: await accepted([parts[0], forged, ...parts.slice(2)].join('~')),
    payloadEdited: await accepted(edited.join('~')),
  };
}

async function take(offerUri) {
  const {privateKey, publicKey} = crypto.generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({format: 'jwk'});
  const client = new Openid4vciClient({
    callbacks: {
      fetch,
      hash: (data, alg) =>
        new Uint8Array(crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
      generateRandom: length => new Uint8Array(crypto.randomBytes(length)),
      signJwt: async (signer, {header, payload}) => {
        const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
        const signature = crypto.sign(null, Buffer.from(input), privateKey).toString('base64url');
        return {jwt: `${input}.${signature}`, signerJwk: publicJwk};
      },
      clientAuthentication: () => {},
    },
  });
  const credentialOffer = await client.resolveCredentialOffer(offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata, txCode: option('--tx-code'),
  });
  const configurationId = credentialOffer.credential_configuration_ids[0];
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const proof = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId: configurationId, nonce,
    signer: {method: 'jwk', alg: 'EdDSA', publicJwk},
  });
  const response = await client.retrieveCredentials({
    issuerMetadata, accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId, proofs: {jwt: [proof.jwt]},
  });
  const credential = response.credentialResponse.credentials[0].credential;
  return {
    credential,
    holderKey: privateKey.export({format: 'jwk'}),
    version: issuerMetadata.originalDraftVersion,
    ...(await verify(credential, privateKey)),
    tampered: await tampered(credential),
  };
}

try {
  let output;
  if (command === 'take') {
    output = await take(subject);
  } else if (command === 'verify') {
    const holder = crypto.createPrivateKey({key: JSON.parse(option('--holder-key')), format: 'jwk'});
    output = await verify(subject, holder);
  } else {
    throw new Error('usage: eu_wallet.mjs take OFFER_URI | verify SD_JWT (see the header)');
  }
  console.log(JSON.stringify(output));
} catch (error) {
  console.log(JSON.stringify({error: `${error.name}: ${error.message}`}));
  process.exitCode = 1;
}
