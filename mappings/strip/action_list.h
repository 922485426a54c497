#pragma once

// The "what was done" list of a strip or de-identification transform, for the audit record and
// dry runs: one entry a path ("removed PID-5", "generalised PID-7 to year"), in the order first
// seen, never a value. Paths carry no segment occurrence or array index, so that forty OBX
// segments give one "removed OBX-16", not forty.
//
// Thread-safety: one list per apply() call; not shared.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ferry::mappings::strip {

class ActionList {
 public:
  // Adds "<verb> <path><suffix>" unless it is already listed.
  void add(std::string_view verb, std::string_view path, std::string_view suffix = {}) {
    std::string entry;
    entry.reserve(verb.size() + path.size() + suffix.size() + 1);
    entry.append(verb).append(" ").append(path).append(suffix);
    if (seen_.insert(entry).second) {
      entries_.push_back(std::move(entry));
    }
  }

  // For callers that name paths by a compact key of their own (cheaper than building the text
  // for every occurrence): true the first time `key` is seen. `key` must not be 0. Keys and
  // texts are separate spaces; a caller uses one or the other for a given kind of entry.
  bool firstTime(std::uint64_t key) {
    if (slots_.size() < 2 * (used_ + 1)) {
      grow();
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == key) {
        return false;
      }
      if (slots_[i] == 0) {
        slots_[i] = key;
        ++used_;
        return true;
      }
    }
  }
  // Appends an entry already known to be new (see firstTime()).
  void append(std::string entry) {
    if (entries_.empty()) {
      entries_.reserve(32);
    }
    entries_.push_back(std::move(entry));
  }

  bool empty() const { return entries_.empty(); }
  const std::vector<std::string>& entries() const { return entries_; }
  std::vector<std::string> take() { return std::move(entries_); }

 private:
  static std::size_t mix(std::uint64_t key) {
    key ^= key >> 31;
    key *= 0x9e3779b97f4a7c15ULL;
    return static_cast<std::size_t>(key ^ (key >> 29));
  }

  // An open-addressing set of keys (0 marks a free slot), kept at most half full.
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 128 : old.size() * 2, 0);
    used_ = 0;
    for (std::uint64_t key : old) {
      if (key != 0) {
        firstTime(key);
      }
    }
  }

  std::vector<std::string> entries_;
  std::unordered_set<std::string> seen_;
  std::vector<std::uint64_t> slots_;
  std::size_t used_ = 0;
};

}  // namespace ferry::mappings::strip
