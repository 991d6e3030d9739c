// Independent status and validity check: for each credential, the eddsa-rdfc-2022 proof (Digital
// Bazaar's @digitalbazaar/vc stack, as in verify.mjs), the validity period, and each status entry
// (`credentialStatus` and our `suspensionStatus`) read from its BitstringStatusListCredential:
// the list credential's own proof is verified, then its `encodedList` is multibase base64url-
// decoded, gunzipped and the entry's bit read (index 0 = most significant bit of the first byte),
// as W3C Bitstring Status List v1.0 says. Fully offline. Prints one JSON line per credential:
// {"file", "verified", "proofVerified", "expired", "revoked", "suspended", "statusChecked",
//  "error"}; exits 0 when all verified, 1 when any did not, 2 on a usage error.
//
//   node status.mjs CREDENTIAL.json [...] --keys CONTROLLERS.json --lists LISTS.json
//        [--context URL=FILE ...] [--now ISO-DATETIME]
//
// LISTS.json maps each status list URL (`statusListCredential`) to the list credential served
// there. A status list that is missing, unsigned or of another purpose makes `statusChecked`
// false and the credential not verified.
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  buildDocumentLoader, contextsFromArgs, describeError, parseArgs, readJson
} from './loader.mjs';

const MIN_ENTRIES = 131072;
const MAX_BYTES = 16 * 1024 * 1024;

function suite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
}

// The proof and the data model only: dates are checked apart (at validFrom they cannot fail).
async function verifyProof(credential, documentLoader) {
  const result = await vc.verifyCredential({
    credential,
    suite: suite(),
    documentLoader,
    checkStatus: async () => ({verified: true}),
    now: credential.validFrom ? new Date(credential.validFrom) : undefined
  });
  return {
    verified: result.verified === true,
    error: result.verified === true ? null : (describeError(result.error) ||
      describeError(result.results?.find(r => r.error)?.error) || 'not verified')
  };
}

export function readBit(encodedList, index) {
  if(typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw new Error('encodedList is not multibase base64url (prefix "u")');
  }
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), {maxOutputLength: MAX_BYTES});
  if(bits.length * 8 < MIN_ENTRIES) {
    throw new Error(`status list has ${bits.length * 8} entries (STATUS_LIST_LENGTH_ERROR)`);
  }
  if(!Number.isInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new Error(`statusListIndex ${index} is out of range`);
  }
  return (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
}

async function checkEntry(entry, {lists, documentLoader, now, verifiedLists}) {
  const url = entry?.statusListCredential;
  const listCredential = lists[url];
  if(!listCredential) {
    throw new Error(`status list ${url} is not available`);
  }
  if(!verifiedLists.has(url)) {
    const result = await vc.verifyCredential({
      credential: listCredential, suite: suite(), documentLoader, now,
      checkStatus: async () => ({verified: true})
    });
    if(result.verified !== true) {
      throw new Error(`status list ${url} does not verify: ` +
        (describeError(result.error) ||
          describeError(result.results?.find(r => r.error)?.error) || 'not verified'));
    }
    verifiedLists.add(url);
  }
  const subject = listCredential.credentialSubject;
  if(subject?.type !== 'BitstringStatusList' || subject.statusPurpose !== entry.statusPurpose) {
    throw new Error(`status list ${url} is not a ${entry.statusPurpose} BitstringStatusList`);
  }
  return readBit(subject.encodedList, Number(entry.statusListIndex));
}

async function checkFile(path, options) {
  const output = {
    file: path, verified: false, proofVerified: false, expired: false, revoked: false,
    suspended: false, statusChecked: false, error: null
  };
  let credential;
  try {
    credential = readJson(path);
  } catch(error) {
    output.error = `cannot read: ${error.message}`;
    return output;
  }
  const proof = await verifyProof(credential, options.documentLoader);
  output.proofVerified = proof.verified;
  const errors = proof.error ? [proof.error] : [];
  const now = options.now ?? new Date();
  if(credential.validUntil && new Date(credential.validUntil) < now) {
    output.expired = true;
    errors.push(`expired: validUntil ${credential.validUntil} is in the past`);
  }
  const entries = [credential.credentialStatus, credential.suspensionStatus]
    .flatMap(value => (value === undefined ? [] : (Array.isArray(value) ? value : [value])));
  try {
    for(const entry of entries) {
      const set = await checkEntry(entry, {...options, now});
      if(set && entry.statusPurpose === 'revocation') {
        output.revoked = true;
        errors.push('revoked');
      } else if(set && entry.statusPurpose === 'suspension') {
        output.suspended = true;
        errors.push('suspended');
      } else if(set) {
        errors.push(`status ${entry.statusPurpose} is set`);
      }
    }
    output.statusChecked = entries.length > 0;
  } catch(error) {
    errors.push(describeError(error));
  }
  output.verified = output.proofVerified && output.statusChecked && errors.length === 0;
  output.error = errors.length ? errors.join('; ') : null;
  return output;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if(options.positional.length === 0 || !options.keys || !options.lists) {
    throw new Error(
      'usage: node status.mjs CREDENTIAL.json [...] --keys CONTROLLERS.json --lists LISTS.json');
  }
  const documentLoader = buildDocumentLoader({
    contexts: contextsFromArgs(options), controllers: readJson(options.keys)
  });
  const shared = {
    documentLoader,
    lists: readJson(options.lists),
    now: options.now ? new Date(options.now) : undefined,
    verifiedLists: new Set()
  };
  let allVerified = true;
  for(const path of options.positional) {
    const output = await checkFile(path, shared);
    allVerified &&= output.verified;
    process.stdout.write(JSON.stringify(output) + '\n');
  }
  process.exitCode = allVerified ? 0 : 1;
}

main().catch(error => {
  process.stdout.write(JSON.stringify({verified: false, error: describeError(error)}) + '\n');
  process.exitCode = 2;
});
