#pragma once

// An HL7 v2.x message held losslessly. The parsed form keeps the original bytes and the
// positions of segments, fields, repetitions and components inside them, so that an unmodified
// message serializes back to exactly the bytes it came from. Typed access by path
// ("PID-5.1", "PID-3[2].1", "OBX[3]-5", "OBX[*]-5") returns decoded text (escape sequences
// resolved, transcoded to UTF-8 from the charset named in MSH-18).
//
// Thread-safety: a const Message may be read from several threads; set() needs exclusive access.

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
  std::size_t byte_offset = 0;    // offset from the start of the message bytes
};

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
  // Sets the element at `path` (creating segments' missing fields and components), escaping
  // delimiter characters in `value`.
  Status set(std::string_view path, std::string_view value);

  // Header shortcuts (decoded; empty when absent).
  std::string controlId() const;            // MSH-10
  std::string messageCode() const;          // MSH-9.1, e.g. "ADT"
  std::string triggerEvent() const;         // MSH-9.2, e.g. "A01"
  std::string messageStructure() const;     // MSH-9.3
  std::string version() const;              // MSH-12.1
  std::string sendingApplication() const;   // MSH-3.1
  std::string sendingFacility() const;      // MSH-4.1
  std::string receivingApplication() const; // MSH-5.1
  std::string receivingFacility() const;    // MSH-6.1
  std::string processingId() const;         // MSH-11.1
  std::string acceptAckType() const;        // MSH-15
  std::string applicationAckType() const;   // MSH-16
  std::string charset() const;              // MSH-18 (first repetition)

  // Implementation state is private to message.cpp; declared in the .cpp via pimpl-free
  // members below so that copies stay cheap to reason about.
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
