// FHIR validation throughput: how fast Ferry parses and validates the FHIR files of the public
// corpus on one core, and how long its R4 definitions take to load. bench/fhir_compare.sh runs
// it beside the @medplum/core validator (bench/medplum/validate.mjs), which measures the same
// things the same way, and compares the two sets of verdicts.
//
// Steps, each printed:
//   load      Definitions::builtIn() (the compact definitions linked into the binary) and the
//             construction of the first Validator (which compiles the validation model), both
//             the first of the process, so this is what a starting engine pays.
//   verdicts  each file once through Validator::validateText: valid, or invalid when any issue
//             is an error or fatal. Written to --verdicts FILE as "verdict<TAB>errors<TAB>path"
//             (path relative to the fhir folder), one line per file, for the comparison.
//   warm-up   --warmup seconds of the timing loop, not counted.
//   timing    rounds over all files, each file parsed and validated from its bytes in memory
//             (reading the files is not timed), until at least --seconds have passed and at
//             least three rounds are done, or exactly --rounds rounds. One thread.
// The last line is machine-readable ("RESULT key=value ...") for the comparison script.
//
// Files: every *.json under <corpus>/fhir except the recorded outcomes (*.expected-outcome.json),
// which are the HL7 validator's answers, not inputs. MB means 10^6 bytes.
//
// Nothing of a file's content is printed: file names, counts, and with --explain the issues
// Ferry reports, which name locations and rules, never values.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/outcome.h"
#include "engine/fhir/validator.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using ferry::engine::fhir::Definitions;
using ferry::engine::fhir::Issue;
using ferry::engine::fhir::IssueSeverity;
using ferry::engine::fhir::Validator;

#ifndef FERRY_BENCH_CORPUS_DIR
#define FERRY_BENCH_CORPUS_DIR "../shared/corpus"
#endif

constexpr std::size_t kMinRounds = 3;

struct Options {
  fs::path corpus = FERRY_BENCH_CORPUS_DIR;
  double seconds = 2.0;
  double warmup_seconds = 0.5;
  std::size_t rounds = 0;  // 0: as many as --seconds needs
  std::string verdicts_path;
  std::vector<std::string> explain;  // relative paths whose issues to print
};

struct CorpusFile {
  std::string relative;  // to the fhir folder, with '/' separators
  std::string bytes;
};

void printUsage() {
  std::cout << "usage: fhir_validate_bench [CORPUS_DIR] [--seconds S] [--rounds N] [--warmup S]\n"
               "                           [--verdicts FILE] [--explain RELATIVE_PATH]...\n"
               "  CORPUS_DIR  the corpus root holding fhir/ (or the fhir folder itself);\n"
               "              default " FERRY_BENCH_CORPUS_DIR
               "\n"
               "  --seconds   time at least S seconds (default 2), at least 3 rounds\n"
               "  --rounds    time exactly N rounds instead\n"
               "  --warmup    untimed seconds before timing (default 0.5)\n"
               "  --verdicts  write one line per file: verdict<TAB>errors<TAB>path\n"
               "  --explain   print Ferry's issues for this file (path relative to fhir/)\n";
}

std::optional<Options> parseArguments(int argc, char** argv) {
  Options options;
  bool corpus_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      printUsage();
      std::exit(0);
    } else if (arg == "--seconds" && has_value) {
      options.seconds = std::atof(argv[++i]);
    } else if (arg == "--warmup" && has_value) {
      options.warmup_seconds = std::atof(argv[++i]);
    } else if (arg == "--rounds" && has_value) {
      options.rounds = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
    } else if (arg == "--verdicts" && has_value) {
      options.verdicts_path = argv[++i];
    } else if (arg == "--explain" && has_value) {
      options.explain.emplace_back(argv[++i]);
    } else if (!arg.starts_with("-") && !corpus_given) {
      options.corpus = arg;
      corpus_given = true;
    } else {
      std::cerr << "fhir_validate_bench: unexpected argument " << arg << "\n";
      printUsage();
      return std::nullopt;
    }
  }
  return options;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Every input .json under the fhir folder, sorted by relative path so that both
// implementations list files in the same order.
std::vector<CorpusFile> loadCorpus(const fs::path& fhir_dir) {
  std::vector<CorpusFile> files;
  for (const auto& entry :
       fs::recursive_directory_iterator(fhir_dir, fs::directory_options::skip_permission_denied)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !endsWith(name, ".json") ||
        endsWith(name, ".expected-outcome.json")) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files.push_back({fs::relative(entry.path(), fhir_dir).generic_string(), bytes.str()});
  }
  std::sort(files.begin(), files.end(),
            [](const CorpusFile& a, const CorpusFile& b) { return a.relative < b.relative; });
  return files;
}

std::size_t countErrors(const std::vector<Issue>& issues) {
  return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const Issue& i) {
    return i.severity == IssueSeverity::Error || i.severity == IssueSeverity::Fatal;
  }));
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double threadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// One round: every file parsed and validated from its bytes. Returns the issue count so that
// the work cannot be optimised away.
std::size_t validateAll(const Validator& validator, const std::vector<CorpusFile>& files) {
  std::size_t issues = 0;
  for (const CorpusFile& file : files) {
    issues += validator.validateText(file.bytes).size();
  }
  return issues;
}

bool writeVerdicts(const Validator& validator, const std::vector<CorpusFile>& files,
                   const std::string& path, std::size_t* invalid) {
  std::ofstream out;
  if (!path.empty()) {
    out.open(path, std::ios::trunc);
    if (!out) {
      std::cerr << "fhir_validate_bench: cannot write " << path << "\n";
      return false;
    }
  }
  *invalid = 0;
  for (const CorpusFile& file : files) {
    std::size_t errors = countErrors(validator.validateText(file.bytes));
    *invalid += errors > 0 ? 1 : 0;
    if (out.is_open()) {
      out << (errors > 0 ? "invalid" : "valid") << '\t' << errors << '\t' << file.relative << '\n';
    }
  }
  return true;
}

void explainFiles(const Validator& validator, const std::vector<CorpusFile>& files,
                  const std::vector<std::string>& wanted) {
  for (const std::string& name : wanted) {
    auto found = std::find_if(files.begin(), files.end(),
                              [&](const CorpusFile& file) { return file.relative == name; });
    if (found == files.end()) {
      std::cout << "explain: " << name << ": not among the corpus files\n";
      continue;
    }
    std::cout << "explain: " << name << "\n"
              << ferry::engine::fhir::formatIssues(validator.validateText(found->bytes));
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed_options = parseArguments(argc, argv);
  if (!parsed_options) {
    return 2;
  }
  const Options& options = *parsed_options;
  fs::path fhir_dir =
      fs::is_directory(options.corpus / "fhir") ? options.corpus / "fhir" : options.corpus;
  if (!fs::is_directory(fhir_dir)) {
    std::cerr << "fhir_validate_bench: no corpus at " << options.corpus.string() << "\n";
    return 1;
  }

  // Load first, before anything else touches the definitions, so the time is the cold one.
  auto load_start = Clock::now();
  auto definitions = Definitions::builtIn();
  double definitions_ms = secondsSince(load_start) * 1e3;
  if (!definitions.isOk()) {
    std::cerr << "fhir_validate_bench: built-in definitions: " << definitions.status().context()
              << "\n";
    return 1;
  }
  auto model_start = Clock::now();
  Validator validator(definitions.value());
  double model_ms = secondsSince(model_start) * 1e3;
  double load_ms = definitions_ms + model_ms;
  std::printf("implementation: ferry (%s, FHIR %s)\n", validator.definitions().source().c_str(),
              validator.definitions().fhirVersion().c_str());
  std::printf("load: %.2f ms (definitions %.2f ms, validation model %.2f ms)\n", load_ms,
              definitions_ms, model_ms);

  std::vector<CorpusFile> files = loadCorpus(fhir_dir);
  if (files.empty()) {
    std::cerr << "fhir_validate_bench: no .json files under " << fhir_dir.string() << "\n";
    return 1;
  }
  std::size_t bytes_per_round = 0;
  for (const CorpusFile& file : files) {
    bytes_per_round += file.bytes.size();
  }
  std::printf("corpus: %zu files, %zu bytes, under %s\n", files.size(), bytes_per_round,
              fhir_dir.string().c_str());

  std::size_t invalid = 0;
  if (!writeVerdicts(validator, files, options.verdicts_path, &invalid)) {
    return 1;
  }
  std::printf("verdicts: %zu valid, %zu invalid%s%s\n", files.size() - invalid, invalid,
              options.verdicts_path.empty() ? "" : ", written to ", options.verdicts_path.c_str());
  explainFiles(validator, files, options.explain);

  std::size_t sink = 0;
  for (auto start = Clock::now(); secondsSince(start) < options.warmup_seconds;) {
    sink += validateAll(validator, files);
  }

  std::size_t rounds = 0;
  double cpu_start = threadCpuSeconds();
  auto start = Clock::now();
  while (options.rounds > 0 ? rounds < options.rounds
                            : rounds < kMinRounds || secondsSince(start) < options.seconds) {
    sink += validateAll(validator, files);
    ++rounds;
  }
  double seconds = secondsSince(start);
  double cpu_seconds = threadCpuSeconds() - cpu_start;

  double resources_per_second = static_cast<double>(rounds * files.size()) / seconds;
  double mb_per_second = static_cast<double>(rounds * bytes_per_round) / seconds / 1e6;
  std::printf("timing: %zu rounds in %.3f s (thread cpu %.3f s), issues seen %zu\n", rounds,
              seconds, cpu_seconds, sink);
  std::printf("throughput: %.0f resources/s, %.2f MB/s (parse + validate, one thread)\n",
              resources_per_second, mb_per_second);
  std::printf(
      "RESULT impl=ferry load_ms=%.3f files=%zu bytes=%zu rounds=%zu seconds=%.4f "
      "cpu_seconds=%.4f resources_per_s=%.1f mb_per_s=%.4f invalid=%zu\n",
      load_ms, files.size(), bytes_per_round, rounds, seconds, cpu_seconds, resources_per_second,
      mb_per_second, invalid);
  return 0;
}
