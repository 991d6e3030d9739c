// Independent verifier: checks eddsa-rdfc-2022 Data Integrity proofs on credentials with
// Digital Bazaar's libraries (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite),
// fully offline. For each credential file it prints one JSON line
// {"file", "verified", "error", "verificationMethod", "statusChecked"}; it exits 0 when all
// verified, 1 when any did not, 2 on a usage error.
//
//   node verify.mjs CREDENTIAL.json [MORE.json ...] --keys CONTROLLERS.json
//        [--context URL=FILE ...] [--contexts DIR] [--now ISO-DATETIME]
//   node verify.mjs --export DIR [--now ISO-DATETIME]
//
// CONTROLLERS.json maps each controller id (e.g. a did:web DID) to its DID document.
// Contexts come from credentials/contexts/ (manifest.json, sha256-checked) plus any --context.
// --export reads only DIR (written by `manage.py credential export DIR`): its manifest's
// contexts, DID documents and status lists. It verifies every credential (proof, each
// relatedResource digest, each status entry naming a list of the export with that purpose) and
// every status list credential's proof, with fetch disabled.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  buildDocumentLoader, contextsFromArgs, describeError, loadExport, parseArgs, readJson,
  relatedResourceError
} from './loader.mjs';

async function verifyFile(path, {documentLoader, now}) {
  let credential;
  try {
    credential = readJson(path);
  } catch(error) {
    return {file: path, verified: false, error: `cannot read: ${error.message}`};
  }
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  // Status is out of scope here (the list would have to be fetched); the proof is what we check.
  const checkStatus = async () => ({verified: true});
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus, ...(now ? {now} : {})
  });
  const verified = result.verified === true;
  return {
    file: path,
    verified,
    error: verified ? null : (describeError(result.error) ||
      describeError(result.results?.find(r => r.error)?.error) || 'not verified'),
    verificationMethod: result.results?.[0]?.verificationMethod?.id ?? null,
    statusChecked: false
  };
}

function statusError(credential, lists) {
  const status = credential.credentialStatus ?? [];
  for(const entry of Array.isArray(status) ? status : [status]) {
    const list = lists[entry.statusListCredential]?.credential;
    if(!list) {
      return `status list ${entry.statusListCredential} is not in the export`;
    }
    if(list.credentialSubject?.statusPurpose !== entry.statusPurpose) {
      return `status list ${entry.statusListCredential} is not a ${entry.statusPurpose} list`;
    }
  }
  return null;
}

async function verifyExport(dir, now) {
  globalThis.fetch = async url => {
    throw new Error(`offline: refused to fetch ${url}`);
  };
  const exported = loadExport(dir);
  const documentLoader = buildDocumentLoader(exported);
  const outputs = [];
  for(const path of exported.credentials) {
    const output = await verifyFile(path, {documentLoader, now});
    const credential = readJson(path);
    const extra = relatedResourceError(credential, exported.contextBytes) ||
      statusError(credential, exported.lists);
    if(extra) {
      output.verified = false;
      output.error = [output.error, extra].filter(Boolean).join('; ');
    }
    outputs.push(output);
  }
  for(const {file} of Object.values(exported.lists)) {
    outputs.push(await verifyFile(file, {documentLoader, now}));
  }
  return outputs;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if(options.export) {
    const now = options.now ? new Date(options.now) : undefined;
    const outputs = await verifyExport(options.export, now);
    for(const output of outputs) {
      process.stdout.write(JSON.stringify(output) + '\n');
    }
    process.exitCode = outputs.every(output => output.verified) ? 0 : 1;
    return;
  }
  if(options.positional.length === 0 || !options.keys) {
    throw new Error('usage: node verify.mjs CREDENTIAL.json [...] --keys CONTROLLERS.json');
  }
  const documentLoader = buildDocumentLoader({
    contexts: contextsFromArgs(options), controllers: readJson(options.keys)
  });
  const now = options.now ? new Date(options.now) : undefined;
  let allVerified = true;
  for(const path of options.positional) {
    const output = await verifyFile(path, {documentLoader, now});
    allVerified &&= output.verified;
    process.stdout.write(JSON.stringify(output) + '\n');
  }
  process.exitCode = allVerified ? 0 : 1;
}

main().catch(error => {
  process.stdout.write(JSON.stringify({verified: false, error: describeError(error)}) + '\n');
  process.exitCode = 2;
});
