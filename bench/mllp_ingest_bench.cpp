// MLLP ingest benchmark: what Ferry's durable, encrypted ingest achieves on this machine, beside
// the floor the disk allows, both measured in the same run (disk and CPU figures move by a third
// and more with machine load, so a floor from another day compares nothing).
//
// Phases, in this order, each printed as one row of a table:
//   floor        a bare MLLP echo on 127.0.0.1 that writes each frame to a file and fdatasyncs
//                before answering: inline on one connection, one fdatasync per group with
//                several (a syncer thread releases everyone written before its sync began).
//                "append" grows the file, as the issue's floor does; "overwrite" rewrites a
//                file written beforehand, as SQLite reuses its WAL after a checkpoint (a sync
//                then carries no size change, which is cheaper on most filesystems).
//   no route     an Engine in-process whose route matches nothing: ingest (parse, validate,
//                encrypt, audit, durable commit, AA) with no delivery competing for the journal.
//   ingest       an Engine in-process (SQLite store in WAL mode with synchronous=FULL,
//                AES-256-GCM payloads, audit chain, one route to a file destination), driven by
//                N client threads, each with one persistent connection sending a synthetic
//                ADT^A01 of about 1.2 KB and waiting for the ACK. Only AA counts; anything else
//                is an error and reported. Latency is per message, send to ACK.
//   end to end   the same messages until the file destination has every one of them, timed
//                from the start of the ingest phase.
//   sustained    rounds back to back on the last connection count (delivery backlog left to
//                grow), then the drain: memory columns show whether memory stays flat.
//   floor again  the floor once more, to show how far the machine drifted during the run.
//
// Sync accounting: this program defines fsync() and fdatasync(), which the dynamic linker
// prefers over libc's for the whole process (SQLite's included). They call the kernel directly
// and count calls and wall time by file kind (SQLite WAL, database file, destination file,
// directory, floor file). The WAL syncs per phase are the journal's durable commits, which the
// Engine's public API does not expose (see the note printed at the end).
//
// Traffic goes to 127.0.0.1 only; all files live in one temporary directory, removed at exit.
// See bench/README.md for how to run and profile it.

#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/cli/logging_setup.h"
#include "engine/config/engine_config.h"
#include "engine/pipeline/engine.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Sync accounting
// ---------------------------------------------------------------------------------------------

namespace {

enum class SyncKind : std::size_t { Wal, Database, DestinationFile, Directory, Floor, Other };
constexpr std::size_t kSyncKinds = 6;

struct SyncCounter {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> nanos{0};
};

// Zero-initialized before any constructor runs, so a sync during static initialization is safe.
std::array<SyncCounter, kSyncKinds> sync_counters;
// The thread that last synced each kind of file: once the engine runs, the journal writer is the
// one thread that syncs the WAL and the delivery worker the one that syncs destination files.
std::array<std::atomic<pid_t>, kSyncKinds> last_syncer;

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Names the file behind `fd` by its path (a readlink through /proc, about 10 us).
SyncKind classifyByPath(int fd) {
  char proc_path[64];
  char target[512];
  std::snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
  ssize_t length = ::readlink(proc_path, target, sizeof(target) - 1);
  if (length <= 0) {
    return SyncKind::Other;
  }
  std::string_view path(target, static_cast<std::size_t>(length));
  if (endsWith(path, "-wal")) {
    return SyncKind::Wal;
  }
  if (endsWith(path, ".db")) {
    return SyncKind::Database;
  }
  if (endsWith(path, ".tmp")) {
    return SyncKind::DestinationFile;  // the file destination syncs its temp file, then renames
  }
  if (endsWith(path, "floor-frames")) {
    return SyncKind::Floor;
  }
  return SyncKind::Other;
}

// Names the file behind `fd`. The files synced on every message (the WAL, the floor's file)
// live for the whole phase, so their kind is remembered by inode: the sync being measured sits
// on the ACK path, and a readlink after each would add its own cost to the engine's latency.
// Short-lived files are classified each time, since their inode numbers are reused; the cache
// is per thread, and every phase starts an engine (and its threads) of its own.
SyncKind classifySync(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return SyncKind::Other;
  }
  if (S_ISDIR(info.st_mode)) {
    return SyncKind::Directory;
  }
  struct CachedKind {
    dev_t device = 0;
    ino_t inode = 0;
    SyncKind kind = SyncKind::Other;
  };
  thread_local std::array<CachedKind, 4> cache{};
  for (const CachedKind& cached : cache) {
    if (cached.inode == info.st_ino && cached.device == info.st_dev && cached.inode != 0) {
      return cached.kind;
    }
  }
  SyncKind kind = classifyByPath(fd);
  if (kind == SyncKind::Wal || kind == SyncKind::Floor) {
    thread_local std::size_t next_slot = 0;
    cache[next_slot] = {info.st_dev, info.st_ino, kind};
    next_slot = (next_slot + 1) % cache.size();
  }
  return kind;
}

int accountedSync(int fd, long call) {
  auto started = Clock::now();
  long result = ::syscall(call, fd);
  auto waited = Clock::now() - started;
  auto kind = static_cast<std::size_t>(classifySync(fd));
  SyncCounter& counter = sync_counters[kind];
  last_syncer[kind].store(::gettid(), std::memory_order_relaxed);
  counter.calls.fetch_add(1, std::memory_order_relaxed);
  counter.nanos.fetch_add(static_cast<std::uint64_t>(
                              std::chrono::duration_cast<std::chrono::nanoseconds>(waited).count()),
                          std::memory_order_relaxed);
  return static_cast<int>(result);
}

}  // namespace

extern "C" int fdatasync(int fd) { return accountedSync(fd, SYS_fdatasync); }
extern "C" int fsync(int fd) { return accountedSync(fd, SYS_fsync); }

namespace {

struct SyncTotals {
  std::array<std::uint64_t, kSyncKinds> calls{};
  std::array<std::uint64_t, kSyncKinds> nanos{};

  static SyncTotals now() {
    SyncTotals totals;
    for (std::size_t i = 0; i < kSyncKinds; ++i) {
      totals.calls[i] = sync_counters[i].calls.load();
      totals.nanos[i] = sync_counters[i].nanos.load();
    }
    return totals;
  }
  SyncTotals since(const SyncTotals& before) const {
    SyncTotals delta;
    for (std::size_t i = 0; i < kSyncKinds; ++i) {
      delta.calls[i] = calls[i] - before.calls[i];
      delta.nanos[i] = nanos[i] - before.nanos[i];
    }
    return delta;
  }
  std::uint64_t callsOf(SyncKind kind) const { return calls[static_cast<std::size_t>(kind)]; }
  double averageMicros(SyncKind kind) const {
    std::size_t i = static_cast<std::size_t>(kind);
    return calls[i] == 0 ? 0.0
                         : static_cast<double>(nanos[i]) / 1000.0 / static_cast<double>(calls[i]);
  }
  double totalSeconds(SyncKind kind) const {
    return static_cast<double>(nanos[static_cast<std::size_t>(kind)]) / 1e9;
  }
};

// ---------------------------------------------------------------------------------------------
// Small helpers: process figures, files, sockets, MLLP frames
// ---------------------------------------------------------------------------------------------

double rssMegabytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtod(line.c_str() + 6, nullptr) / 1024.0;  // the kernel reports kB
    }
  }
  return 0.0;
}

// Resident memory now, and again after handing free heap pages back to the kernel: glibc keeps
// freed memory in per-thread arenas, so the first figure can stay high after a burst with nothing
// live; the second is closer to what is in use. A leak or an unbounded queue raises both.
struct Memory {
  double rss_mb = 0.0;
  double trimmed_mb = 0.0;
};

Memory measureMemory() {
  Memory memory;
  memory.rss_mb = rssMegabytes();
  ::malloc_trim(0);
  memory.trimmed_mb = rssMegabytes();
  return memory;
}

double processCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU time of one thread of this process, with nanosecond precision (schedstat's first field).
std::optional<double> threadCpuSecondsOf(pid_t tid) {
  if (tid <= 0) {
    return std::nullopt;
  }
  std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  double nanos = 0.0;
  if (!(file >> nanos)) {
    return std::nullopt;
  }
  return nanos / 1e9;
}

double threadCpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

std::string loadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

double secondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// A directory under the system temp dir (or --dir), removed with its contents at the end.
class TempDir {
 public:
  TempDir(const fs::path& base, bool keep) : keep_(keep) {
    std::string pattern = (base / "ferry-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory under " + base.string());
    }
    path_ = pattern;
  }
  ~TempDir() {
    if (!keep_) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool keep_;
};

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

// Writes everything to a socket (without SIGPIPE when the peer is gone) or to a file.
bool writeAll(int fd, std::string_view bytes, bool is_socket) {
  while (!bytes.empty()) {
    ssize_t written = is_socket ? ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL)
                                : ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

void setNoDelay(int fd) {
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

Fd connectLoopback(int port) {
  Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) {
    return socket;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return Fd();
  }
  setNoDelay(socket.get());
  // A stuck peer shows up as a timeout error rather than a hung benchmark.
  timeval timeout{30, 0};
  ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return socket;
}

constexpr char kStartBlock = '\x0b';
constexpr std::string_view kEndBlock = "\x1c\x0d";

// Reads from `fd` until `buffer` holds a whole MLLP frame; returns its content and keeps what
// follows it in `buffer`. Empty optional on close, timeout or error (`why` says which).
std::optional<std::string> readFrame(int fd, std::string& buffer, std::string& why) {
  for (;;) {
    std::size_t end = buffer.find(kEndBlock);
    if (end != std::string::npos) {
      std::size_t start = buffer.find(kStartBlock);
      std::string frame = (start == std::string::npos || start > end)
                              ? buffer.substr(0, end)
                              : buffer.substr(start + 1, end - start - 1);
      buffer.erase(0, end + kEndBlock.size());
      return frame;
    }
    char chunk[4096];
    ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got > 0) {
      buffer.append(chunk, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    why = got == 0 ? "connection closed" : (errno == EAGAIN ? "ACK timeout" : "receive error");
    return std::nullopt;
  }
}

// The value of field MSH-`number` (MSH-1 is the separator itself, so MSH-n is the (n-1)th
// field after "MSH").
std::string_view mshField(std::string_view message, int number) {
  std::size_t at = 3;
  for (int field = 2; field <= number; ++field) {
    at = message.find('|', at);
    if (at == std::string_view::npos) {
      return {};
    }
    ++at;
  }
  std::size_t end = message.find_first_of("|\r", at);
  return message.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
}

// ---------------------------------------------------------------------------------------------
// Synthetic message
// ---------------------------------------------------------------------------------------------

// A realistic ADT^A01 (admission) of about 1.2 KB for a made-up patient: identifiers, next of kin,
// visit, vitals, allergy, diagnosis, insurance. MSH-10 and the identifiers vary per message.
std::string syntheticAdtFrame(const std::string& control_id, std::uint64_t sequence) {
  std::string number = std::to_string(100000 + sequence % 900000);
  std::string message =
      "MSH|^~\\&|BENCHADT|BENCHHOSP|FERRY|BENCHFAC|20260101120000||ADT^A01^ADT_A01|" + control_id +
      "|P|2.5.1|||AL|NE|USA|UNICODE UTF-8\r"
      "EVN|A01|20260101120000|||BENCHUSER^OPERATOR^TEST^^^^^^BENCHHOSP\r"
      "PID|1||MRN" +
      number + "^^^BENCHHOSP^MR~999" + number +
      "^^^BENCHSSA^SS||"
      "TESTPATIENT^ALPHA^QUINCY^^^^L|BENCHMOTHER^BETA|19700101|F||2106-3^White^CDCREC|"
      "1 TEST STREET^APT 2^TESTTOWN^TS^00000^USA^H||^PRN^PH^^1^555^0100000|"
      "^WPN^PH^^1^555^0100001|ENG^English^ISO639|S^Single^HL70002|NON|ACCT" +
      number +
      "^^^BENCHHOSP^AN|||N^Not Hispanic^HL70189\r"
      "NK1|1|TESTRELATIVE^GAMMA|SPO^Spouse^HL70063|1 TEST STREET^^TESTTOWN^TS^00000^USA|"
      "^PRN^PH^^1^555^0100002||EC^Emergency Contact^HL70131\r"
      "PV1|1|I|WARD^101^A^BENCHHOSP^^^^MED||||1234^TESTDOCTOR^DELTA^^^DR^MD|"
      "5678^TESTDOCTOR^EPSILON^^^DR^MD||MED||||7|||1234^TESTDOCTOR^DELTA^^^DR^MD|IP|VISIT" +
      number +
      "^^^BENCHHOSP^VN|||||||||||||||||||||||||20260101120000\r"
      "PV2|||R07.9^Chest pain^I10||||||||3\r"
      "OBX|1|NM|8867-4^Heart rate^LN||72|/min^beats per minute^UCUM|60-100|N|||F|||20260101115500\r"
      "OBX|2|NM|8480-6^Systolic blood pressure^LN||128|mm[Hg]^mmHg^UCUM|90-140|N|||F|||"
      "20260101115500\r"
      "AL1|1|DA|70618^Penicillin^RXNORM|MO|Hives|20100101\r"
      "DG1|1||R07.9^Chest pain, unspecified^I10||20260101120000|A\r"
      "IN1|1|PLAN01^TEST PLAN^BENCHPLANS|INS001^^^BENCHPLANS|TEST INSURANCE COMPANY|||||GRP" +
      number + "\r";
  return kStartBlock + message + std::string(kEndBlock);
}

// ---------------------------------------------------------------------------------------------
// Load: N client threads, one persistent connection each, one message in flight each
// ---------------------------------------------------------------------------------------------

struct LoadPlan {
  std::string tag;  // makes control ids unique per phase
  int connections = 1;
  std::uint64_t messages_per_connection = 1000;
  double seconds = 0.0;  // when positive: run this long, whatever the message count
};

struct LoadResult {
  std::uint64_t accepted = 0;  // AA with the right MSA-2
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> error_kinds;
  double seconds = 0.0;
  double client_cpu_seconds = 0.0;
  std::vector<double> latencies_ms;
};

struct ClientOutcome {
  std::uint64_t accepted = 0;
  std::map<std::string, std::uint64_t> error_kinds;
  std::vector<double> latencies_ms;
  double cpu_seconds = 0.0;
};

void runClient(int port, const LoadPlan& plan, int index, Clock::time_point* deadline,
               std::latch& go, ClientOutcome& out) {
  Fd socket = connectLoopback(port);
  go.arrive_and_wait();
  if (!socket.valid()) {
    out.error_kinds["cannot connect"]++;
    return;
  }
  double cpu_start = threadCpuSeconds();
  if (plan.seconds <= 0) {
    out.latencies_ms.reserve(plan.messages_per_connection);
  }
  std::string buffer;
  for (std::uint64_t sequence = 0;; ++sequence) {
    if (plan.seconds > 0 ? Clock::now() >= *deadline : sequence >= plan.messages_per_connection) {
      break;
    }
    std::string control_id =
        "B" + plan.tag + std::to_string(index) + "-" + std::to_string(sequence);
    std::string frame = syntheticAdtFrame(control_id, sequence * 64 + static_cast<unsigned>(index));

    auto sent = Clock::now();
    if (!writeAll(socket.get(), frame, true)) {
      out.error_kinds["send failed"]++;
      break;
    }
    std::string why;
    std::optional<std::string> ack = readFrame(socket.get(), buffer, why);
    auto answered = Clock::now();
    if (!ack) {
      out.error_kinds[why]++;
      break;
    }

    std::size_t msa = ack->find("\rMSA|");
    std::string code = msa == std::string::npos ? "no MSA" : ack->substr(msa + 5, 2);
    // MSA-2 must echo this message's control id, whole.
    std::size_t acked = msa == std::string::npos ? std::string::npos : msa + 8;
    bool same_id = acked != std::string::npos && acked + control_id.size() <= ack->size() &&
                   ack->compare(acked, control_id.size(), control_id) == 0 &&
                   (acked + control_id.size() == ack->size() ||
                    std::string_view("|\r^").find((*ack)[acked + control_id.size()]) !=
                        std::string_view::npos);
    if (code == "AA" && same_id) {
      out.accepted++;
      out.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(answered - sent).count());
    } else {
      out.error_kinds[code == "AA" ? "AA for another control id" : "MSA-1 " + code]++;
    }
  }
  out.cpu_seconds = threadCpuSeconds() - cpu_start;
}

LoadResult runLoad(int port, const LoadPlan& plan) {
  std::vector<ClientOutcome> outcomes(static_cast<std::size_t>(plan.connections));
  std::latch go(plan.connections + 1);
  Clock::time_point deadline{};
  Clock::time_point started;
  {
    std::vector<std::jthread> clients;
    for (int i = 0; i < plan.connections; ++i) {
      clients.emplace_back(runClient, port, std::cref(plan), i, &deadline, std::ref(go),
                           std::ref(outcomes[static_cast<std::size_t>(i)]));
    }
    // Every client has connected before the clock starts; the deadline is set before any of
    // them is released, so they all see it.
    deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(plan.seconds));
    go.arrive_and_wait();
    started = Clock::now();
  }
  LoadResult result;
  result.seconds = secondsBetween(started, Clock::now());
  for (ClientOutcome& outcome : outcomes) {
    result.accepted += outcome.accepted;
    result.client_cpu_seconds += outcome.cpu_seconds;
    for (const auto& [kind, count] : outcome.error_kinds) {
      result.error_kinds[kind] += count;
      result.errors += count;
    }
    result.latencies_ms.insert(result.latencies_ms.end(), outcome.latencies_ms.begin(),
                               outcome.latencies_ms.end());
  }
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) {
    return 0.0;
  }
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// ---------------------------------------------------------------------------------------------
// Floor: a bare MLLP echo that makes each frame durable before answering
// ---------------------------------------------------------------------------------------------

class FloorServer {
 public:
  // grouped: one syncer thread, one fdatasync for every frame written before it began;
  // otherwise each connection thread fdatasyncs its own frame.
  // preallocated: frames overwrite a file written and synced beforehand (wrapping around), as
  // SQLite reuses its WAL after a checkpoint; a sync then carries no size change and so no inode
  // update. Otherwise frames are appended, as the issue's floor does.
  FloorServer(const fs::path& file, bool grouped, bool preallocated)
      : grouped_(grouped), preallocated_(preallocated) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (preallocated ? 0 : O_APPEND);
    file_ = Fd(::open(file.c_str(), flags, 0600));
    listener_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!file_.valid() || !listener_.valid()) {
      throw std::runtime_error("floor: cannot open file or socket");
    }
    if (preallocated && !preallocate()) {
      throw std::runtime_error("floor: cannot preallocate its file");
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0 ||
        ::listen(listener_.get(), 64) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("floor: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    if (grouped_) {
      syncer_ = std::jthread([this] { syncLoop(); });
    }
    acceptor_ = std::jthread([this] { acceptLoop(); });
  }

  ~FloorServer() {
    ::shutdown(listener_.get(), SHUT_RDWR);  // wakes accept()
    acceptor_ = {};
    connections_.clear();  // joins: clients have closed their sockets by now
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    written_cv_.notify_all();
    syncer_ = {};
  }
  FloorServer(const FloorServer&) = delete;
  FloorServer& operator=(const FloorServer&) = delete;

  int port() const { return port_; }

 private:
  void acceptLoop() {
    for (;;) {
      int client = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        if (errno == EINTR || errno == ECONNABORTED) {
          continue;
        }
        return;
      }
      setNoDelay(client);
      connections_.emplace_back([this, client] { serve(Fd(client)); });
    }
  }

  void serve(Fd socket) {
    std::string buffer;
    std::string why;
    std::uint64_t answered = 0;
    while (auto frame = readFrame(socket.get(), buffer, why)) {
      if (!appendDurably(*frame)) {
        return;
      }
      std::string ack = std::string(1, kStartBlock) +
                        "MSH|^~\\&|FLOOR|BENCH|||20260101120000||ACK^A01^ACK|F" +
                        std::to_string(++answered) + "|P|2.5.1\rMSA|AA|" +
                        std::string(mshField(*frame, 10)) + "\r" + std::string(kEndBlock);
      if (!writeAll(socket.get(), ack, true)) {
        return;
      }
    }
  }

  static constexpr off_t kRingBytes = 16 * 1024 * 1024;

  bool preallocate() {
    std::string zeros(1024 * 1024, '\0');
    for (off_t done = 0; done < kRingBytes; done += static_cast<off_t>(zeros.size())) {
      if (!writeAll(file_.get(), zeros, false)) {
        return false;
      }
    }
    return ::fsync(file_.get()) == 0;
  }

  // Called with mutex_ held: the order of frames in the file is the order of their syncs.
  bool writeFrame(std::string_view frame) {
    if (!preallocated_) {
      return writeAll(file_.get(), frame, false);
    }
    if (ring_offset_ + static_cast<off_t>(frame.size()) > kRingBytes) {
      ring_offset_ = 0;
    }
    while (!frame.empty()) {
      ssize_t written = ::pwrite(file_.get(), frame.data(), frame.size(), ring_offset_);
      if (written < 0 && errno != EINTR) {
        return false;
      }
      if (written > 0) {
        frame.remove_prefix(static_cast<std::size_t>(written));
        ring_offset_ += written;
      }
    }
    return true;
  }

  bool appendDurably(std::string_view frame) {
    std::unique_lock lock(mutex_);
    if (!writeFrame(frame)) {
      return false;
    }
    if (!grouped_) {
      lock.unlock();
      return ::fdatasync(file_.get()) == 0;
    }
    std::uint64_t mine = ++written_;
    written_cv_.notify_one();
    synced_cv_.wait(lock, [&] { return synced_ >= mine || stopping_; });
    return synced_ >= mine && sync_ok_;
  }

  void syncLoop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      written_cv_.wait(lock, [&] { return stopping_ || written_ > synced_; });
      if (written_ == synced_) {
        return;  // stopping with nothing left to sync
      }
      std::uint64_t target = written_;
      lock.unlock();
      bool ok = ::fdatasync(file_.get()) == 0;
      lock.lock();
      sync_ok_ = sync_ok_ && ok;
      synced_ = target;
      synced_cv_.notify_all();
    }
  }

  bool grouped_;
  bool preallocated_;
  off_t ring_offset_ = 0;
  Fd file_;
  Fd listener_;
  int port_ = 0;
  std::mutex mutex_;  // guards the file's append order and the counters below
  std::condition_variable written_cv_;
  std::condition_variable synced_cv_;
  std::uint64_t written_ = 0;
  std::uint64_t synced_ = 0;
  bool sync_ok_ = true;
  bool stopping_ = false;
  std::vector<std::jthread> connections_;  // touched by the acceptor thread, then the destructor
  std::jthread syncer_;
  std::jthread acceptor_;
};

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

struct Row {
  std::string phase;
  int connections = 0;
  std::uint64_t messages = 0;
  std::uint64_t errors = 0;
  double rate = 0.0;
  std::optional<double> p50_ms;
  std::optional<double> p99_ms;
  double cpu_us_per_message = 0.0;
  std::optional<double> server_cpu_us_per_message;
  Memory memory;
  std::optional<std::uint64_t> backlog;  // messages queued for delivery, not yet delivered
  SyncTotals syncs;
  // Shares of the phase's wall time: the journal writer's and the delivery worker's CPU, and the
  // time they spent in syncs (which includes the kernel CPU of the sync, so the two overlap).
  std::optional<double> journal_cpu;
  std::optional<double> delivery_cpu;
  double journal_sync = 0.0;
  double delivery_sync = 0.0;
};

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

void printTableHeader() {
  std::printf("%-30s %5s %8s %6s %9s %8s %8s %8s %8s %7s %7s %7s\n", "phase", "conns", "messages",
              "errors", "msg/s", "p50 ms", "p99 ms", "cpu us/m", "srv us/m", "RSS MB", "trim MB",
              "backlog");
  std::printf("%s\n", std::string(129, '-').c_str());
}

void printRow(const Row& row) {
  std::printf(
      "%-30s %5d %8llu %6llu %9.0f %8s %8s %8.0f %8s %7.1f %7.1f %7s\n", row.phase.c_str(),
      row.connections, static_cast<unsigned long long>(row.messages),
      static_cast<unsigned long long>(row.errors), row.rate,
      row.p50_ms ? fixed(*row.p50_ms, 2).c_str() : "-",
      row.p99_ms ? fixed(*row.p99_ms, 2).c_str() : "-", row.cpu_us_per_message,
      row.server_cpu_us_per_message ? fixed(*row.server_cpu_us_per_message, 0).c_str() : "-",
      row.memory.rss_mb, row.memory.trimmed_mb,
      row.backlog ? std::to_string(*row.backlog).c_str() : "-");
  std::fflush(stdout);
}

void printSyncTable(const std::vector<Row>& rows) {
  std::printf(
      "\nSyncs per phase by file (count / average wait in us); engine threads' CPU and time in\n"
      "syncs as shares of the phase's wall time (the two overlap by the kernel's CPU in syncs):\n");
  std::printf("%-30s %14s %13s %14s %14s %14s %8s %13s %13s\n", "phase", "SQLite WAL", "SQLite db",
              "dest file", "dest dir", "floor file", "msgs/WAL", "journal cpu/s", "deliv. cpu/s");
  auto cell = [](const SyncTotals& syncs, SyncKind kind) {
    return std::to_string(syncs.callsOf(kind)) + " / " + fixed(syncs.averageMicros(kind), 0);
  };
  auto shares = [](std::optional<double> cpu, double sync) {
    if (!cpu) {
      return std::string("-");
    }
    return fixed(*cpu * 100, 0) + "% / " + fixed(sync * 100, 0) + "%";
  };
  for (const Row& row : rows) {
    if (row.messages == 0) {
      continue;  // memory-only rows
    }
    std::uint64_t wal = row.syncs.callsOf(SyncKind::Wal);
    std::string per_wal =
        wal == 0 ? "-" : fixed(static_cast<double>(row.messages) / static_cast<double>(wal), 1);
    std::printf("%-30s %14s %13s %14s %14s %14s %8s %13s %13s\n", row.phase.c_str(),
                cell(row.syncs, SyncKind::Wal).c_str(), cell(row.syncs, SyncKind::Database).c_str(),
                cell(row.syncs, SyncKind::DestinationFile).c_str(),
                cell(row.syncs, SyncKind::Directory).c_str(),
                cell(row.syncs, SyncKind::Floor).c_str(), per_wal.c_str(),
                shares(row.journal_cpu, row.journal_sync).c_str(),
                shares(row.delivery_cpu, row.delivery_sync).c_str());
  }
}

// CPU of one engine thread during a phase, found by the file kind only it syncs.
struct ThreadWatch {
  explicit ThreadWatch(SyncKind watched)
      : kind(watched),
        tid(last_syncer[static_cast<std::size_t>(watched)].load()),
        cpu_seconds(threadCpuSecondsOf(tid)) {}

  // Share of `wall_seconds` this thread spent on CPU; nothing when the thread changed (the
  // engine started during the phase) or is gone.
  std::optional<double> cpuShare(double wall_seconds) const {
    pid_t now = last_syncer[static_cast<std::size_t>(kind)].load();
    auto cpu = threadCpuSecondsOf(tid);
    if (now != tid || !cpu || !cpu_seconds || wall_seconds <= 0) {
      return std::nullopt;
    }
    return (*cpu - *cpu_seconds) / wall_seconds;
  }

  SyncKind kind;
  pid_t tid;
  std::optional<double> cpu_seconds;
};

// What one measured phase starts from.
struct Mark {
  Clock::time_point time = Clock::now();
  double cpu_seconds = processCpuSeconds();
  SyncTotals syncs = SyncTotals::now();
  ThreadWatch journal{SyncKind::Wal};
  ThreadWatch delivery{SyncKind::DestinationFile};
};

// Fills the per-thread figures of an engine phase that lasted `wall_seconds`.
void addThreadShares(Row& row, const Mark& mark, double wall_seconds) {
  if (wall_seconds <= 0) {
    return;
  }
  // A thread that synced nothing in the phase is not the engine's (the last WAL sync of a stopped
  // engine is made by whoever closes the store).
  if (row.syncs.callsOf(SyncKind::Wal) > 0) {
    row.journal_cpu = mark.journal.cpuShare(wall_seconds);
  }
  if (row.syncs.callsOf(SyncKind::DestinationFile) > 0) {
    row.delivery_cpu = mark.delivery.cpuShare(wall_seconds);
  }
  row.journal_sync = row.syncs.totalSeconds(SyncKind::Wal) / wall_seconds;
  row.delivery_sync = (row.syncs.totalSeconds(SyncKind::DestinationFile) +
                       row.syncs.totalSeconds(SyncKind::Directory)) /
                      wall_seconds;
}

Row loadRow(const std::string& phase, const LoadPlan& plan, const LoadResult& result,
            const Mark& mark) {
  Row row;
  row.phase = phase;
  row.connections = plan.connections;
  row.messages = result.accepted;
  row.errors = result.errors;
  row.rate = result.seconds > 0 ? static_cast<double>(result.accepted) / result.seconds : 0.0;
  if (!result.latencies_ms.empty()) {
    row.p50_ms = percentile(result.latencies_ms, 0.50);
    row.p99_ms = percentile(result.latencies_ms, 0.99);
  }
  double cpu = processCpuSeconds() - mark.cpu_seconds;
  double handled = static_cast<double>(std::max<std::uint64_t>(result.accepted, 1));
  row.cpu_us_per_message = cpu * 1e6 / handled;
  row.server_cpu_us_per_message = (cpu - result.client_cpu_seconds) * 1e6 / handled;
  row.memory = measureMemory();
  row.syncs = SyncTotals::now().since(mark.syncs);
  addThreadShares(row, mark, result.seconds);
  for (const auto& [kind, count] : result.error_kinds) {
    std::fprintf(stderr, "  %s: %llu x %s\n", phase.c_str(), static_cast<unsigned long long>(count),
                 kind.c_str());
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// The engine under test
// ---------------------------------------------------------------------------------------------

using ferry::engine::pipeline::Engine;

std::string engineConfigText(const fs::path& dir, bool route_matches, const std::string& level,
                             bool deidentify) {
  // The no-route engine filters on a type the benchmark never sends: messages are stored and
  // answered AA, and nothing is queued for delivery.
  std::string types = route_matches ? R"(["ADT^A01"])" : R"(["ORU^R01"])";
  std::ostringstream text;
  text << "// Written by bench/mllp_ingest_bench.\n{\n"
       << R"(  "engine": {"name": "bench", "data_directory": ")" << (dir / "data").string()
       << R"(", "log_level": ")" << level << R"(", "log_file": ")" << (dir / "engine.log").string()
       << "\"},\n"
       << R"(  "storage": {"url": "sqlite:)" << (dir / "data" / "ferry.db").string() << "\"},\n"
       << R"(  "keys": {"file": ")" << (dir / "keys" / "ferry.keys").string()
       << R"(", "create_if_missing": true},)"
       << "\n"
       << R"(  "listeners": [{"name": "in", "type": "mllp", "host": "127.0.0.1", "port": 0,)"
       << R"( "insecure": true, "max_connections": 64}],)"
       << "\n"
       << R"(  "routes": [{"name": "adt", "source": "in", "filter": {"message_types": )" << types
       << R"(}, "destinations": [{"name": "archive", "type": "file", "directory": ")"
       << (dir / "out").string() << R"(", "extension": ".hl7",)"
       << (deidentify ? R"( "transforms": [{"type": "deidentify", "pseudonyms": true}]}]}])"
                      : R"( "business_associate": {"covered": true, "agreement": "bench"}}]}])")
       << "\n}\n";
  return text.str();
}

std::unique_ptr<Engine> startEngine(const fs::path& dir, bool route_matches,
                                    const std::string& log_level, bool deidentify) {
  fs::create_directories(dir);
  fs::path config_path = dir / "ferry.jsonc";
  std::ofstream(config_path) << engineConfigText(dir, route_matches, log_level, deidentify);

  ferry::engine::config::ConfigErrors errors;
  auto config = ferry::engine::config::loadEngineConfig(config_path.string(), errors);
  auto engine = config ? Engine::build(config, errors) : nullptr;
  if (!errors.empty() || !engine) {
    std::fprintf(stderr, "engine config rejected:\n%s", errors.format().c_str());
    return nullptr;
  }
  // As `ferry run` does: the per-message log lines are part of what ingest costs.
  ferry::engine::cli::setUpLogging(config->log_level, config->log_file);
  if (auto started = engine->start(); !started.isOk()) {
    std::fprintf(stderr, "engine did not start: %s\n", started.toString().c_str());
    return nullptr;
  }
  return engine;
}

struct DeliveryTotals {
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dead = 0;
};

DeliveryTotals deliveryTotals(const Engine& engine) {
  DeliveryTotals totals;
  for (const auto* worker : engine.workers()) {
    auto counters = worker->counters();
    totals.delivered += counters.delivered;
    totals.failed_attempts += counters.failed_attempts;
    totals.dead += counters.dead;
  }
  return totals;
}

std::uint64_t backlogOf(const Engine& engine) {
  std::uint64_t queued = 0;
  for (const auto* worker : engine.workers()) {
    queued += worker->depth();
  }
  return queued;
}

// Waits until the destinations have delivered `target` messages in all; returns when that
// happened, or nothing when delivery made no progress for 60 s.
std::optional<Clock::time_point> waitDelivered(const Engine& engine, std::uint64_t target) {
  std::uint64_t last = 0;
  auto last_progress = Clock::now();
  for (;;) {
    std::uint64_t delivered = deliveryTotals(engine).delivered;
    auto now = Clock::now();
    if (delivered >= target) {
      return now;
    }
    if (delivered != last) {
      last = delivered;
      last_progress = now;
    } else if (now - last_progress > std::chrono::seconds(60)) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Row endToEndRow(const std::string& phase, int connections, std::uint64_t messages, const Mark& mark,
                std::optional<Clock::time_point> done) {
  Row row;
  row.phase = phase;
  row.connections = connections;
  row.messages = messages;
  double seconds = 0.0;
  if (!done) {
    row.errors = messages;
    std::fprintf(stderr, "  %s: delivery stalled for 60 s\n", phase.c_str());
  } else {
    seconds = secondsBetween(mark.time, *done);
    row.rate = seconds > 0 ? static_cast<double>(messages) / seconds : 0.0;
  }
  double cpu = processCpuSeconds() - mark.cpu_seconds;
  row.cpu_us_per_message = cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(messages, 1));
  row.memory = measureMemory();
  row.syncs = SyncTotals::now().since(mark.syncs);
  addThreadShares(row, mark, seconds);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Options and the run
// ---------------------------------------------------------------------------------------------

struct Options {
  std::uint64_t messages_one = 2000;   // per connection, 1-connection phases
  std::uint64_t messages_eight = 500;  // per connection, phases with several connections
  double seconds = 0.0;
  int sustained_rounds = 3;
  std::vector<int> connections{1, 8};  // the sustained rounds use the last
  bool floor = true;
  bool engine = true;
  bool no_route = true;
  bool floor_again = true;
  std::string log_level = "information";
  fs::path base = fs::temp_directory_path();
  bool keep = false;
  // The file destination de-identifies (Safe Harbor with pseudonyms) before writing: compare
  // with a run without it for the cost of de-identification in the whole engine.
  bool deidentify = false;
};

void printUsage() {
  std::printf(
      "usage: mllp_ingest_bench [--messages N] [--seconds S] [--quick] [--rounds N]\n"
      "                         [--connections N,M..] [--only floor,engine,no-route]\n"
      "                         [--log-level LEVEL] [--dir DIR] [--keep] [--deidentify]\n"
      "  --messages N   messages per connection in every phase (default: 2000 on one\n"
      "                 connection, 500 per connection on several)\n"
      "  --seconds S    run each load phase for S seconds instead of a message count\n"
      "  --quick        a smoke run of a few seconds\n"
      "  --rounds N     sustained rounds on the last connection count (default 3)\n"
      "  --connections  connection counts to measure (default 1,8)\n"
      "  --only LIST    parts to run: floor (also run again at the end), engine (ingest, end\n"
      "                 to end, sustained), no-route (ingest without delivery); default all\n"
      "  --log-level L  engine log level (default information, as shipped)\n"
      "  --dir DIR      where the temporary directory goes (default: system temp dir)\n"
      "  --keep         keep the temporary directory (database, log, delivered files)\n"
      "  --deidentify   the file destination de-identifies (Safe Harbor, pseudonyms) first\n");
}

std::optional<Options> parseOptions(int argc, char** argv) try {
  Options options;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        return std::nullopt;
      }
      return args[++i];
    };
    if (arg == "--quick") {
      options.messages_one = 300;
      options.messages_eight = 100;
      options.sustained_rounds = 2;
      options.floor_again = false;
    } else if (arg == "--messages") {
      auto text = value();
      if (!text || std::stoll(*text) <= 0) {
        return std::nullopt;
      }
      options.messages_one = options.messages_eight = std::stoull(*text);
    } else if (arg == "--seconds") {
      auto text = value();
      if (!text || std::stod(*text) <= 0) {
        return std::nullopt;
      }
      options.seconds = std::stod(*text);
    } else if (arg == "--rounds") {
      auto text = value();
      if (!text || std::stoi(*text) < 0) {
        return std::nullopt;
      }
      options.sustained_rounds = std::stoi(*text);
    } else if (arg == "--connections") {
      auto text = value();
      if (!text) {
        return std::nullopt;
      }
      options.connections.clear();
      std::istringstream list(*text);
      for (std::string item; std::getline(list, item, ',');) {
        int count = std::stoi(item);
        if (count < 1 || count > 64) {
          return std::nullopt;
        }
        options.connections.push_back(count);
      }
      if (options.connections.empty()) {
        return std::nullopt;
      }
    } else if (arg == "--only") {
      auto text = value();
      if (!text) {
        return std::nullopt;
      }
      options.floor = options.engine = options.no_route = false;
      std::istringstream list(*text);
      for (std::string item; std::getline(list, item, ',');) {
        if (item == "floor") {
          options.floor = true;
        } else if (item == "engine") {
          options.engine = true;
        } else if (item == "no-route") {
          options.no_route = true;
        } else {
          return std::nullopt;
        }
      }
    } else if (arg == "--log-level") {
      auto text = value();
      if (!text) {
        return std::nullopt;
      }
      options.log_level = *text;
    } else if (arg == "--dir") {
      auto text = value();
      if (!text) {
        return std::nullopt;
      }
      options.base = *text;
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--deidentify") {
      options.deidentify = true;
    } else {
      return std::nullopt;
    }
  }
  return options;
} catch (const std::logic_error&) {
  return std::nullopt;  // a number that does not parse
}

LoadPlan plan(const Options& options, const std::string& tag, int connections) {
  return LoadPlan{tag, connections,
                  connections == 1 ? options.messages_one : options.messages_eight,
                  options.seconds};
}

class Benchmark {
 public:
  Benchmark(const Options& options, const fs::path& dir) : options_(options), dir_(dir) {}

  void floorPhases(const std::string& label, const std::string& tag) {
    for (bool preallocated : {false, true}) {
      for (int connections : options_.connections) {
        // A fresh file per phase, so that every phase writes its file the same way.
        std::string name = tag + (preallocated ? "p" : "a") + std::to_string(connections);
        FloorServer server(dir_ / (name + "-floor-frames"), connections > 1, preallocated);
        LoadPlan load = plan(options_, name, connections);
        Mark mark;
        LoadResult result = runLoad(server.port(), load);
        record(loadRow(label + (preallocated ? ", overwrite" : ", append") +
                           (connections > 1 ? ", group" : ""),
                       load, result, mark));
        std::error_code ignored;
        fs::remove(dir_ / (name + "-floor-frames"), ignored);
      }
    }
  }

  bool engineWithDelivery() {
    auto engine = startEngine(dir_ / "engine", true, options_.log_level, options_.deidentify);
    if (!engine) {
      return false;
    }
    record(memoryRow("engine started"));
    // Opens the WAL, warms caches and the destination directory; not a measurement.
    ingestAndDeliver(*engine, "warm-up", LoadPlan{"w", 1, 200, 0.0});
    for (int connections : options_.connections) {
      ingestAndDeliver(*engine, "ingest",
                       plan(options_, "i" + std::to_string(connections), connections));
    }
    sustained(*engine);
    DeliveryTotals totals = deliveryTotals(*engine);
    if (totals.failed_attempts > 0 || totals.dead > 0) {
      std::fprintf(stderr, "  delivery: %llu failed attempts, %llu dead\n",
                   static_cast<unsigned long long>(totals.failed_attempts),
                   static_cast<unsigned long long>(totals.dead));
    }
    if (const auto* journal = engine->journal()) {
      notes_.push_back(
          "journal (engine with delivery): " + std::to_string(journal->batchesCommitted()) +
          " batches in " + std::to_string(journal->transactionsCommitted()) + " transactions");
    }
    engine->stop();
    std::uintmax_t log_bytes = fs::file_size(dir_ / "engine" / "engine.log");
    std::uintmax_t db_bytes = directoryBytes(dir_ / "engine" / "data");
    notes_.push_back("engine with delivery: " + std::to_string(totals.delivered) +
                     " messages delivered; engine.log " +
                     fixed(static_cast<double>(log_bytes) / 1e6, 1) + " MB, data directory " +
                     fixed(static_cast<double>(db_bytes) / 1e6, 1) + " MB");
    engine.reset();
    record(memoryRow("engine stopped"));
    return true;
  }

  bool engineWithoutRoute() {
    auto engine = startEngine(dir_ / "engine-no-route", false, options_.log_level, false);
    if (!engine) {
      return false;
    }
    runAndRecord(*engine, "warm-up, no route", LoadPlan{"x", 1, 200, 0.0});
    for (int connections : options_.connections) {
      runAndRecord(*engine, "ingest, no route",
                   plan(options_, "n" + std::to_string(connections), connections));
    }
    engine->stop();
    return true;
  }

  const std::vector<Row>& rows() const { return rows_; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  void record(Row row) {
    printRow(row);
    rows_.push_back(std::move(row));
  }

  Row memoryRow(const std::string& phase) {
    Row row;
    row.phase = phase;
    row.memory = measureMemory();
    return row;
  }

  LoadResult runAndRecord(const Engine& engine, const std::string& phase, const LoadPlan& load) {
    Mark mark;
    LoadResult result = runLoad(engine.boundPort("in"), load);
    Row row = loadRow(phase, load, result, mark);
    row.backlog = backlogOf(engine);
    record(std::move(row));
    return result;
  }

  void ingestAndDeliver(const Engine& engine, const std::string& phase, const LoadPlan& load) {
    std::uint64_t before = deliveryTotals(engine).delivered;
    Mark mark;
    LoadResult result = runAndRecord(engine, phase, load);
    auto done = waitDelivered(engine, before + result.accepted);
    recordEndToEnd(engine, phase == "warm-up" ? "warm-up, delivered" : "end to end",
                   load.connections, result.accepted, mark, done);
  }

  void recordEndToEnd(const Engine& engine, const std::string& phase, int connections,
                      std::uint64_t messages, const Mark& mark,
                      std::optional<Clock::time_point> done) {
    Row row = endToEndRow(phase, connections, messages, mark, done);
    row.backlog = backlogOf(engine);
    record(std::move(row));
  }

  // Rounds of 8 connections back to back, the delivery backlog left to grow between them; then
  // the backlog drains. RSS after each round shows whether memory stays flat.
  void sustained(const Engine& engine) {
    if (options_.sustained_rounds <= 0) {
      return;
    }
    int connections = options_.connections.back();
    std::uint64_t before = deliveryTotals(engine).delivered;
    Mark mark;
    std::uint64_t accepted = 0;
    for (int round = 1; round <= options_.sustained_rounds; ++round) {
      LoadResult result = runAndRecord(
          engine,
          "sustained " + std::to_string(round) + "/" + std::to_string(options_.sustained_rounds),
          plan(options_, "s" + std::to_string(round), connections));
      accepted += result.accepted;
    }
    auto done = waitDelivered(engine, before + accepted);
    recordEndToEnd(engine, "sustained, end to end", connections, accepted, mark, done);
  }

  static std::uintmax_t directoryBytes(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) {
        total += entry.file_size();
      }
    }
    return total;
  }

  const Options& options_;
  fs::path dir_;
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
};

std::string filesystemOf(const fs::path& path) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, mount_point, type, best_type;
  std::size_t best = 0;
  std::string line;
  std::string target = fs::canonical(path).string();
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    fields >> device >> mount_point >> type;
    bool covers = target.rfind(mount_point, 0) == 0 &&
                  (mount_point == "/" || target.size() == mount_point.size() ||
                   target[mount_point.size()] == '/');
    if (covers && mount_point.size() >= best) {
      best = mount_point.size();
      best_type = type + " on " + device;
    }
  }
  return best_type.empty() ? "unknown" : best_type;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parseOptions(argc, argv);
  if (!options) {
    printUsage();
    return 2;
  }
  try {
    TempDir dir(options->base, options->keep);
    std::string sample = syntheticAdtFrame("B0-0", 0);
    std::printf("MLLP ingest benchmark: %u cores, load average %s; files in %s (%s)\n",
                std::thread::hardware_concurrency(), loadAverage().c_str(), dir.path().c_str(),
                filesystemOf(dir.path()).c_str());
    std::printf("message: synthetic ADT^A01, %zu bytes framed; ", sample.size());
    if (options->seconds > 0) {
      std::printf("%.1f s per load phase; ", options->seconds);
    } else {
      std::printf("%llu messages on 1 connection, %llu per connection on several; ",
                  static_cast<unsigned long long>(options->messages_one),
                  static_cast<unsigned long long>(options->messages_eight));
    }
    std::printf("engine log level %s\n", options->log_level.c_str());
    std::printf(
        "msg/s counts AA only (durable, encrypted); latency is send to ACK per message;\n"
        "cpu us/m is process CPU per message, srv us/m the same without the client "
        "threads\n\n");
    printTableHeader();

    Benchmark benchmark(*options, dir.path());
    if (options->floor) {
      benchmark.floorPhases("floor", "f");
    }
    // Ingest alone first, next to the floor; then ingest with delivery competing for the
    // journal and the disk, end to end, and the sustained rounds.
    bool ok = true;
    if (options->no_route) {
      ok = benchmark.engineWithoutRoute();
    }
    if (ok && options->engine) {
      ok = benchmark.engineWithDelivery();
    }
    if (options->floor && options->floor_again) {
      benchmark.floorPhases("floor again", "g");
    }

    printSyncTable(benchmark.rows());
    std::printf("\nload average at the end: %s\n", loadAverage().c_str());
    for (const std::string& note : benchmark.notes()) {
      std::printf("%s\n", note.c_str());
    }
    if (options->keep) {
      std::printf("kept %s\n", dir.path().c_str());
    }
    return ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "mllp_ingest_bench: %s\n", error.what());
    return 1;
  }
}
