// Independent signer: adds an eddsa-rdfc-2022 Data Integrity proof to a credential with Digital
// Bazaar's libraries, fully offline, and prints the signed credential as JSON.
//
//   node sign.mjs CREDENTIAL.json --key KEYPAIR.json [--context URL=FILE ...] [--contexts DIR]
//
// KEYPAIR.json: {"id": "<did>#<fragment>", "controller": "<did>",
//                "publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z3u2..."}
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  buildDocumentLoader, contextsFromArgs, describeError, parseArgs, readJson
} from './loader.mjs';

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if(options.positional.length !== 1 || !options.key) {
    throw new Error('usage: node sign.mjs CREDENTIAL.json --key KEYPAIR.json');
  }
  const credential = readJson(options.positional[0]);
  const keyPair = await Ed25519Multikey.from({...readJson(options.key), type: 'Multikey'});
  const documentLoader = buildDocumentLoader({contexts: contextsFromArgs(options)});
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite
  });
  const signed = await vc.issue({credential, suite, documentLoader});
  process.stdout.write(JSON.stringify(signed) + '\n');
}

main().catch(error => {
  process.stderr.write(`sign.mjs: ${describeError(error)}\n`);
  process.exitCode = 2;
});
