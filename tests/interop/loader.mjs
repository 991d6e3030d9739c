// Offline JSON-LD document loader for the independent verifier: the project's shipped contexts
// (credentials/contexts/manifest.json, sha256-checked) or those of an export folder, extra
// contexts given on the command line, and controller (DID) documents from a key map file or the
// export. Anything else is an error: never the network.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CONTEXTS_DIR = resolve(here, '..', '..', 'credentials', 'contexts');

export function loadShippedContexts(contextsDir = DEFAULT_CONTEXTS_DIR) {
  const manifest = JSON.parse(readFileSync(join(contextsDir, 'manifest.json'), 'utf8'));
  const contexts = new Map();
  for(const entry of manifest.contexts) {
    const raw = readFileSync(join(contextsDir, entry.file));
    const digest = createHash('sha256').update(raw).digest('hex');
    if(digest !== entry.sha256) {
      throw new Error(`${entry.file}: sha256 ${digest} does not match the manifest`);
    }
    contexts.set(entry.url, JSON.parse(raw.toString('utf8')));
  }
  return contexts;
}

function readChecked(dir, entry) {
  const raw = readFileSync(join(dir, entry.file));
  const digest = createHash('sha256').update(raw).digest('hex');
  if(digest !== entry.sha256) {
    throw new Error(`${entry.file}: sha256 ${digest} does not match the manifest`);
  }
  return raw;
}

// A folder written by `manage.py credential export DIR`: its manifest.json lists every file with
// its sha256 and the URL or id it stands for. Returns the contexts (and their bytes, for
// relatedResource digests), DID documents, status lists and credential paths it holds.
export function loadExport(dir) {
  const manifest = readJson(join(dir, 'manifest.json'));
  const contexts = new Map();
  const contextBytes = new Map();
  for(const entry of manifest.contexts) {
    const raw = readChecked(dir, entry);
    contexts.set(entry.url, JSON.parse(raw.toString('utf8')));
    contextBytes.set(entry.url, raw);
  }
  const controllers = {};
  for(const entry of manifest.issuers) {
    controllers[entry.id] = JSON.parse(readChecked(dir, entry).toString('utf8'));
  }
  const lists = {};
  for(const entry of manifest.statusLists) {
    lists[entry.url] = {file: join(dir, entry.file),
      credential: JSON.parse(readChecked(dir, entry).toString('utf8'))};
  }
  const credentials = manifest.credentials.map(entry => {
    readChecked(dir, entry);
    return join(dir, entry.file);
  });
  return {contexts, contextBytes, controllers, lists, credentials};
}

// VC Data Model 2.0 §5.3: each `relatedResource` we hold must match its digestSRI or
// digestMultibase (sha2-256/384 in base64url, "u" prefix); null when all match.
export function relatedResourceError(credential, resourceBytes) {
  const entries = credential.relatedResource ?? [];
  for(const entry of Array.isArray(entries) ? entries : [entries]) {
    const raw = resourceBytes.get(entry.id);
    if(raw === undefined) {
      return `relatedResource ${entry.id} is not in the export`;
    }
    if(entry.digestSRI) {
      const [algorithm, expected] = entry.digestSRI.split('-', 2);
      if(createHash(algorithm).update(raw).digest('base64') !== expected) {
        return `relatedResource ${entry.id} does not match its digestSRI`;
      }
    } else if(entry.digestMultibase) {
      const sha256 = createHash('sha256').update(raw).digest();
      const multihash = Buffer.concat([Buffer.from([0x12, 0x20]), sha256]);
      if('u' + multihash.toString('base64url') !== entry.digestMultibase) {
        return `relatedResource ${entry.id} does not match its digestMultibase`;
      }
    } else {
      return `relatedResource ${entry.id} has no digest`;
    }
  }
  return null;
}

export function buildDocumentLoader({contexts, controllers = {}}) {
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
    }
    const [base, fragment] = url.split('#', 2);
    const controller = controllers[base];
    if(controller) {
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document: structuredClone(controller)};
      }
      const method = (controller.verificationMethod || []).find(vm => vm.id === url);
      if(method) {
        return {
          contextUrl: null,
          documentUrl: url,
          document: {'@context': controller['@context'], ...structuredClone(method)}
        };
      }
    }
    throw new Error(`offline document loader: ${url} is not available (no network access)`);
  };
}

// Parses `--name value` options; `--context URL=FILE` may repeat.
export function parseArgs(argv) {
  const options = {positional: [], context: []};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(arg.startsWith('--')) {
      const name = arg.slice(2);
      const value = argv[++i];
      if(value === undefined) {
        throw new Error(`missing value for ${arg}`);
      }
      if(name === 'context') {
        options.context.push(value);
      } else {
        options[name] = value;
      }
    } else {
      options.positional.push(arg);
    }
  }
  return options;
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function contextsFromArgs(options) {
  const contexts = loadShippedContexts(options.contexts || DEFAULT_CONTEXTS_DIR);
  for(const pair of options.context) {
    const at = pair.indexOf('=');
    if(at < 1) {
      throw new Error(`--context expects URL=FILE, got ${pair}`);
    }
    contexts.set(pair.slice(0, at), readJson(pair.slice(at + 1)));
  }
  return contexts;
}

export function describeError(error) {
  if(!error) {
    return null;
  }
  const nested = error.errors || (error.error ? [error.error] : []);
  let message = error.message || String(error);
  // jsonld.js safe mode: say which term or value was refused.
  const event = error.details?.event;
  if(event) {
    const what = event.details?.property ?? event.details?.type ?? event.details?.id ??
      event.details?.value;
    message += ` (${event.code}${what === undefined ? '' : `: ${JSON.stringify(what)}`})`;
  }
  const parts = [message];
  for(const inner of nested) {
    const text = describeError(inner);
    if(text && !parts.includes(text)) {
      parts.push(text);
    }
  }
  return parts.join(' | ');
}
