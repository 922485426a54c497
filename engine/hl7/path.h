#pragma once

// Paths that address parts of an HL7 v2 message: SEG[segRep]-field[rep].component.subcomponent,
// all 1-based, e.g. "PID-5.1", "PID-3[2].1", "OBX[3]-5", "OBX[*]-5", "PID-3[*].1", "MSH-9.2".
// A segment repetition counts occurrences of that segment id in the message. [*] (in the
// segment or field repetition position only) matches every occurrence. For MSH, field numbers
// follow HL7: MSH-1 is the field separator and MSH-2 the encoding characters.
//
// Route and mapping configuration can check its paths with parsePath() at load time.

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ferry::engine::hl7 {

// Stands for [*] in Path::segment_repetition and Path::repetition.
inline constexpr std::size_t kEveryRepetition = std::numeric_limits<std::size_t>::max();

struct Path {
  std::string segment;                 // three characters, "PID"
  std::size_t segment_repetition = 1;  // 1-based occurrence, or kEveryRepetition
  std::size_t field = 0;               // 1-based
  std::size_t repetition = 1;          // 1-based, or kEveryRepetition
  std::size_t component = 0;           // 1-based; 0 when the path stops at the field
  std::size_t subcomponent = 0;        // 1-based; 0 when the path stops above it

  bool hasWildcard() const {
    return segment_repetition == kEveryRepetition || repetition == kEveryRepetition;
  }
};

// Parses `text`; a malformed path is a ConfigError whose context quotes the path (paths come
// from configuration, never from message content). Numbers above 999999 are refused.
Result<Path> parsePath(std::string_view text);

// Canonical text of a path ("PID[1]-3[2].1" is written "PID-3[2].1").
std::string formatPath(const Path& path);

}  // namespace ferry::engine::hl7
