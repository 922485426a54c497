#include "integration/engine_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/test_support.h"

namespace ferry::testing {

namespace {

std::atomic<int> process_counter{0};

// fork + exec of the ferry binary with stdout and stderr sent to `output`.
pid_t spawnFerry(const std::vector<std::string>& args, const std::filesystem::path& output) {
  std::vector<std::string> argv_strings = {FERRY_BINARY_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::close(null_fd);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int waitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}

}  // namespace

CommandResult runFerry(const std::vector<std::string>& args) {
  auto output = std::filesystem::temp_directory_path() /
                ("ferry-cmd-" + std::to_string(::getpid()) + "-" +
                 std::to_string(process_counter.fetch_add(1)) + ".out");
  pid_t pid = spawnFerry(args, output);
  CommandResult result;
  result.exit_code = waitExit(pid);
  result.output = readFile(output);
  std::filesystem::remove(output);
  return result;
}

EngineProcess::EngineProcess(const std::filesystem::path& config,
                             const std::filesystem::path& work_dir) {
  int number = process_counter.fetch_add(1);
  ready_file_ = work_dir / ("ready-" + std::to_string(number));
  output_ = work_dir / ("engine-" + std::to_string(number) + ".out");
  pid_ = spawnFerry({"run", "--config", config.string(), "--ready-file", ready_file_.string()},
                    output_);
}

EngineProcess::~EngineProcess() {
  if (pid_ > 0) {
    kill9();
  }
}

bool EngineProcess::waitReady(std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(ready_file_)) {
      std::istringstream lines(readFile(ready_file_));
      std::string name;
      int port = 0;
      while (lines >> name >> port) {
        ports_[name] = port;
      }
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int EngineProcess::port(const std::string& listener) const {
  auto found = ports_.find(listener);
  return found == ports_.end() ? 0 : found->second;
}

int EngineProcess::stop() {
  if (pid_ <= 0) {
    return -1;
  }
  ::kill(pid_, SIGTERM);
  int code = waitExit(pid_);
  pid_ = -1;
  return code;
}

void EngineProcess::kill9() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGKILL);
  waitExit(pid_);
  pid_ = -1;
}

}  // namespace ferry::testing
