// Independent status and validity check: for each credential, the eddsa-rdfc-2022 proof (Digital
// Bazaar's @digitalbazaar/vc stack, as in verify.mjs), the validity period, and its
// `credentialStatus` (only: what any verifier reads) read from the BitstringStatusListCredential
// it points to: the list credential's own proof is verified, then its `encodedList` is decoded
// with Digital Bazaar's @digitalbazaar/vc-bitstring-status-list (`decodeList`) and the entry's
// `statusSize` bits are read from bit `statusListIndex × statusSize` on, as W3C Bitstring Status
// List v1.0 says. That library's own `checkStatus` reads one bit at `statusListIndex` whatever the
// `statusSize` (2.0.1), so the bits are read here with its `getStatus`. A `message` entry's value
// is named by its `statusMessage`; "suspended" and "revoked" are reported as such. Fully offline.
// Prints one JSON line per credential:
// {"file", "verified", "proofVerified", "expired", "revoked", "suspended", "statusChecked",
//  "status", "error"}; exits 0 when all verified, 1 when any did not, 2 on a usage error.
//
//   node status.mjs CREDENTIAL.json [...] --keys CONTROLLERS.json --lists LISTS.json
//        [--context URL=FILE ...] [--now ISO-DATETIME]
//
// LISTS.json maps each status list URL (`statusListCredential`) to the list credential served
// there. A status list that is missing, unsigned or of another purpose makes `statusChecked`
// false and the credential not verified.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {decodeList} from '@digitalbazaar/vc-bitstring-status-list';
import {
  buildDocumentLoader, contextsFromArgs, describeError, parseArgs, readJson
} from './loader.mjs';

const MIN_ENTRIES = 131072;

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

// The value of the entry at `index`, `statusSize` bits from bit `index × statusSize` (MSB first).
export async function readStatus(encodedList, index, statusSize = 1) {
  const list = await decodeList({encodedList});
  if(list.length / statusSize < MIN_ENTRIES) {
    throw new Error(
      `status list has ${list.length / statusSize} entries (STATUS_LIST_LENGTH_ERROR)`);
  }
  if(!Number.isInteger(index) || index < 0 || (index + 1) * statusSize > list.length) {
    throw new Error(`statusListIndex ${index} is out of range`);
  }
  let value = 0;
  for(let bit = index * statusSize; bit < (index + 1) * statusSize; bit++) {
    value = (value << 1) | (list.getStatus(bit) ? 1 : 0);
  }
  return value;
}

// What a value means: its `statusMessage` when the entry has one, else set/unset of the purpose.
function meaning(entry, value) {
  if(entry.statusMessage !== undefined) {
    const found = entry.statusMessage.find(item => parseInt(item.status, 16) === value);
    if(!found) {
      throw new Error(`statusMessage does not name the value 0x${value.toString(16)}`);
    }
    return found.message;
  }
  return value === 0 ? 'valid' : entry.statusPurpose;
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
  const value = await readStatus(
    subject.encodedList, Number(entry.statusListIndex), entry.statusSize ?? 1);
  return meaning(entry, value);
}

async function checkFile(path, options) {
  const output = {
    file: path, verified: false, proofVerified: false, expired: false, revoked: false,
    suspended: false, statusChecked: false, status: [], error: null
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
  const status = credential.credentialStatus;
  const entries = status === undefined ? [] : (Array.isArray(status) ? status : [status]);
  try {
    for(const entry of entries) {
      const message = await checkEntry(entry, {...options, now});
      output.status.push(message);
      if(message === 'revoked' || message === 'revocation') {
        output.revoked = true;
        errors.push('revoked');
      } else if(message === 'suspended' || message === 'suspension') {
        output.suspended = true;
        errors.push('suspended');
      } else if(message !== 'valid') {
        errors.push(`status ${entry.statusPurpose}: ${message}`);
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
