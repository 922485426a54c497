#include "support/test_support.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ferry::testing {

TempDir::TempDir() {
  std::random_device device;
  std::mt19937_64 generator(device());
  auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("ferry-test-" + std::to_string(generator()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("could not create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::filesystem::path corpusDir() {
  std::filesystem::path dir(FERRY_CORPUS_DIR);
  std::error_code error;
  if (std::filesystem::is_directory(dir, error)) {
    return dir;
  }
  return {};
}

std::vector<std::filesystem::path> corpusFiles(const std::string& subdir) {
  std::vector<std::filesystem::path> files;
  auto root = corpusDir();
  if (root.empty() || !std::filesystem::is_directory(root / subdir)) {
    return files;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / subdir)) {
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::filesystem::path testDataDir() { return std::filesystem::path(FERRY_TEST_DATA_DIR); }

}  // namespace ferry::testing
