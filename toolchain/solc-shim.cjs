#!/usr/bin/env node
// A `solc`-compatible command line backed by the npm `solc` package (the wasm build).
//
// Used when no native solc can be installed (binaries.soliditylang.org unreachable). The
// toolchain installs it as `$SOLCX_BINARY_PATH/solc-v<version>`, where py-solc-x (and so
// ape-solidity) and crytic-compile (and so slither) find it. It implements the subset of the
// native CLI those tools use:
//
//   solc --version | --help
//   solc --standard-json [--base-path P] [--include-path P]... [--allow-paths A,B]  < input.json
//   solc [prefix=target]... FILE... | - --combined-json abi,bin,... [--optimize]
//        [--optimize-runs N] [--evm-version V] [--via-ir] [--base-path P] [--include-path P]...
//        [--allow-paths A,B]
//
// Import resolution follows solc's virtual file system rules: remappings first, relative
// imports against the importing unit, then the base path (the working directory when empty),
// then each include path. Files outside the allowed directories are refused, as native solc does.
// Output of any size is written synchronously before exit so no reader sees a truncated JSON.
'use strict';

const fs = require('fs');
const path = require('path');

const COMBINED_JSON_OUTPUTS = [
  'abi', 'asm', 'ast', 'bin', 'bin-runtime', 'devdoc', 'function-debug',
  'function-debug-runtime', 'generated-sources', 'generated-sources-runtime', 'hashes',
  'metadata', 'opcodes', 'srcmap', 'srcmap-runtime', 'storage-layout', 'userdoc',
];

// combined-json key -> [standard-json output selection, extractor(contractOutput)]
const COMBINED_JSON_SELECTORS = {
  abi: ['abi', (c) => c.abi],
  asm: ['evm.legacyAssembly', (c) => c.evm && c.evm.legacyAssembly],
  bin: ['evm.bytecode.object', (c) => c.evm.bytecode.object],
  'bin-runtime': ['evm.deployedBytecode.object', (c) => c.evm.deployedBytecode.object],
  devdoc: ['devdoc', (c) => c.devdoc],
  'function-debug': ['evm.bytecode.functionDebugData', (c) => c.evm.bytecode.functionDebugData],
  'function-debug-runtime': [
    'evm.deployedBytecode.functionDebugData', (c) => c.evm.deployedBytecode.functionDebugData,
  ],
  'generated-sources': ['evm.bytecode.generatedSources', (c) => c.evm.bytecode.generatedSources],
  'generated-sources-runtime': [
    'evm.deployedBytecode.generatedSources', (c) => c.evm.deployedBytecode.generatedSources,
  ],
  hashes: ['evm.methodIdentifiers', (c) => c.evm.methodIdentifiers],
  metadata: ['metadata', (c) => c.metadata],
  opcodes: ['evm.bytecode.opcodes', (c) => c.evm.bytecode.opcodes],
  srcmap: ['evm.bytecode.sourceMap', (c) => c.evm.bytecode.sourceMap],
  'srcmap-runtime': ['evm.deployedBytecode.sourceMap', (c) => c.evm.deployedBytecode.sourceMap],
  'storage-layout': ['storageLayout', (c) => c.storageLayout],
  userdoc: ['userdoc', (c) => c.userdoc],
};

class UsageError extends Error {}

function loadCompiler() {
  try {
    return require('solc');
  } catch (err) {
    fail(`cannot load the npm 'solc' package (${err.message}); run 'make setup' first.`);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// output helpers

function writeAll(fd, text) {
  // Synchronous and complete even when the pipe is non-blocking (EAGAIN) or the reader is slow.
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function fail(message, code = 1) {
  writeAll(2, `Error: ${message}\n`);
  process.exit(code);
}

function readStdin() {
  const chunks = [];
  const buffer = Buffer.alloc(1 << 16);
  for (;;) {
    let read;
    try {
      read = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (err) {
      if (err.code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (err.code === 'EOF') break;
      throw err;
    }
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// argument parsing

function parseArgs(argv) {
  const opts = {
    mode: 'combined',
    combinedJson: null,
    files: [],
    remappings: [],
    basePath: '',
    includePaths: [],
    allowPaths: [],
    optimize: false,
    optimizeRuns: 200,
    evmVersion: null,
    viaIR: false,
  };
  const valueOf = (i, flag) => {
    if (i + 1 >= argv.length) throw new UsageError(`option ${flag} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i += 1) {
    let arg = argv[i];
    let inlineValue = null;
    if (arg.startsWith('--') && arg.includes('=')) {
      [arg, inlineValue] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
    }
    const take = () => {
      if (inlineValue !== null) return inlineValue;
      const value = valueOf(i, arg);
      i += 1;
      return value;
    };
    switch (arg) {
      case '--version':
      case '-v':
        opts.mode = 'version';
        break;
      case '--help':
      case '-h':
        opts.mode = 'help';
        break;
      case '--standard-json':
        opts.mode = 'standard-json';
        break;
      case '--combined-json':
        opts.combinedJson = take().split(',').filter(Boolean);
        break;
      case '--base-path':
        opts.basePath = take();
        break;
      case '--include-path':
        opts.includePaths.push(take());
        break;
      case '--allow-paths':
        opts.allowPaths.push(...take().split(',').filter(Boolean));
        break;
      case '--optimize':
        opts.optimize = true;
        break;
      case '--optimize-runs':
        opts.optimizeRuns = Number.parseInt(take(), 10);
        if (!Number.isInteger(opts.optimizeRuns) || opts.optimizeRuns < 0) {
          throw new UsageError('--optimize-runs takes a non-negative integer');
        }
        break;
      case '--evm-version':
        opts.evmVersion = take();
        break;
      case '--via-ir':
      case '--experimental-via-ir':
        opts.viaIR = true;
        break;
      case '--no-color':
      case '--color':
      case '--pretty-json':
      case '--overwrite':
        break;
      default:
        if (arg === '-') {
          opts.files.push('-');
        } else if (arg.startsWith('-')) {
          throw new UsageError(
            `unsupported option '${arg}' (this is the npm solc wrapper; see toolchain/solc-shim.cjs)`,
          );
        } else if (arg.includes('=') && !fs.existsSync(arg)) {
          opts.remappings.push(parseRemapping(arg));
        } else {
          opts.files.push(arg);
        }
    }
  }
  return opts;
}

function parseRemapping(text) {
  // [context:]prefix=target
  const eq = text.indexOf('=');
  let left = text.slice(0, eq);
  const target = text.slice(eq + 1);
  let context = '';
  const colon = left.indexOf(':');
  if (colon !== -1) {
    context = left.slice(0, colon);
    left = left.slice(colon + 1);
  }
  if (!left) throw new UsageError(`invalid remapping '${text}': empty prefix`);
  return { context, prefix: left, target };
}

// ---------------------------------------------------------------------------------------------
// virtual file system

function makeFileReader(opts, extraAllowedDirs) {
  const cwd = process.cwd();
  const basePath = opts.basePath ? path.resolve(cwd, opts.basePath) : cwd;
  const roots = [basePath, ...opts.includePaths.map((p) => path.resolve(cwd, p))];
  const allowed = [
    ...roots,
    ...opts.allowPaths.map((p) => path.resolve(cwd, p)),
    ...extraAllowedDirs,
  ];
  const isAllowed = (file) => {
    const real = fs.realpathSync(file);
    return allowed.some((dir) => {
      const rel = path.relative(dir, real);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    }) || allowed.some((dir) => {
      const rel = path.relative(dir, path.resolve(file));
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
  };
  const candidates = (unitName) => (path.isAbsolute(unitName)
    ? [unitName]
    : roots.map((root) => path.join(root, unitName)));

  return function readFile(unitName) {
    const found = candidates(unitName).filter((p) => fs.existsSync(p) && fs.statSync(p).isFile());
    if (found.length === 0) return { error: `File not found. Searched: ${candidates(unitName).join(', ')}` };
    if (found.length > 1) {
      return { error: `Ambiguous import '${unitName}': found in ${found.join(' and ')}` };
    }
    if (!isAllowed(found[0])) {
      return { error: `File outside of allowed directories: ${found[0]} (use --allow-paths)` };
    }
    return { contents: fs.readFileSync(found[0], 'utf8') };
  };
}

function sourceUnitNameFor(file, opts) {
  // solc: the CLI path, made absolute, with the base path (or working directory) stripped.
  const cwd = process.cwd();
  const absolute = path.resolve(cwd, file);
  const basePath = opts.basePath ? path.resolve(cwd, opts.basePath) : cwd;
  const rel = path.relative(basePath, absolute);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  return (inside ? rel : absolute).split(path.sep).join('/');
}

// ---------------------------------------------------------------------------------------------
// modes

function versionText(solc) {
  return `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`;
}

function helpText(solc) {
  return [
    versionText(solc).trimEnd(),
    '',
    'Usage: solc [options] [input_file...]',
    'npm solc (wasm) wrapper implementing the subset of the native CLI used by py-solc-x and slither.',
    '',
    'Output Components:',
    `  --combined-json ${COMBINED_JSON_OUTPUTS.join(',')}`,
    '',
    'Input Options:',
    '  --standard-json       Read standard JSON input from stdin, write standard JSON output.',
    '  --base-path path      Root of the source tree (default: working directory).',
    '  --include-path path   Extra source root for imports (repeatable).',
    '  --allow-paths a,b     Extra directories imports may be read from.',
    '',
    'Optimizer Options:',
    '  --optimize  --optimize-runs n  --evm-version v  --via-ir',
    '',
  ].join('\n');
}

function runStandardJson(solc, opts) {
  const raw = readStdin();
  let input;
  try {
    input = JSON.parse(raw);
  } catch (err) {
    const output = {
      errors: [{
        component: 'general', severity: 'error', type: 'JSONError',
        message: `Input is not valid JSON: ${err.message}`,
        formattedMessage: `JSONError: Input is not valid JSON: ${err.message}`,
      }],
    };
    writeAll(1, `${JSON.stringify(output)}\n`);
    return 0;
  }
  const readFile = makeFileReader(opts, []);
  const output = solc.compile(JSON.stringify(input), { import: readFile });
  writeAll(1, `${output}\n`);
  return 0;
}

function runCombinedJson(solc, opts) {
  if (!opts.combinedJson || opts.combinedJson.length === 0) {
    throw new UsageError('only --standard-json and --combined-json output modes are supported');
  }
  const unknown = opts.combinedJson.filter((k) => k !== 'ast' && !(k in COMBINED_JSON_SELECTORS));
  if (unknown.length) {
    throw new UsageError(`unknown --combined-json output(s): ${unknown.join(', ')}`);
  }
  if (opts.files.length === 0) throw new UsageError('no input files given');

  const sources = {};
  const cliDirs = [];
  for (const file of opts.files) {
    if (file === '-') {
      sources['<stdin>'] = { content: readStdin() };
      continue;
    }
    if (!fs.existsSync(file)) fail(`"${file}" is not found.`);
    cliDirs.push(path.dirname(path.resolve(file)));
    sources[sourceUnitNameFor(file, opts)] = { content: fs.readFileSync(file, 'utf8') };
  }

  const selection = new Set();
  for (const key of opts.combinedJson) {
    if (key !== 'ast') selection.add(COMBINED_JSON_SELECTORS[key][0]);
  }
  const settings = {
    optimizer: { enabled: opts.optimize, runs: opts.optimizeRuns },
    remappings: opts.remappings.map((r) => `${r.context ? `${r.context}:` : ''}${r.prefix}=${r.target}`),
    outputSelection: { '*': { '*': [...selection], '': opts.combinedJson.includes('ast') ? ['ast'] : [] } },
  };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;

  const readFile = makeFileReader(opts, cliDirs);
  const output = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }), { import: readFile }),
  );

  const errors = (output.errors || []);
  const messages = errors.map((e) => e.formattedMessage || e.message).join('\n');
  if (messages) writeAll(2, `${messages}\n`);
  if (errors.some((e) => e.severity === 'error')) return 1;

  const combined = { contracts: {}, sourceList: [], sources: {}, version: solc.version() };
  for (const [unit, contracts] of Object.entries(output.contracts || {})) {
    for (const [name, contract] of Object.entries(contracts)) {
      const entry = {};
      for (const key of opts.combinedJson) {
        if (key === 'ast') continue;
        const value = COMBINED_JSON_SELECTORS[key][1](contract);
        entry[key] = value === undefined ? null : value;
      }
      combined.contracts[`${unit}:${name}`] = entry;
    }
  }
  const units = Object.entries(output.sources || {}).sort((a, b) => a[1].id - b[1].id);
  for (const [unit, info] of units) {
    combined.sourceList.push(unit);
    combined.sources[unit] = opts.combinedJson.includes('ast') ? { AST: info.ast, id: info.id } : { id: info.id };
  }
  writeAll(1, `${JSON.stringify(combined)}\n`);
  return 0;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  const solc = loadCompiler();
  try {
    switch (opts.mode) {
      case 'version':
        writeAll(1, versionText(solc));
        return 0;
      case 'help':
        writeAll(1, helpText(solc));
        return 0;
      case 'standard-json':
        return runStandardJson(solc, opts);
      default:
        return runCombinedJson(solc, opts);
    }
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
}

process.exitCode = main();
