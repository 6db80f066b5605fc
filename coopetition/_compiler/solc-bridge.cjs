#!/usr/bin/env node
// coopetition's solc-js bridge: a command line that answers like native `solc`, so py-solc-x,
// crytic-compile (slither) and foundry can drive the pinned solc-js from npm as if it were native.
//
// Supported: --version, --help, --standard-json (stdin -> stdout), --combined-json LIST with source
// files (or `-` for stdin) and `prefix=path` remappings, --base-path, --include-path (repeatable),
// --allow-paths, --optimize, --optimize-runs, --evm-version, --via-ir, --metadata-hash,
// --output-dir/-o with --overwrite. Where solc-js lives: $COOPETITION_SOLCJS, else `solc` resolved
// from the working directory.
//
// Never call process.exit() after a large write: a pipe would lose everything past 64 KiB.
'use strict';

const fs = require('fs');
const path = require('path');

const COMBINED_FIELDS = [
  'abi', 'asm', 'ast', 'bin', 'bin-runtime', 'devdoc', 'function-debug', 'function-debug-runtime',
  'generated-sources', 'generated-sources-runtime', 'hashes', 'metadata', 'opcodes', 'srcmap',
  'srcmap-runtime', 'storage-layout', 'transient-storage-layout', 'userdoc',
];

// combined-json field -> [standard-json output selector, getter on a contract's output]
const FIELD_MAP = {
  abi: ['abi', (c) => c.abi],
  asm: ['evm.legacyAssembly', (c) => c.evm && c.evm.legacyAssembly],
  bin: ['evm.bytecode.object', (c) => c.evm && c.evm.bytecode && c.evm.bytecode.object],
  'bin-runtime': ['evm.deployedBytecode.object',
    (c) => c.evm && c.evm.deployedBytecode && c.evm.deployedBytecode.object],
  devdoc: ['devdoc', (c) => c.devdoc],
  'function-debug': ['evm.bytecode.functionDebugData',
    (c) => c.evm && c.evm.bytecode && c.evm.bytecode.functionDebugData],
  'function-debug-runtime': ['evm.deployedBytecode.functionDebugData',
    (c) => c.evm && c.evm.deployedBytecode && c.evm.deployedBytecode.functionDebugData],
  'generated-sources': ['evm.bytecode.generatedSources',
    (c) => c.evm && c.evm.bytecode && c.evm.bytecode.generatedSources],
  'generated-sources-runtime': ['evm.deployedBytecode.generatedSources',
    (c) => c.evm && c.evm.deployedBytecode && c.evm.deployedBytecode.generatedSources],
  hashes: ['evm.methodIdentifiers', (c) => c.evm && c.evm.methodIdentifiers],
  metadata: ['metadata', (c) => c.metadata],
  opcodes: ['evm.bytecode.opcodes', (c) => c.evm && c.evm.bytecode && c.evm.bytecode.opcodes],
  srcmap: ['evm.bytecode.sourceMap', (c) => c.evm && c.evm.bytecode && c.evm.bytecode.sourceMap],
  'srcmap-runtime': ['evm.deployedBytecode.sourceMap',
    (c) => c.evm && c.evm.deployedBytecode && c.evm.deployedBytecode.sourceMap],
  'storage-layout': ['storageLayout', (c) => c.storageLayout],
  'transient-storage-layout': ['transientStorageLayout', (c) => c.transientStorageLayout],
  userdoc: ['userdoc', (c) => c.userdoc],
};

class UsageError extends Error {}

function fail(message, code) {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exitCode = code === undefined ? 1 : code;
}

let solcModule = null;
function solc() {
  if (solcModule === null) {
    const where = process.env.COOPETITION_SOLCJS;
    const request = where ? path.resolve(where) : require.resolve('solc', { paths: [process.cwd()] });
    solcModule = require(request);
  }
  return solcModule;
}

// "0.8.37+commit.f401782d.Emscripten.clang" -> "0.8.37+commit.f401782d.Linux.g++"
function nativeVersion() {
  const m = /^(\d+\.\d+\.\d+(?:-[\w.]+)?\+commit\.[0-9a-f]+)/.exec(solc().version());
  if (!m) throw new Error('cannot parse the solc-js version ' + solc().version());
  return m[1] + '.Linux.g++';
}

function parseArgs(argv) {
  const opts = {
    mode: null, combined: null, files: [], remappings: [], basePath: '', includePaths: [],
    allowPaths: [], optimize: false, runs: null, evmVersion: null, viaIR: false,
    metadataHash: null, outputDir: null, overwrite: false, stdinSource: false,
  };
  const takesValue = new Set(['--combined-json', '--base-path', '--include-path', '--allow-paths',
    '--optimize-runs', '--evm-version', '--metadata-hash', '--output-dir', '-o']);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    if (arg.startsWith('--') && arg.includes('=')) {
      value = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    } else if (takesValue.has(arg)) {
      if (i + 1 >= argv.length) throw new UsageError(`the argument for option '${arg}' should follow immediately after it`);
      value = argv[++i];
    }
    switch (arg) {
      case '--version': case '-v': opts.mode = opts.mode || 'version'; break;
      case '--help': case '-h': opts.mode = opts.mode || 'help'; break;
      case '--standard-json': opts.mode = 'standard-json'; break;
      case '--combined-json': opts.mode = 'combined-json'; opts.combined = value.split(',').filter(Boolean); break;
      case '--base-path': opts.basePath = value; break;
      case '--include-path': opts.includePaths.push(value); break;
      case '--allow-paths': opts.allowPaths.push(...value.split(',').filter(Boolean)); break;
      case '--optimize': opts.optimize = true; break;
      case '--optimize-runs': opts.runs = Number.parseInt(value, 10); break;
      case '--evm-version': opts.evmVersion = value; break;
      case '--via-ir': case '--experimental-via-ir': opts.viaIR = true; break;
      case '--metadata-hash': opts.metadataHash = value; break;
      case '--output-dir': case '-o': opts.outputDir = value; break;
      case '--overwrite': opts.overwrite = true; break;
      case '--no-color': case '--pretty-json': case '--no-import-callback': break;
      case '-': opts.stdinSource = true; break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unrecognised option '${arg}'`);
        if (arg.includes('=')) opts.remappings.push(arg);
        else opts.files.push(arg);
    }
  }
  if (opts.combined) {
    for (const field of opts.combined) {
      if (!COMBINED_FIELDS.includes(field)) {
        throw new UsageError(`Invalid option to --combined-json: ${field}`);
      }
    }
  }
  return opts;
}

function isInside(file, dir) {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// Reads imports the way native solc does: source unit names are looked up under the base path and
// then each include path; only files inside an allowed directory may be read.
function makeImportCallback(opts, extraAllowed) {
  const base = path.resolve(opts.basePath || '.');
  const roots = [base, ...opts.includePaths.map((p) => path.resolve(p))];
  const allowed = [...roots, ...opts.allowPaths.map((p) => path.resolve(p)), ...extraAllowed];
  return function findImports(unitName) {
    const candidates = path.isAbsolute(unitName) ? [unitName] : roots.map((r) => path.join(r, unitName));
    for (const candidate of candidates) {
      if (!fs.existsSync(candidate) || !fs.statSync(candidate).isFile()) continue;
      const real = fs.realpathSync(candidate);
      if (!allowed.some((dir) => isInside(real, dir) || isInside(candidate, dir))) {
        return { error: `File outside of allowed directories. The following are allowed: ${allowed.join(', ')}` };
      }
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
    return { error: 'File not found. Searched the following locations: ' + roots.map((r) => `"${r}"`).join(', ') + '.' };
  };
}

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

// Writes the whole buffer even when stdout is a pipe, then lets Node exit on its own.
function writeOut(text) {
  process.stdout.write(text);
}

function runStandardJson(opts) {
  const input = readStdin();
  const callback = makeImportCallback(opts, []);
  const output = solc().compile(input, { import: callback });
  writeOut(output.endsWith('\n') ? output : output + '\n');
}

function sourceUnitName(file, opts) {
  const abs = path.resolve(file);
  const roots = [path.resolve(opts.basePath || '.'), ...opts.includePaths.map((p) => path.resolve(p))];
  for (const root of roots) {
    if (isInside(abs, root)) return path.relative(root, abs).split(path.sep).join('/');
  }
  return abs.split(path.sep).join('/');
}

function runCombinedJson(opts) {
  const sources = {};
  const fileDirs = [];
  for (const file of opts.files) {
    if (!fs.existsSync(file)) {
      fail(`"${file}" is not found.`);
      return;
    }
    sources[sourceUnitName(file, opts)] = { content: fs.readFileSync(file, 'utf8') };
    fileDirs.push(path.dirname(path.resolve(file)));
  }
  if (opts.stdinSource) sources['<stdin>'] = { content: readStdin() };
  if (Object.keys(sources).length === 0) {
    fail('No input files given. If you wish to use the standard input please specify "-" explicitly.');
    return;
  }
  const selection = new Set();
  let wantAst = false;
  for (const field of opts.combined) {
    if (field === 'ast') wantAst = true;
    else selection.add(FIELD_MAP[field][0]);
  }
  const settings = {
    optimizer: { enabled: opts.optimize, runs: opts.runs === null ? 200 : opts.runs },
    outputSelection: { '*': { '*': [...selection], '': wantAst ? ['ast'] : [] } },
    remappings: opts.remappings,
  };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  if (opts.metadataHash) settings.metadata = { bytecodeHash: opts.metadataHash };
  const input = { language: 'Solidity', sources, settings };
  const callback = makeImportCallback(opts, fileDirs);
  const output = JSON.parse(solc().compile(JSON.stringify(input), { import: callback }));

  let failed = false;
  for (const error of output.errors || []) {
    process.stderr.write((error.formattedMessage || error.message) + '\n');
    if (error.severity === 'error') failed = true;
  }
  if (failed) {
    process.exitCode = 1;
    return;
  }

  const combined = { contracts: {}, version: nativeVersion() };
  const names = Object.keys(output.sources || {}).sort((a, b) => output.sources[a].id - output.sources[b].id);
  for (const file of Object.keys(output.contracts || {})) {
    for (const name of Object.keys(output.contracts[file])) {
      const contract = output.contracts[file][name];
      const entry = {};
      for (const field of opts.combined) {
        if (field === 'ast') continue;
        const value = FIELD_MAP[field][1](contract);
        entry[field] = value === undefined ? '' : value;
      }
      combined.contracts[`${file}:${name}`] = entry;
    }
  }
  if (wantAst || opts.combined.some((f) => f.startsWith('srcmap'))) combined.sourceList = names;
  combined.sources = {};
  for (const file of names) {
    combined.sources[file] = wantAst ? { AST: output.sources[file].ast, id: output.sources[file].id }
      : { id: output.sources[file].id };
  }
  const text = JSON.stringify(combined);
  if (opts.outputDir) {
    const target = path.join(opts.outputDir, 'combined.json');
    if (fs.existsSync(target) && !opts.overwrite) {
      fail(`Refusing to overwrite existing file "${target}" (use --overwrite to force).`);
      return;
    }
    fs.mkdirSync(opts.outputDir, { recursive: true });
    fs.writeFileSync(target, text);
    return;
  }
  writeOut(text + '\n');
}

function help() {
  return [
    'solc, the Solidity commandline compiler (coopetition solc-js bridge).',
    '',
    'Usage: solc [options] [input_file...]',
    '',
    'Allowed options:',
    '  --help               Show help message and exit.',
    '  --version            Show version and exit.',
    '  --base-path path     Use the given path as the root of the source tree.',
    '  --include-path path  Make an additional source directory available.',
    '  --allow-paths path(s)',
    '                       Allow a given path for imports.',
    '  --standard-json      Switch to Standard JSON input / output mode.',
    '  --combined-json ' + COMBINED_FIELDS.join(','),
    '                       Output a single json document containing the specified information.',
    '  --optimize           Enable bytecode optimizer.',
    '  --optimize-runs n    The number of runs specifies roughly how often each opcode of the',
    '                       deployed code will be executed across the lifetime of the contract.',
    '  --evm-version version',
    '                       Select desired EVM version.',
    '  --via-ir             Use the new IR-based code generator.',
    '  -o [ --output-dir ] path',
    '                       If given, creates one file per output component in this directory.',
    '  --overwrite          Overwrite existing files.',
    '',
  ].join('\n');
}

function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      fail(err.message);
      return;
    }
    throw err;
  }
  if (opts.mode === 'help') {
    writeOut(help());
  } else if (opts.mode === 'version') {
    writeOut('solc, the solidity compiler commandline interface\nVersion: ' + nativeVersion() + '\n');
  } else if (opts.mode === 'standard-json') {
    runStandardJson(opts);
  } else if (opts.mode === 'combined-json') {
    runCombinedJson(opts);
  } else {
    fail('coopetition solc-js bridge: only --version, --help, --standard-json and --combined-json are supported.');
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  fail('Error: ' + (err && err.message ? err.message : String(err)));
}
