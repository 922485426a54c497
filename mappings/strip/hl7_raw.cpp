#include "mappings/strip/hl7_raw.h"

#include <cstring>

namespace ferry::mappings::strip {

namespace {

int definedOrNone(char delimiter) {
  // Message::delimiters() shows a delimiter MSH-2 leaves out as '\0'.
  return delimiter == '\0' ? -1 : static_cast<unsigned char>(delimiter);
}

}  // namespace

RawDelimiters RawDelimiters::of(const engine::hl7::Message& message) {
  const engine::hl7::Delimiters& d = message.delimiters();
  RawDelimiters raw;
  raw.field = d.field;
  raw.component = definedOrNone(d.component);
  raw.repetition = definedOrNone(d.repetition);
  raw.subcomponent = definedOrNone(d.subcomponent);
  return raw;
}

RawMessage::RawMessage(const engine::hl7::Message& message)
    : message_(message), delimiters_(RawDelimiters::of(message)) {
  const std::string_view all = message.raw();
  const std::size_t count = message.segmentCount();
  segments_.reserve(count);
  // Few distinct ids per message: a small vector beats a map here.
  std::vector<std::pair<std::string_view, std::size_t>> seen;
  for (std::size_t i = 0; i < count; ++i) {
    RawSegment segment;
    segment.bytes = message.rawSegment(i);
    segment.id = message.segmentId(i);
    const std::size_t begin = static_cast<std::size_t>(segment.bytes.data() - all.data());
    const std::size_t end = begin + segment.bytes.size();
    std::size_t next = all.size();
    if (i + 1 < count) {
      next = static_cast<std::size_t>(message.rawSegment(i + 1).data() - all.data());
    }
    segment.gap = all.substr(end, next - end);
    if (i == 0) {
      prefix_ = all.substr(0, begin);
    }
    std::size_t occurrence = 1;
    bool found = false;
    for (auto& [id, counter] : seen) {
      if (id == segment.id) {
        occurrence = ++counter;
        found = true;
        break;
      }
    }
    if (!found) {
      seen.emplace_back(segment.id, 1);
    }
    segment.occurrence = occurrence;
    segment.index = i;
    segments_.push_back(segment);
  }
}

void RawMessage::fields(const RawSegment& segment, std::vector<std::string_view>& fields) const {
  message_.rawFields(segment.index, fields);
}

void splitPieces(std::string_view text, int delimiter, std::vector<std::string_view>& pieces) {
  pieces.clear();
  if (delimiter < 0) {
    pieces.push_back(text);
    return;
  }
  const char c = static_cast<char>(delimiter);
  std::size_t start = 0;
  while (true) {
    const void* hit =
        text.size() > start ? std::memchr(text.data() + start, c, text.size() - start) : nullptr;
    if (hit == nullptr) {
      pieces.push_back(text.substr(start));
      return;
    }
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    pieces.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

void splitFields(const RawSegment& segment, char field_separator,
                 std::vector<std::string_view>& fields) {
  splitPieces(segment.bytes, static_cast<unsigned char>(field_separator), fields);
  if (segment.id == "MSH" && !fields.empty()) {
    // The separator after "MSH" is MSH-1 itself; HL7 numbers MSH-2 as field 2.
    fields.insert(fields.begin() + 1, segment.bytes.substr(3, 1));
  }
}

bool hasContent(std::string_view text, const RawDelimiters& delimiters) {
  for (char c : text) {
    const int byte = static_cast<unsigned char>(c);
    if (byte != delimiters.component && byte != delimiters.subcomponent &&
        byte != delimiters.repetition) {
      return true;
    }
  }
  return false;
}

void SegmentWriter::begin(std::string_view id, std::string_view msh2) {
  out_.append(id);
  written_ = 0;
  if (id == "MSH") {
    out_.push_back(delimiters_.field);
    out_.append(msh2);
    written_ = 2;
  }
}

void SegmentWriter::field(std::size_t number, std::string_view value) {
  if (value.empty() || number <= written_) {
    return;
  }
  out_.append(number - written_, delimiters_.field);
  out_.append(value);
  written_ = number;
}

void trimTrailing(std::string& out, std::size_t floor, int delimiter) {
  if (delimiter < 0) {
    return;
  }
  const char c = static_cast<char>(delimiter);
  std::size_t size = out.size();
  while (size > floor && out[size - 1] == c) {
    --size;
  }
  out.resize(size);
}

}  // namespace ferry::mappings::strip
