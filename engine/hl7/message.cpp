#include "engine/hl7/message.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/hl7/message_data.h"
#include "engine/hl7/path.h"
#include "engine/hl7/text_codec.h"

// Reading a message: a path selects a segment occurrence, then the field's raw span is cut into
// repetition, component and subcomponent by scanning for the delimiters inside that span only.
// Values are unescaped and transcoded to UTF-8 on the way out. Editing is in message_edit.cpp,
// scanning in message_scanner.cpp.

namespace ferry::engine::hl7 {

namespace detail {

// Element `k` (1-based, after the id) of a segment.
Span elementSpan(const MessageData& d, const SegmentInfo& s, std::size_t k) {
  const std::size_t begin = d.elements[s.first_element + k - 1];
  const std::size_t end = k < s.element_count ? d.elements[s.first_element + k] - 1 : s.end;
  return {begin, end};
}

// The `n`th (1-based) piece of `span` split at `delimiter`. `count` is only complete when the
// piece is not found.
Piece nthPiece(const std::string& bytes, Span span, int delimiter, std::size_t n) {
  Piece piece;
  if (delimiter < 0) {
    piece.count = 1;
    piece.found = n == 1;
    piece.span = span;
    return piece;
  }
  const char c = static_cast<char>(delimiter);
  std::size_t start = span.begin;
  std::size_t index = 1;
  for (std::size_t pos = span.begin;; ++pos) {
    if (pos == span.end || bytes[pos] == c) {
      if (index == n) {
        // Found: stop here, so that reading an early piece of a long field stays cheap.
        piece.found = true;
        piece.span = {start, pos};
        break;
      }
      if (pos == span.end) {
        break;
      }
      ++index;
      start = pos + 1;
    }
  }
  piece.count = index;
  return piece;
}

// 0-based indexes of the segments a path selects, in message order.
std::vector<std::size_t> selectSegments(const MessageData& d, const Path& path) {
  std::vector<std::size_t> selected;
  std::size_t occurrence = 0;
  for (std::size_t i = 0; i < d.segments.size(); ++i) {
    if (d.segments[i].idView() != path.segment) {
      continue;
    }
    ++occurrence;
    if (path.segment_repetition == kEveryRepetition) {
      selected.push_back(i);
    } else if (occurrence == path.segment_repetition) {
      selected.push_back(i);
      break;
    }
  }
  return selected;
}

}  // namespace detail

namespace {

using detail::DelimiterSet;
using detail::MessageData;
using detail::Piece;
using detail::SegmentInfo;
using detail::Span;

const MessageData& emptyData() {
  static const MessageData kEmpty;
  return kEmpty;
}

// Element number holding HL7 field `field` of segment `index` (MSH-2 is element 1 of MSH), or
// 0 when absent. MSH-1 has no element; callers treat it apart.
std::size_t elementOf(const MessageData& d, std::size_t index, std::size_t field) {
  const SegmentInfo& s = d.segments[index];
  const std::size_t k = index == 0 ? field - 1 : field;
  return (k >= 1 && k <= s.element_count) ? k : 0;
}

enum class Level { Repetition, Component, Subcomponent };

// Decodes a span at `level`: subcomponents are unescaped one by one and joined again with the
// raw delimiters, so that a person reading the text sees the structure.
void appendRendered(std::string& out, const MessageData& d, Span span, Level level) {
  std::string_view bytes(d.bytes);
  const DelimiterSet& delims = d.delimiters;
  std::size_t start = span.begin;
  for (std::size_t pos = span.begin; pos <= span.end; ++pos) {
    const bool at_end = pos == span.end;
    const char c = at_end ? '\0' : bytes[pos];
    const bool splits =
        !at_end &&
        ((level != Level::Subcomponent && DelimiterSet::matches(delims.subcomponent, c)) ||
         (level == Level::Repetition && DelimiterSet::matches(delims.component, c)));
    if (at_end || splits) {
      detail::appendUnescaped(out, bytes.substr(start, pos - start), delims);
      if (splits) {
        out.push_back(c);
      }
      start = pos + 1;
    }
  }
}

bool onlyDelimiters(const MessageData& d, Span span) {
  for (std::size_t pos = span.begin; pos < span.end; ++pos) {
    const char c = d.bytes[pos];
    if (!DelimiterSet::matches(d.delimiters.component, c) &&
        !DelimiterSet::matches(d.delimiters.subcomponent, c)) {
      return false;
    }
  }
  return true;
}

// MSH-1 and MSH-2 hold the delimiters: one value each, never split or unescaped.
std::optional<std::string> delimiterField(const MessageData& d, std::size_t field,
                                          std::size_t repetition, std::size_t component,
                                          std::size_t subcomponent) {
  if (repetition > 1 || component > 1 || subcomponent > 1) {
    return std::nullopt;
  }
  if (field == 1) {
    return std::string(1, d.delimiters.field);
  }
  Span span = detail::elementSpan(d, d.segments[0], 1);
  if (span.empty()) {
    return std::nullopt;
  }
  return d.bytes.substr(span.begin, span.end - span.begin);
}

bool isDelimiterField(std::size_t index, std::size_t field) { return index == 0 && field <= 2; }

// The decoded value at `component`.`subcomponent` of one repetition (its span given);
// nullopt when absent or empty.
Result<std::optional<std::string>> valueInRepetition(const MessageData& d, std::size_t index,
                                                     std::size_t field, std::size_t repetition,
                                                     Span repetition_span, std::size_t component,
                                                     std::size_t subcomponent) {
  Piece piece;
  piece.found = true;
  piece.span = repetition_span;
  Level level = Level::Repetition;
  if (component > 0) {
    piece = detail::nthPiece(d.bytes, piece.span, d.delimiters.component, component);
    level = Level::Component;
    if (piece.found && subcomponent > 0) {
      piece = detail::nthPiece(d.bytes, piece.span, d.delimiters.subcomponent, subcomponent);
      level = Level::Subcomponent;
    }
  }
  if (!piece.found || piece.span.empty() || onlyDelimiters(d, piece.span)) {
    return std::optional<std::string>();
  }

  std::string decoded;
  appendRendered(decoded, d, piece.span, level);
  std::string text;
  Status status = detail::appendUtf8(text, decoded, d.encoding(), d.charset.iconv_name);
  if (!status.isOk()) {
    const SegmentInfo& s = d.segments[index];
    ErrorLocation where;
    where.segment_index = index + 1;
    where.segment_id = std::string(s.idView());
    where.field = field;
    where.repetition = repetition;
    where.component = component;
    where.byte_offset = piece.span.begin;
    return Status(status.code(), describeLocation(where) + ": " + status.context());
  }
  return std::optional<std::string>(std::move(text));
}

// The decoded value of one addressed element; nullopt when absent or empty.
Result<std::optional<std::string>> valueAt(const MessageData& d, std::size_t index,
                                           std::size_t field, std::size_t repetition,
                                           std::size_t component, std::size_t subcomponent) {
  if (isDelimiterField(index, field)) {
    return delimiterField(d, field, repetition, component, subcomponent);
  }
  const std::size_t k = elementOf(d, index, field);
  if (k == 0) {
    return std::optional<std::string>();
  }
  Piece piece = detail::nthPiece(d.bytes, detail::elementSpan(d, d.segments[index], k),
                                 d.delimiters.repetition, repetition);
  if (!piece.found) {
    return std::optional<std::string>();
  }
  return valueInRepetition(d, index, field, repetition, piece.span, component, subcomponent);
}

// The value at the path's component and subcomponent in every repetition of the field, in one
// pass over the field; appends one entry per repetition (nullopt where absent or empty).
Status valuesPerRepetition(const MessageData& d, std::size_t index, const Path& path,
                           std::vector<std::optional<std::string>>& out) {
  if (isDelimiterField(index, path.field)) {
    out.push_back(delimiterField(d, path.field, 1, path.component, path.subcomponent));
    return Status::ok();
  }
  const std::size_t k = elementOf(d, index, path.field);
  if (k == 0) {
    return Status::ok();
  }
  const Span field = detail::elementSpan(d, d.segments[index], k);
  if (field.empty()) {
    return Status::ok();
  }
  std::size_t start = field.begin;
  std::size_t repetition = 1;
  for (std::size_t pos = field.begin; pos <= field.end; ++pos) {
    if (pos < field.end && !DelimiterSet::matches(d.delimiters.repetition, d.bytes[pos])) {
      continue;
    }
    auto value = valueInRepetition(d, index, path.field, repetition, Span{start, pos},
                                   path.component, path.subcomponent);
    if (!value.isOk()) {
      return value.status();
    }
    out.push_back(std::move(value).value());
    start = pos + 1;
    ++repetition;
  }
  return Status::ok();
}

std::string headerValue(const MessageData& d, std::size_t field, std::size_t component) {
  if (d.segments.empty()) {
    return {};
  }
  auto value = valueAt(d, 0, field, 1, component, 0);
  if (!value.isOk() || !value.value().has_value()) {
    return {};
  }
  return *value.value();
}

}  // namespace

std::string describeLocation(const ErrorLocation& location) {
  std::string text;
  auto add = [&](const std::string& part) {
    if (!text.empty()) {
      text += ", ";
    }
    text += part;
  };
  if (location.segment_index > 0) {
    std::string segment = "segment " + std::to_string(location.segment_index);
    if (!location.segment_id.empty()) {
      segment += " (" + location.segment_id + ")";
    }
    add(segment);
  } else if (!location.segment_id.empty()) {
    add("segment " + location.segment_id);
  }
  if (location.field > 0) {
    add("field " + std::to_string(location.field));
  }
  if (location.repetition > 0) {
    add("repetition " + std::to_string(location.repetition));
  }
  if (location.component > 0) {
    add("component " + std::to_string(location.component));
  }
  add("byte " + std::to_string(location.byte_offset));
  return text;
}

Message::Message() = default;
Message::~Message() = default;
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;

Message::Message(const Message& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Message& Message::operator=(const Message& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }
  return *this;
}

Result<Message> Message::parse(std::string_view bytes, const ParseLimits& limits,
                               ErrorLocation* location) {
  auto data = detail::parseData(bytes, limits, location);
  if (!data.isOk()) {
    return data.status();
  }
  Message message;
  message.state_ = std::make_unique<State>();
  message.state_->data = std::move(data).value();
  return message;
}

std::string Message::serialize() const { return std::string(raw()); }

std::string_view Message::raw() const {
  return state_ ? std::string_view(state_->data.bytes) : std::string_view();
}

// Delimiters the message does not define read as '\0'.
const Delimiters& Message::delimiters() const {
  return state_ ? state_->data.public_delimiters : emptyData().public_delimiters;
}

std::string_view Message::segmentTerminator() const {
  return state_ ? state_->data.terminator : std::string_view("\r");
}

std::size_t Message::segmentCount() const { return state_ ? state_->data.segments.size() : 0; }

std::string_view Message::segmentId(std::size_t index) const {
  if (!state_ || index >= state_->data.segments.size()) {
    return {};
  }
  return state_->data.segments[index].idView();
}

std::string_view Message::rawSegment(std::size_t index) const {
  if (!state_ || index >= state_->data.segments.size()) {
    return {};
  }
  const SegmentInfo& s = state_->data.segments[index];
  return std::string_view(state_->data.bytes).substr(s.begin, s.end - s.begin);
}

std::string_view Message::rawField(std::size_t segment_index, std::size_t field) const {
  if (!state_ || segment_index >= state_->data.segments.size() || field == 0) {
    return {};
  }
  const MessageData& d = state_->data;
  if (segment_index == 0 && field == 1) {
    return std::string_view(d.bytes).substr(d.segments[0].begin + 3, 1);
  }
  const std::size_t k = elementOf(d, segment_index, field);
  if (k == 0) {
    return {};
  }
  Span span = detail::elementSpan(d, d.segments[segment_index], k);
  return std::string_view(d.bytes).substr(span.begin, span.end - span.begin);
}

std::size_t Message::repetitionCount(std::size_t segment_index, std::size_t field) const {
  std::string_view value = rawField(segment_index, field);
  if (value.empty()) {
    return 0;
  }
  if (segment_index == 0 && field <= 2) {
    return 1;
  }
  const int repetition = state_->data.delimiters.repetition;
  if (repetition < 0) {
    return 1;
  }
  return 1 + static_cast<std::size_t>(
                 std::count(value.begin(), value.end(), static_cast<char>(repetition)));
}

Result<std::optional<std::string>> Message::get(std::string_view path) const {
  auto parsed = parsePath(path);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  const Path& p = parsed.value();
  if (p.hasWildcard()) {
    return Status(ErrorCode::ConfigError,
                  "path '" + formatPath(p) + "' has a [*] wildcard; use getAll()");
  }
  const MessageData& d = state_ ? state_->data : emptyData();
  std::vector<std::size_t> segments = detail::selectSegments(d, p);
  if (segments.empty()) {
    return std::optional<std::string>();
  }
  return valueAt(d, segments.front(), p.field, p.repetition, p.component, p.subcomponent);
}

Result<std::vector<std::string>> Message::getAll(std::string_view path) const {
  auto parsed = parsePath(path);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  const Path& p = parsed.value();
  const MessageData& d = state_ ? state_->data : emptyData();
  std::vector<std::string> values;
  std::vector<std::optional<std::string>> found;
  for (std::size_t index : detail::selectSegments(d, p)) {
    found.clear();
    if (p.repetition == kEveryRepetition) {
      Status status = valuesPerRepetition(d, index, p, found);
      if (!status.isOk()) {
        return status;
      }
    } else {
      auto value = valueAt(d, index, p.field, p.repetition, p.component, p.subcomponent);
      if (!value.isOk()) {
        return value.status();
      }
      found.push_back(std::move(value).value());
    }
    for (std::optional<std::string>& value : found) {
      if (value.has_value()) {
        values.push_back(std::move(*value));
      }
    }
  }
  return values;
}

Result<std::vector<std::optional<std::string>>> Message::getPerRepetition(
    std::string_view path) const {
  auto parsed = parsePath(path);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  const Path& p = parsed.value();
  if (p.segment_repetition == kEveryRepetition) {
    return Status(ErrorCode::ConfigError,
                  "path '" + formatPath(p) + "' must name one segment occurrence");
  }
  const MessageData& d = state_ ? state_->data : emptyData();
  std::vector<std::optional<std::string>> values;
  std::vector<std::size_t> segments = detail::selectSegments(d, p);
  if (!segments.empty()) {
    Status status = valuesPerRepetition(d, segments.front(), p, values);
    if (!status.isOk()) {
      return status;
    }
  }
  return values;
}

std::string Message::controlId() const {
  return state_ ? headerValue(state_->data, 10, 0) : std::string();
}
std::string Message::messageCode() const {
  return state_ ? headerValue(state_->data, 9, 1) : std::string();
}
std::string Message::triggerEvent() const {
  return state_ ? headerValue(state_->data, 9, 2) : std::string();
}
std::string Message::messageStructure() const {
  return state_ ? headerValue(state_->data, 9, 3) : std::string();
}
std::string Message::version() const {
  return state_ ? headerValue(state_->data, 12, 1) : std::string();
}
std::string Message::sendingApplication() const {
  return state_ ? headerValue(state_->data, 3, 1) : std::string();
}
std::string Message::sendingFacility() const {
  return state_ ? headerValue(state_->data, 4, 1) : std::string();
}
std::string Message::receivingApplication() const {
  return state_ ? headerValue(state_->data, 5, 1) : std::string();
}
std::string Message::receivingFacility() const {
  return state_ ? headerValue(state_->data, 6, 1) : std::string();
}
std::string Message::processingId() const {
  return state_ ? headerValue(state_->data, 11, 1) : std::string();
}
std::string Message::acceptAckType() const {
  return state_ ? headerValue(state_->data, 15, 0) : std::string();
}
std::string Message::applicationAckType() const {
  return state_ ? headerValue(state_->data, 16, 0) : std::string();
}
std::string Message::charset() const {
  return state_ ? headerValue(state_->data, 18, 0) : std::string();
}

}  // namespace ferry::engine::hl7
