#include <string>
#include <utility>
#include <vector>

#include "engine/hl7/message.h"
#include "engine/hl7/message_data.h"
#include "engine/hl7/path.h"
#include "engine/hl7/text_codec.h"

// Editing a message: set() encodes the value (charset, escapes), splices it into the bytes with
// whatever separators are needed to reach the addressed element, and scans the result again.
// Everything outside the addressed element keeps its bytes.

namespace ferry::engine::hl7 {

namespace {

using detail::DelimiterSet;
using detail::MessageData;
using detail::Piece;
using detail::SegmentInfo;
using detail::Span;

struct Edit {
  std::size_t at = 0;
  std::size_t erase = 0;
  std::string insert;
};

Status missingDelimiter(std::string_view which) {
  return Status(ErrorCode::Unsupported,
                "the message defines no " + std::string(which) + " (MSH-2), so it cannot be set");
}

// Delimiters to add before a value placed `count` pieces further than exist.
Status appendPadding(std::string& out, int delimiter, std::size_t count, std::string_view which) {
  if (count == 0) {
    return Status::ok();
  }
  if (delimiter < 0) {
    return missingDelimiter(which);
  }
  out.append(count, static_cast<char>(delimiter));
  return Status::ok();
}

// Appends the separators that put a value `reps` repetitions, `comps` components and `subs`
// subcomponents further than what exists.
Status appendPaddingAll(std::string& out, const DelimiterSet& delims, std::size_t reps,
                        std::size_t comps, std::size_t subs) {
  Status status = appendPadding(out, delims.repetition, reps, "repetition separator");
  if (status.isOk()) {
    status = appendPadding(out, delims.component, comps, "component separator");
  }
  if (status.isOk()) {
    status = appendPadding(out, delims.subcomponent, subs, "subcomponent separator");
  }
  return status;
}

// Builds the edit that puts `encoded` at `path` inside the segment at `index`.
Result<Edit> planEdit(const MessageData& d, std::size_t index, const Path& path,
                      const std::string& encoded) {
  const SegmentInfo& s = d.segments[index];
  const DelimiterSet& delims = d.delimiters;
  Edit edit;
  const std::size_t wanted = index == 0 ? path.field - 1 : path.field;
  const std::size_t sub_pad = path.subcomponent > 0 ? path.subcomponent - 1 : 0;
  const std::size_t comp_pad = path.component > 0 ? path.component - 1 : 0;

  auto pad = [&](std::size_t reps, std::size_t comps, std::size_t subs) {
    return appendPaddingAll(edit.insert, delims, reps, comps, subs);
  };

  Status status;
  if (wanted > s.element_count) {
    edit.at = s.end;
    edit.insert.append(wanted - s.element_count, delims.field);
    status = pad(path.repetition - 1, comp_pad, sub_pad);
  } else {
    const Span field = detail::elementSpan(d, s, wanted);
    Piece rep = detail::nthPiece(d.bytes, field, delims.repetition, path.repetition);
    if (!rep.found) {
      edit.at = field.end;
      status = pad(path.repetition - rep.count, comp_pad, sub_pad);
    } else if (path.component == 0) {
      edit.at = rep.span.begin;
      edit.erase = rep.span.end - rep.span.begin;
    } else {
      Piece comp = detail::nthPiece(d.bytes, rep.span, delims.component, path.component);
      if (!comp.found) {
        edit.at = rep.span.end;
        status = pad(0, path.component - comp.count, sub_pad);
      } else if (path.subcomponent == 0) {
        edit.at = comp.span.begin;
        edit.erase = comp.span.end - comp.span.begin;
      } else {
        Piece sub = detail::nthPiece(d.bytes, comp.span, delims.subcomponent, path.subcomponent);
        if (!sub.found) {
          edit.at = comp.span.end;
          status = pad(0, 0, path.subcomponent - sub.count);
        } else {
          edit.at = sub.span.begin;
          edit.erase = sub.span.end - sub.span.begin;
        }
      }
    }
  }
  if (!status.isOk()) {
    return status;
  }
  edit.insert += encoded;
  return edit;
}

}  // namespace

Status Message::set(std::string_view path, std::string_view value) {
  auto parsed = parsePath(path);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  const Path& p = parsed.value();
  if (!state_ || state_->data.segments.empty()) {
    return Status(ErrorCode::InvalidMessage, "cannot set " + formatPath(p) + ": empty message");
  }
  const MessageData& d = state_->data;
  if (p.hasWildcard()) {
    return Status(ErrorCode::ConfigError,
                  "path '" + formatPath(p) + "' has a [*] wildcard; set one element at a time");
  }
  if (p.segment == "MSH" && (p.field <= 2 || p.segment_repetition > 1)) {
    return Status(ErrorCode::Unsupported, "cannot set " + formatPath(p) +
                                              ": MSH-1 and MSH-2 hold the delimiters and a "
                                              "message has one MSH");
  }
  if (p.field > d.limits.max_fields_per_segment ||
      p.repetition > d.limits.max_repetitions_per_field || p.component > d.limits.max_components ||
      p.subcomponent > d.limits.max_subcomponents) {
    return Status(ErrorCode::LimitExceeded, "cannot set " + formatPath(p) + ": beyond the limits");
  }

  std::string in_charset;
  Status status = detail::appendFromUtf8(in_charset, value, d.encoding(), d.charset.iconv_name);
  if (!status.isOk()) {
    return Status(status.code(), "cannot set " + formatPath(p) + ": " + status.context());
  }
  std::string encoded;
  if (!detail::appendEscaped(encoded, in_charset, d.delimiters)) {
    return Status(ErrorCode::Unsupported,
                  "cannot set " + formatPath(p) +
                      ": the value needs escaping and the message defines no escape character");
  }

  std::string bytes;
  std::vector<std::size_t> segments = detail::selectSegments(d, p);
  if (!segments.empty()) {
    auto edit = planEdit(d, segments.front(), p, encoded);
    if (!edit.isOk()) {
      return Status(edit.status().code(),
                    "cannot set " + formatPath(p) + ": " + edit.status().context());
    }
    const Edit& e = edit.value();
    bytes.reserve(d.bytes.size() + e.insert.size());
    bytes.append(d.bytes, 0, e.at).append(e.insert).append(d.bytes, e.at + e.erase);
  } else {
    std::size_t occurrences = 0;
    for (const SegmentInfo& s : d.segments) {
      occurrences += s.idView() == p.segment ? 1 : 0;
    }
    if (p.segment_repetition != occurrences + 1) {
      return Status(ErrorCode::NotFound, "cannot set " + formatPath(p) + ": the message has " +
                                             std::to_string(occurrences) + " " + p.segment +
                                             " segments");
    }
    // A new segment goes after the last one and its own line break, before any blank lines.
    std::string content = p.segment;
    content.append(p.field, d.delimiters.field);
    status = appendPaddingAll(content, d.delimiters, p.repetition - 1,
                              p.component > 0 ? p.component - 1 : 0,
                              p.subcomponent > 0 ? p.subcomponent - 1 : 0);
    if (!status.isOk()) {
      return Status(status.code(), "cannot set " + formatPath(p) + ": " + status.context());
    }
    content += encoded;
    const SegmentInfo& last = d.segments.back();
    std::string_view gap = std::string_view(d.bytes).substr(last.end, last.next - last.end);
    std::size_t at = last.end;
    if (gap.empty()) {
      content = std::string(d.terminator) + content;
    } else {
      const std::size_t first_break = gap.substr(0, 2) == "\r\n" ? 2 : 1;
      at += first_break;
      content += gap.substr(0, first_break);
    }
    bytes.reserve(d.bytes.size() + content.size());
    bytes.append(d.bytes, 0, at).append(content).append(d.bytes, at);
  }

  auto reparsed = detail::parseData(bytes, d.limits, nullptr);
  if (!reparsed.isOk()) {
    return Status(reparsed.status().code(),
                  "cannot set " + formatPath(p) + ": " + reparsed.status().context());
  }
  state_->data = std::move(reparsed).value();
  return Status::ok();
}

void Message::rawFields(std::size_t segment_index, std::vector<std::string_view>& fields) const {
  fields.clear();
  if (!state_ || segment_index >= state_->data.segments.size()) {
    return;
  }
  const MessageData& d = state_->data;
  const SegmentInfo& s = d.segments[segment_index];
  const std::string_view bytes(d.bytes);
  fields.reserve(s.element_count + 2);
  fields.push_back(bytes.substr(s.begin, 3));
  if (segment_index == 0) {
    // MSH-1 is the separator after "MSH"; the scan's first element is MSH-2.
    fields.push_back(bytes.substr(s.begin + 3, 1));
  }
  for (std::size_t k = 1; k <= s.element_count; ++k) {
    const Span span = detail::elementSpan(d, s, k);
    fields.push_back(bytes.substr(span.begin, span.end - span.begin));
  }
}

}  // namespace ferry::engine::hl7
