#pragma once

// Minimum necessary for HL7 v2: a strip profile keeps only the listed parts of a message
// (allow-list) or removes the listed parts (deny-list). Entries are engine paths (path.h) that
// may stop at any level:
//   "NK1"          every NK1 segment          "OBX[2]"      the second OBX segment only
//   "PID-3"        every repetition of PID-3   "PID-3[2]"    its second repetition only
//   "PID-5.1"      component 1, every repetition  "PID-5.1.2" a subcomponent
//   "OBX[*]-5"     same as "OBX-5": without [n] a segment or field means every occurrence.
// The message header stays usable whatever the profile says: MSH itself, MSH-1 and MSH-2 (the
// delimiters), MSH-9 (type), MSH-10 (control id) and MSH-12 (version) are always kept, so the
// output still parses, routes and can be acknowledged. A deny-list naming them is refused.
//
// Removed repetitions are dropped (later ones move up); removed components and subcomponents
// leave an empty place so that the ones after them keep their numbers; trailing empty pieces
// are trimmed. Kept pieces are copied byte for byte.
//
// Thread-safety: immutable after create(); apply() may run on several threads at once.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"
#include "engine/status.h"
#include "mappings/strip/action_list.h"
#include "mappings/strip/strip_mode.h"

namespace ferry::mappings::strip {

struct Hl7StripPath {
  std::string text;                    // as configured, for error messages
  std::string segment;                 // "PID"
  std::size_t segment_occurrence = 0;  // 1-based; 0 for every occurrence
  std::size_t field = 0;               // 0 for the whole segment
  std::size_t repetition = 0;          // 1-based; 0 for every repetition
  std::size_t component = 0;           // 0 for the whole repetition
  std::size_t subcomponent = 0;        // 0 for the whole component
};

// Parses one profile entry. Errors (ConfigError) quote the entry, which comes from config.
engine::Result<Hl7StripPath> parseHl7StripPath(std::string_view text);

class Hl7StripProfile {
 public:
  // Refuses (ConfigError, naming the entry) a deny-list entry that would remove MSH or one of
  // the header fields kept always.
  static engine::Result<Hl7StripProfile> create(StripMode mode, std::vector<Hl7StripPath> paths);

  StripMode mode() const { return mode_; }

  // The stripped message bytes; each removed non-empty piece is recorded in `actions` by path
  // ("removed NK1", "removed PID-5", "removed PID-3[2]", "removed PID-5.2").
  std::string apply(const engine::hl7::Message& message, ActionList& actions) const;

 private:
  StripMode mode_ = StripMode::Allow;
  std::vector<Hl7StripPath> paths_;
  // Indexes into paths_ by segment id.
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_segment_;
};

}  // namespace ferry::mappings::strip
