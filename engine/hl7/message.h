#pragma once

// An HL7 v2.x message held losslessly. The parsed form keeps the original bytes and the
// positions of segments, fields, repetitions and components inside them, so that an unmodified
// message serializes back to exactly the bytes it came from. Typed access by path
// ("PID-5.1", "PID-3[2].1", "OBX[3]-5", "OBX[*]-5") returns decoded text (escape sequences
// resolved, transcoded to UTF-8 from the charset named in MSH-18).
//
// Thread-safety: a const Message may be read from several threads; set() needs exclusive access.
//
// How real feeds are read (details in message_scanner.cpp):
// - Delimiters come from MSH-1 and MSH-2; a fifth MSH-2 character is the v2.7 truncation
//   character. A character MSH-2 repeats is skipped ("^~\\&" reads as "^~\&"). Delimiters
//   MSH-2 leaves out are '\0' in delimiters() and match no data byte.
// - A CR, LF or CRLF ends a segment when the next line starts like a segment (an upper-case id,
//   then the field separator or a line end) or the message ends; otherwise the line break is
//   data of a wrapped value. Blank lines belong to the terminator before them; a leading UTF-8
//   BOM and leading blank lines are kept. A second MSH is a ParseError (split files first, see
//   message_splitter.h).
// - MSH-18 "UNICODE UTF-8" must be valid UTF-8 (else InvalidMessage); "8859/1" is transcoded;
//   "8859/2" to "8859/9" and "8859/15" go through iconv; empty, "ASCII" and "UNICODE" read 8-bit
//   bytes as UTF-8 when all of them form UTF-8, else as ISO-8859-1. Other values parse and route
//   unchanged, but get() of non-ASCII text fails with Unsupported.
// - get() returns the HL7 null value "" as those two characters.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace ferry::engine::hl7 {

struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = '\0';  // v2.7 fifth encoding character ('#'), '\0' when absent
};

// Limits enforced while parsing so that hostile input cannot exhaust the engine.
struct ParseLimits {
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  std::size_t max_segments = 50000;
  std::size_t max_fields_per_segment = 2000;
  std::size_t max_repetitions_per_field = 2000;
  std::size_t max_components = 500;
  std::size_t max_subcomponents = 500;
};

// Where a parse or validation problem was found. Indexes are 1-based; 0 means "not known".
struct ErrorLocation {
  std::string segment_id;         // "PID"; empty when the segment could not be identified
  std::size_t segment_index = 0;  // position of the segment in the message
  std::size_t field = 0;          // HL7 field number (MSH-1 is the field separator)
  std::size_t repetition = 0;
  std::size_t component = 0;
  std::size_t byte_offset = 0;  // offset from the start of the message bytes
};

// "segment 3 (PID), field 5, repetition 2, component 1, byte 123", leaving out what is 0 or
// empty. Holds positions only, never content, so it may go into logs, errors and ACKs.
std::string describeLocation(const ErrorLocation& location);

class Message {
 public:
  // Parses one message (starting with MSH). On failure the Status names segment, field and
  // offset but never field content; `location`, when given, receives the same position.
  static Result<Message> parse(std::string_view bytes, const ParseLimits& limits = {},
                               ErrorLocation* location = nullptr);

  // The message as bytes: identical to the parsed input unless set() changed it.
  std::string serialize() const;

  const Delimiters& delimiters() const;
  // "\r", "\n" or "\r\n": what the input used between segments.
  std::string_view segmentTerminator() const;

  std::size_t segmentCount() const;
  // Segment id ("MSH", "PID") of the segment at 0-based `index`; empty when out of range.
  std::string_view segmentId(std::size_t index) const;

  // Decoded value at `path`; std::nullopt when the element is absent or empty. A malformed
  // path is an error. A path without a component returns the whole field with its delimiters
  // decoded only inside components (as text a person would read, components joined by the
  // component delimiter).
  Result<std::optional<std::string>> get(std::string_view path) const;
  // Every value matching a path with [*] wildcards, in message order, absent ones skipped.
  Result<std::vector<std::string>> getAll(std::string_view path) const;
  // One entry per repetition of the field `path` addresses, in order, std::nullopt where that
  // repetition has no value at the path's component and subcomponent; empty when the field is.
  // The path names one segment occurrence; its field repetition is ignored ("PID-3[*].1" reads
  // well). Reads the field once, so it stays linear however many repetitions there are.
  Result<std::vector<std::optional<std::string>>> getPerRepetition(std::string_view path) const;
  // Sets the element at `path` (creating segments' missing fields and components), escaping
  // delimiter characters in `value`.
  Status set(std::string_view path, std::string_view value);

  // Header shortcuts (decoded; empty when absent).
  std::string controlId() const;             // MSH-10
  std::string messageCode() const;           // MSH-9.1, e.g. "ADT"
  std::string triggerEvent() const;          // MSH-9.2, e.g. "A01"
  std::string messageStructure() const;      // MSH-9.3
  std::string version() const;               // MSH-12.1
  std::string sendingApplication() const;    // MSH-3.1
  std::string sendingFacility() const;       // MSH-4.1
  std::string receivingApplication() const;  // MSH-5.1
  std::string receivingFacility() const;     // MSH-6.1
  std::string processingId() const;          // MSH-11.1
  std::string acceptAckType() const;         // MSH-15
  std::string applicationAckType() const;    // MSH-16
  std::string charset() const;               // MSH-18 (first repetition)

  // Raw access for code that forwards or rewrites bytes (ACK builder, wire framing). Views stay
  // valid until the message is changed, moved from or destroyed.
  //
  // All bytes of the message, as serialize() would return them.
  std::string_view raw() const;
  // The bytes of the segment at 0-based `index` without its terminator; empty when out of range.
  std::string_view rawSegment(std::size_t index) const;
  // The raw bytes of field `field` (HL7 numbering, all repetitions, escapes unresolved) in the
  // segment at 0-based `segment_index`; empty when absent. MSH-1 is the field separator.
  std::string_view rawField(std::size_t segment_index, std::size_t field) const;
  // Number of repetitions of `field` in the segment at 0-based `segment_index`; 0 when absent.
  std::size_t repetitionCount(std::size_t segment_index, std::size_t field) const;
  // Every field of the segment at 0-based `segment_index` as raw bytes, by HL7 number:
  // fields[0] is the segment id, fields[f] what rawField(segment_index, f) returns (for MSH,
  // fields[1] is the field separator), up to the last field present, trailing empty fields
  // included. Cleared when out of range. For code that rewrites every field of a segment
  // (stripping, de-identification): one call instead of one rawField() per field.
  void rawFields(std::size_t segment_index, std::vector<std::string_view>& fields) const;

  // Implementation state is private to engine/hl7 (message_data.h). Copies are deep; moved-from
  // messages read as empty.
  Message();
  ~Message();
  Message(const Message&);
  Message& operator=(const Message&);
  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ferry::engine::hl7
