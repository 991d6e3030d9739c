// Benchmark anchor for bench/signing.py: signs one credential COUNT times with Digital Bazaar's
// eddsa-rdfc-2022 stack (as sign.mjs does), offline, and prints one JSON line with the CPU time
// the loop used (user + system) and the last proofValue.
//
//   node sign_loop.mjs CREDENTIAL.json --key KEYPAIR.json --count N [--created ISO] [--context URL=FILE ...]
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  buildDocumentLoader, contextsFromArgs, describeError, parseArgs, readJson
} from './loader.mjs';

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const count = Number(options.count);
  if(options.positional.length !== 1 || !options.key || !(count > 0)) {
    throw new Error('usage: node sign_loop.mjs CREDENTIAL.json --key KEYPAIR.json --count N');
  }
  const credential = readJson(options.positional[0]);
  const keyPair = await Ed25519Multikey.from({...readJson(options.key), type: 'Multikey'});
  const documentLoader = buildDocumentLoader({contexts: contextsFromArgs(options)});
  const date = options.created ? new Date(options.created) : undefined;
  const sign = () => vc.issue({
    credential: structuredClone(credential),
    suite: new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite, date
    }),
    documentLoader
  });
  await sign(); // warm the module and context caches, as the Python side is warmed
  const started = process.cpuUsage();
  let signed;
  for(let i = 0; i < count; i++) {
    signed = await sign();
  }
  const used = process.cpuUsage(started);
  const cpuSeconds = (used.user + used.system) / 1e6;
  process.stdout.write(JSON.stringify({
    count, cpuSeconds, perCpuSecond: count / cpuSeconds, proofValue: signed.proof.proofValue
  }) + '\n');
}

main().catch(error => {
  process.stderr.write(`sign_loop.mjs: ${describeError(error)}\n`);
  process.exitCode = 2;
});
