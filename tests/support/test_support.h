#pragma once

// Helpers shared by the test suites: temporary directories, file reading, and access to the
// public corpus in ../shared/corpus (present in CI; tests over it skip with a message when not).

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace ferry::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, const std::string& bytes);

// The corpus root, or an empty path when it is not there.
std::filesystem::path corpusDir();
// Every regular file under corpus/<subdir>, sorted; empty when the corpus is absent.
std::vector<std::filesystem::path> corpusFiles(const std::string& subdir);
// Synthetic project-owned samples under tests/data.
std::filesystem::path testDataDir();

// Polls `condition` every 10 ms until it holds or `limit` passes; for tests that wait on
// another thread or process (unit tests use injected clocks instead).
template <typename Condition>
bool waitUntil(Condition condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace ferry::testing
