#pragma once

// Splits the bytes of an HL7 v2 file into messages, and frames one message for an MLLP wire.
//
// A file may hold one message, several, or HL7 batches (FHS/BHS ... BTS/FTS envelopes, HL7 v2
// chapter 2, "Batch protocol"). The splitter cuts the file into parts that together are exactly
// the file: messages (from an MSH that starts a line to the next MSH or envelope segment),
// envelope segments, and other bytes (a leading UTF-8 BOM, blank lines, segments outside any
// message). Envelope problems are reported with line numbers and counts, never field values.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"
#include "engine/status.h"

namespace ferry::engine::hl7 {

enum class FilePartKind {
  Message,   // one message, MSH first, with the line breaks and blank lines after it
  Envelope,  // one FHS, BHS, BTS or FTS segment with its line break
  Other,     // BOM, blank lines outside messages, segments that belong to no message
};

struct FilePart {
  FilePartKind kind = FilePartKind::Other;
  std::string_view bytes;  // a view into the split input
  std::size_t offset = 0;  // of bytes.data() in the input
  std::size_t line = 1;    // 1-based line the part starts on
  std::string segment_id;  // for Envelope parts: "FHS", "BHS", "BTS" or "FTS"
};

enum class SplitSeverity { Warning, Error };

struct SplitIssue {
  SplitSeverity severity = SplitSeverity::Warning;
  std::size_t line = 0;  // 1-based
  std::string text;      // names lines, segment ids and counts only
};

struct SplitResult {
  std::vector<FilePart> parts;  // in file order; concatenated they are the input
  std::vector<SplitIssue> issues;

  // The Message parts' bytes, in file order.
  std::vector<std::string_view> messages() const;
  bool hasErrors() const;
};

// Splits `file`. Never fails: problems become issues. Errors are bytes that belong to no
// message and a file with no message at all; envelope inconsistencies (a BTS-1 or FTS-1 count
// that disagrees, a batch without its trailer) are warnings. Lines end at CR, LF or CRLF. The
// result's views point into `file`, which must outlive it.
SplitResult splitMessages(std::string_view file);

// The message as it goes on an MLLP wire: every segment ends with a single CR, the BOM, leading
// whitespace and trailing blank lines are dropped, and line breaks inside a segment (wrapped
// values) are written as the escapes \X0D\ and \X0A\. Fails when the message does not parse,
// or when it has such line breaks but defines no escape character.
Result<std::string> toWireFormat(std::string_view message, const ParseLimits& limits = {});

}  // namespace ferry::engine::hl7
