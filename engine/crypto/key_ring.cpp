#include "engine/crypto/key_ring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>

#include <openssl/crypto.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "engine/crypto/digest.h"
#include "engine/io/file_descriptor.h"

namespace ferry::engine::crypto {
namespace {

using io::FileDescriptor;

// A key file is a few hundred bytes; anything far larger is not one.
constexpr off_t kMaxKeyFileSize = 64 * 1024;
constexpr std::size_t kMaxKeyIdLength = 64;

// Overwrites a buffer that held key material when it goes out of scope.
class ScrubOnExit {
 public:
  explicit ScrubOnExit(std::string& buffer) : buffer_(buffer) {}
  ~ScrubOnExit() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }
  ScrubOnExit(const ScrubOnExit&) = delete;
  ScrubOnExit& operator=(const ScrubOnExit&) = delete;

 private:
  std::string& buffer_;
};

Status keyError(const std::string& path, const std::string& rule) {
  return Status(ErrorCode::KeyError, "key file '" + path + "': " + rule);
}

Status keyErrno(const std::string& path, const std::string& what, int error) {
  return keyError(path, what + ": " + std::strerror(error));
}

std::string modeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool decodeKey(std::string_view hex, Key256& key) {
  if (hex.size() != key.size() * 2) {
    return false;
  }
  for (std::size_t i = 0; i < key.size(); ++i) {
    int high = hexValue(hex[2 * i]);
    int low = hexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return false;
    }
    key[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return true;
}

// Names a member the format does not know. A long name is not repeated: a mangled file could
// carry a key where a name belongs.
std::string describeUnknownMember(std::string_view name) {
  constexpr std::size_t kMaxQuotedName = 32;
  if (name.size() > kMaxQuotedName) {
    return "has an unknown member with a long name";
  }
  return "has an unknown member \"" + std::string(name) + "\"";
}

bool isValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdLength) {
    return false;
  }
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    if (!allowed) {
      return false;
    }
  }
  return true;
}

// Reads the key members of a parsed document into maps, naming the JSON path of the first
// problem. Values are never quoted in the messages.
class KeyFileReader {
 public:
  explicit KeyFileReader(const std::string& path) : path_(path) {}

  Status readKeyList(const rapidjson::Value& root, const char* member,
                     std::map<std::string, Key256>& keys) const {
    auto found = root.FindMember(member);
    std::string where = std::string("/") + member;
    if (found == root.MemberEnd()) {
      return keyError(path_, where + " is required");
    }
    if (!found->value.IsArray() || found->value.Empty()) {
      return keyError(path_, where + " must be a non-empty array");
    }

    rapidjson::SizeType index = 0;
    for (const auto& entry : found->value.GetArray()) {
      std::string at = where + "/" + std::to_string(index++);
      if (!entry.IsObject()) {
        return keyError(path_, at + " must be an object with \"id\" and \"key\"");
      }
      for (const auto& field : entry.GetObject()) {
        std::string_view name(field.name.GetString(), field.name.GetStringLength());
        if (name != "id" && name != "key") {
          return keyError(path_, at + ": " + describeUnknownMember(name));
        }
      }

      auto id = entry.FindMember("id");
      if (id == entry.MemberEnd() || !id->value.IsString() ||
          !isValidKeyId(std::string_view(id->value.GetString(), id->value.GetStringLength()))) {
        return keyError(path_, at + "/id must be 1 to 64 characters of [A-Za-z0-9._-]");
      }
      std::string key_id(id->value.GetString(), id->value.GetStringLength());

      Key256 key{};
      Status decoded = readKey(entry, "key", at + "/key", key);
      if (!decoded.isOk()) {
        return decoded;
      }
      if (!keys.emplace(key_id, key).second) {
        return keyError(path_, at + "/id repeats an id listed earlier");
      }
      OPENSSL_cleanse(key.data(), key.size());
    }
    return Status::ok();
  }

  Status readKey(const rapidjson::Value& object, const char* member, const std::string& where,
                 Key256& key) const {
    auto found = object.FindMember(member);
    if (found == object.MemberEnd()) {
      return keyError(path_, where + " is required");
    }
    if (!found->value.IsString() ||
        !decodeKey(std::string_view(found->value.GetString(), found->value.GetStringLength()),
                   key)) {
      return keyError(path_, where + " must be 64 hex digits (a 256-bit key)");
    }
    return Status::ok();
  }

  Status readActiveId(const rapidjson::Value& root, const char* member,
                      const std::map<std::string, Key256>& keys, std::string& id) const {
    auto found = root.FindMember(member);
    std::string where = std::string("/") + member;
    if (found == root.MemberEnd() || !found->value.IsString()) {
      return keyError(path_, where + " is required and must be a string");
    }
    id.assign(found->value.GetString(), found->value.GetStringLength());
    if (keys.find(id) == keys.end()) {
      return keyError(path_, where + " names a key id that is not listed");
    }
    return Status::ok();
  }

 private:
  const std::string& path_;
};

Status checkTopLevelMembers(const std::string& path, const rapidjson::Value& root) {
  static constexpr std::string_view kKnown[] = {"payload_keys", "active_payload_key", "audit_keys",
                                                "active_audit_key", "index_key"};
  for (const auto& member : root.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    bool known = false;
    for (std::string_view candidate : kKnown) {
      known = known || candidate == name;
    }
    if (!known) {
      return keyError(path, describeUnknownMember(name));
    }
  }
  return Status::ok();
}

std::string randomKeyHex() {
  Key256 key{};
  if (!randomBytes(key.data(), key.size())) {
    return {};
  }
  std::string hex = toHex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  OPENSSL_cleanse(key.data(), key.size());
  return hex;
}

std::string randomIdSuffix() {
  std::uint8_t bytes[4];
  if (!randomBytes(bytes, sizeof bytes)) {
    return {};
  }
  return toHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// The text of a new key file, or an empty string when the random generator failed.
std::string newKeyFileText() {
  std::string payload_id = "k-" + randomIdSuffix();
  std::string audit_id = "a-" + randomIdSuffix();
  std::string payload_key = randomKeyHex();
  std::string audit_key = randomKeyHex();
  std::string index_key = randomKeyHex();
  ScrubOnExit scrub_payload(payload_key);
  ScrubOnExit scrub_audit(audit_key);
  ScrubOnExit scrub_index(index_key);
  if (payload_id.size() == 2 || audit_id.size() == 2 || payload_key.empty() || audit_key.empty() ||
      index_key.empty()) {
    return {};
  }

  // Reserved up front so that no reallocation leaves a copy of the keys in freed memory.
  std::string text;
  text.reserve(1024);
  text += "{\n  \"payload_keys\": [{\"id\": \"" + payload_id + "\", \"key\": \"";
  text += payload_key;
  text += "\"}],\n  \"active_payload_key\": \"" + payload_id + "\",\n";
  text += "  \"audit_keys\": [{\"id\": \"" + audit_id + "\", \"key\": \"";
  text += audit_key;
  text += "\"}],\n  \"active_audit_key\": \"" + audit_id + "\",\n";
  text += "  \"index_key\": \"";
  text += index_key;
  text += "\"\n}\n";
  return text;
}

Status writeAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return keyErrno(path, "cannot write new key file", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::ok();
}

Status syncDirectory(const std::string& dir, const std::string& path) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return keyErrno(path, "cannot sync the key file's directory", errno);
  }
  return Status::ok();
}

// Moves `from` to `to` unless `to` exists. Returns false with errno EEXIST when it does.
bool moveWithoutReplacing(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
    return false;
  }
  // Filesystems without RENAME_NOREPLACE: a hard link fails the same way when `to` exists.
  if (::link(from.c_str(), to.c_str()) != 0) {
    return false;
  }
  ::unlink(from.c_str());
  return true;
}

// Writes a fresh key file at `path`. Succeeds also when another process created it meanwhile.
Status createKeyFile(const std::string& path) {
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  std::string suffix = randomIdSuffix();
  if (suffix.empty()) {
    return keyError(path, "the random number generator failed");
  }
  std::string temp = path + ".tmp-" + suffix;

  std::string text = newKeyFileText();
  ScrubOnExit scrub(text);
  if (text.empty()) {
    return keyError(path, "the random number generator failed");
  }

  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return keyErrno(path, "cannot create a temporary file beside it", errno);
  }
  // The umask can only clear bits; this makes the mode exactly 0600 whatever it is.
  Status written = ::fchmod(fd.get(), 0600) == 0
                       ? writeAll(fd.get(), text, path)
                       : keyErrno(path, "cannot set mode 0600 on the new file", errno);
  if (written.isOk() && ::fsync(fd.get()) != 0) {
    written = keyErrno(path, "cannot sync the new key file", errno);
  }
  if (written.isOk() && !fd.close()) {
    written = keyErrno(path, "cannot close the new key file", errno);
  }
  if (!written.isOk()) {
    ::unlink(temp.c_str());
    return written;
  }

  if (!moveWithoutReplacing(temp, path)) {
    int error = errno;
    ::unlink(temp.c_str());
    if (error != EEXIST) {
      return keyErrno(path, "cannot move the new key file into place", error);
    }
  }
  return syncDirectory(dir, path);
}

}  // namespace

KeyRing::~KeyRing() {
  for (auto& [id, key] : payload_keys_) {
    OPENSSL_cleanse(key.data(), key.size());
  }
  for (auto& [id, key] : audit_keys_) {
    OPENSSL_cleanse(key.data(), key.size());
  }
  OPENSSL_cleanse(index_key_.data(), index_key_.size());
}

const Key256* KeyRing::payloadKey(const std::string& id) const {
  auto found = payload_keys_.find(id);
  return found == payload_keys_.end() ? nullptr : &found->second;
}

const Key256* KeyRing::auditKey(const std::string& id) const {
  auto found = audit_keys_.find(id);
  return found == audit_keys_.end() ? nullptr : &found->second;
}

Result<std::shared_ptr<const KeyRing>> KeyRing::loadOrCreate(const std::string& path,
                                                             bool create_if_missing) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT && create_if_missing) {
    Status created = createKeyFile(path);
    if (!created.isOk()) {
      return created;
    }
    return loadOrCreate(path, false);
  }
  if (fd.get() < 0) {
    return keyErrno(path, "cannot open", errno);
  }

  // Checked on the open descriptor, so the file judged is the file read.
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return keyErrno(path, "cannot stat", errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return keyError(path, "is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    return keyError(path, "must not be readable or writable by group or others (mode is " +
                              modeText(info.st_mode) + "; use chmod 600)");
  }
  if (info.st_size > kMaxKeyFileSize) {
    return keyError(path, "is larger than a key file can be (64 KiB)");
  }

  std::string text(static_cast<std::size_t>(info.st_size) + 1, '\0');
  ScrubOnExit scrub(text);
  std::size_t filled = 0;
  while (filled + 1 < text.size()) {
    ssize_t got = ::read(fd.get(), text.data() + filled, text.size() - 1 - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return keyErrno(path, "cannot read", errno);
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  text[filled] = '\0';

  // Parsed in place so that decoded strings stay inside `text`, which is scrubbed afterwards.
  rapidjson::Document document;
  document.ParseInsitu(text.data());
  if (document.HasParseError()) {
    return keyError(path, std::string("is not valid JSON (") +
                              rapidjson::GetParseError_En(document.GetParseError()) +
                              " at offset " + std::to_string(document.GetErrorOffset()) + ")");
  }
  if (!document.IsObject()) {
    return keyError(path, "must hold a JSON object");
  }
  Status members = checkTopLevelMembers(path, document);
  if (!members.isOk()) {
    return members;
  }

  auto ring = std::make_shared<KeyRing>();
  KeyFileReader reader(path);
  Status step = reader.readKeyList(document, "payload_keys", ring->payload_keys_);
  if (step.isOk()) {
    step = reader.readKeyList(document, "audit_keys", ring->audit_keys_);
  }
  if (step.isOk()) {
    step = reader.readActiveId(document, "active_payload_key", ring->payload_keys_,
                               ring->active_payload_);
  }
  if (step.isOk()) {
    step =
        reader.readActiveId(document, "active_audit_key", ring->audit_keys_, ring->active_audit_);
  }
  if (step.isOk()) {
    step = reader.readKey(document, "index_key", "/index_key", ring->index_key_);
  }
  if (!step.isOk()) {
    return step;
  }
  return std::shared_ptr<const KeyRing>(std::move(ring));
}

}  // namespace ferry::engine::crypto
