#pragma once

// Internal to engine/hl7: the parsed form behind Message. The bytes are kept as received; the
// scan records where each segment and each field starts, so that reads find their element by
// offsets and an unmodified message serializes back to exactly its input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"
#include "engine/hl7/path.h"
#include "engine/hl7/text_codec.h"
#include "engine/status.h"

namespace ferry::engine::hl7 {

namespace detail {

struct SegmentInfo {
  std::uint32_t begin = 0;          // offset of the segment id
  std::uint32_t end = 0;            // end of the content; the terminator starts here
  std::uint32_t next = 0;           // end of the terminator and any blank lines after it
  std::uint32_t first_element = 0;  // index of its first element in MessageData::elements
  std::uint32_t element_count = 0;  // fields after the segment id (for MSH: MSH-2 onwards)
  std::array<char, 3> id{};

  std::string_view idView() const { return {id.data(), id.size()}; }
};

struct MessageData {
  std::string bytes;
  std::uint32_t prefix = 0;  // UTF-8 BOM and whitespace before "MSH"
  DelimiterSet delimiters;
  Delimiters public_delimiters;  // the same, as Message::delimiters() shows them
  CharsetInfo charset;
  bool latin1_fallback = false;  // Lenient charset and some 8-bit text is not UTF-8
  ParseLimits limits;
  std::vector<SegmentInfo> segments;
  std::vector<std::uint32_t> elements;  // start offset of each element after a segment id
  std::string_view terminator = "\r";

  TextEncoding encoding() const {
    switch (charset.kind) {
      case CharsetKind::Lenient:
        return latin1_fallback ? TextEncoding::Latin1 : TextEncoding::Utf8;
      case CharsetKind::Utf8:
        return TextEncoding::Utf8;
      case CharsetKind::Latin1:
        return TextEncoding::Latin1;
      case CharsetKind::SingleByte:
        return TextEncoding::SingleByte;
      case CharsetKind::Unsupported:
        return TextEncoding::Unsupported;
    }
    return TextEncoding::Unsupported;
  }
};

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool empty() const { return begin == end; }
};

// Scans `bytes` into a MessageData (message_scanner.cpp). Errors fill `location` when given.
Result<MessageData> parseData(std::string_view bytes, const ParseLimits& limits,
                              ErrorLocation* location);

// Element `k` (1-based, after the id) of segment `s`.
Span elementSpan(const MessageData& d, const SegmentInfo& s, std::size_t k);

// 0-based indexes of the segments a path selects, in message order.
std::vector<std::size_t> selectSegments(const MessageData& d, const Path& path);

struct Piece {
  bool found = false;
  Span span;
  std::size_t count = 0;  // pieces in the whole span
};

// The `n`th (1-based) piece of `span` split at `delimiter` (-1: not split).
Piece nthPiece(const std::string& bytes, Span span, int delimiter, std::size_t n);

}  // namespace detail

struct Message::State {
  detail::MessageData data;
};

}  // namespace ferry::engine::hl7
