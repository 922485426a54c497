#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>

#include "engine/hl7/message_data.h"

// Parsing is one pass over the bytes that records where segments and fields start; nothing is
// copied per field. Repetitions, components and subcomponents are only counted (to enforce
// ParseLimits) and are found again on demand by scanning inside the one field asked for, which
// is cheap because fields are short and the hot path reads a handful of them.
//
// Segment boundaries: a CR, LF or CRLF ends a segment only when the next non-blank line starts
// like a segment ("PID|", "ZPI|", or a bare id) or the message ends there. Otherwise the break
// is part of the data: feeds wrap long OBX text and even MSH-10 onto new lines, and mix CR and
// LF in one file. Blank and whitespace-only lines between segments belong to the terminator of
// the segment before them, so every byte has a place and the message serializes back exactly.
//
// Delimiters come from MSH-1 and MSH-2. A character MSH-2 repeats is skipped; delimiters MSH-2
// leaves out are undefined (-1), so that no data byte matches them.
//
// The charset (MSH-18) is only known once MSH is scanned: 8-bit bytes of MSH are checked then,
// those of later segments as the scan meets them. A message declaring UTF-8 must be valid
// UTF-8; one declaring nothing (or ASCII) is read as UTF-8 until a byte proves it is not, then
// as ISO-8859-1.

namespace ferry::engine::hl7::detail {

namespace {

constexpr std::size_t kMaxAddressableBytes = std::numeric_limits<std::uint32_t>::max() - 1;
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// More raw MSH-2 characters than this cannot be four or five encoding characters, even with
// the duplicates some senders write ("^~\\&").
constexpr std::size_t kMaxRawEncodingChars = 10;

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isUpperOrDigit(char c) { return isUpper(c) || (c >= '0' && c <= '9'); }
bool isBlank(char c) { return c == ' ' || c == '\t'; }

Status failAt(ErrorCode code, const ErrorLocation& where, const std::string& rule,
              ErrorLocation* out) {
  if (out != nullptr) {
    *out = where;
  }
  return Status(code, describeLocation(where) + ": " + rule);
}

enum ByteClass : std::uint8_t {
  kData,
  kField,
  kRepetition,
  kComponent,
  kSubcomponent,
  kBreak,
  kHigh,
};

class Scanner {
 public:
  Scanner(MessageData& data, ErrorLocation* location)
      : data_(data), in_(data.bytes), limits_(data.limits), location_(location) {}

  Status run() {
    Status status = readHeader();
    if (!status.isOk()) {
      return status;
    }
    buildClasses();

    std::size_t pos = data_.prefix + 4 + msh2_length_;
    for (;;) {
      std::size_t next_segment = 0;
      status = scanSegment(pos, next_segment);
      if (!status.isOk()) {
        return status;
      }
      if (data_.segments.size() == 1) {
        status = settleCharset();
        if (!status.isOk()) {
          return status;
        }
      }
      if (next_segment == 0) {
        break;
      }
      status = startSegment(next_segment);
      if (!status.isOk()) {
        return status;
      }
      pos = next_segment + 3;
    }
    settleTerminator();
    return Status::ok();
  }

 private:
  ErrorLocation here(std::size_t offset) const {
    ErrorLocation where;
    where.segment_index = data_.segments.size();
    if (!data_.segments.empty()) {
      where.segment_id = std::string(data_.segments.back().idView());
    }
    where.field = fieldNumber();
    where.repetition = where.field > 0 ? repetitions_ + 1 : 0;
    where.component = where.field > 0 ? components_ + 1 : 0;
    where.byte_offset = offset;
    return where;
  }

  // HL7 number of the field being scanned; MSH-2 is the first element of MSH.
  std::size_t fieldNumber() const {
    if (data_.segments.empty()) {
      return 0;
    }
    std::size_t elements = data_.segments.back().element_count;
    return data_.segments.size() == 1 ? elements + 1 : elements;
  }

  Status readHeader() {
    std::size_t pos = 0;
    if (in_.substr(0, kBom.size()) == kBom) {
      pos = kBom.size();
    }
    while (pos < in_.size() && (isBlank(in_[pos]) || isLineBreak(in_[pos]))) {
      ++pos;
    }
    data_.prefix = static_cast<std::uint32_t>(pos);

    ErrorLocation where;
    where.segment_index = 1;
    where.byte_offset = pos;
    if (in_.substr(pos, 3) != "MSH") {
      return failAt(ErrorCode::ParseError, where, "message does not start with an MSH segment",
                    location_);
    }
    where.segment_id = "MSH";
    where.field = 1;
    where.byte_offset = pos + 3;
    if (pos + 3 >= in_.size()) {
      return failAt(ErrorCode::ParseError, where, "MSH-1 (field separator) is missing", location_);
    }
    const char field = in_[pos + 3];
    if (!isDelimiterChar(field)) {
      return failAt(ErrorCode::ParseError, where,
                    "MSH-1 must be a printable character other than a letter, digit or space",
                    location_);
    }
    data_.delimiters = DelimiterSet{};
    data_.delimiters.field = field;
    std::array<int*, 5> slots = {&data_.delimiters.component, &data_.delimiters.repetition,
                                 &data_.delimiters.escape, &data_.delimiters.subcomponent,
                                 &data_.delimiters.truncation};
    for (int* slot : slots) {
      *slot = -1;
    }

    where.field = 2;
    std::size_t assigned = 0;
    std::size_t i = pos + 4;
    for (; i < in_.size() && in_[i] != field && !isLineBreak(in_[i]); ++i) {
      where.byte_offset = i;
      if (i - (pos + 4) >= kMaxRawEncodingChars) {
        return failAt(ErrorCode::ParseError, where, "MSH-2 holds too many encoding characters",
                      location_);
      }
      const char c = in_[i];
      if (!isDelimiterChar(c)) {
        return failAt(ErrorCode::ParseError, where,
                      "MSH-2 encoding characters must be printable and not letters, digits or "
                      "spaces",
                      location_);
      }
      // A character already in use is skipped rather than refused: some senders double the
      // escape character ("^~\\&"), a leftover of string quoting in their code.
      bool duplicate = false;
      for (std::size_t k = 0; k < assigned; ++k) {
        duplicate = duplicate || DelimiterSet::matches(*slots[k], c);
      }
      if (duplicate) {
        continue;
      }
      if (assigned == slots.size()) {
        return failAt(ErrorCode::ParseError, where,
                      "MSH-2 holds more than five distinct encoding characters", location_);
      }
      *slots[assigned++] = static_cast<unsigned char>(c);
    }
    msh2_length_ = i - (pos + 4);
    publishDelimiters();

    SegmentInfo msh;
    msh.begin = static_cast<std::uint32_t>(pos);
    msh.id = {'M', 'S', 'H'};
    msh.first_element = 0;
    msh.element_count = 1;
    data_.segments.push_back(msh);
    data_.elements.push_back(static_cast<std::uint32_t>(pos + 4));
    return Status::ok();
  }

  void publishDelimiters() {
    auto value = [](int delimiter) { return delimiter >= 0 ? static_cast<char>(delimiter) : '\0'; };
    const DelimiterSet& d = data_.delimiters;
    data_.public_delimiters.field = d.field;
    data_.public_delimiters.component = value(d.component);
    data_.public_delimiters.repetition = value(d.repetition);
    data_.public_delimiters.escape = value(d.escape);
    data_.public_delimiters.subcomponent = value(d.subcomponent);
    data_.public_delimiters.truncation = value(d.truncation);
  }

  void buildClasses() {
    classes_.fill(kData);
    for (int c = 0x80; c < 0x100; ++c) {
      classes_[static_cast<std::size_t>(c)] = kHigh;
    }
    classes_['\r'] = kBreak;
    classes_['\n'] = kBreak;
    const DelimiterSet& d = data_.delimiters;
    classes_[static_cast<unsigned char>(d.field)] = kField;
    auto set = [&](int delimiter, ByteClass cls) {
      if (delimiter >= 0) {
        classes_[static_cast<std::size_t>(delimiter)] = cls;
      }
    };
    set(d.repetition, kRepetition);
    set(d.component, kComponent);
    set(d.subcomponent, kSubcomponent);
  }

  // True when a line starting at `pos` begins a segment: an id of an upper-case letter and two
  // upper-case letters or digits, then the field separator, a line break or the end.
  bool startsSegment(std::size_t pos) const {
    if (in_.size() - pos < 3 || !isUpper(in_[pos]) || !isUpperOrDigit(in_[pos + 1]) ||
        !isUpperOrDigit(in_[pos + 2])) {
      return false;
    }
    return pos + 3 == in_.size() || in_[pos + 3] == data_.delimiters.field ||
           isLineBreak(in_[pos + 3]);
  }

  Status startSegment(std::size_t pos) {
    ErrorLocation where;
    where.segment_index = data_.segments.size() + 1;
    where.segment_id = std::string(in_.substr(pos, 3));
    where.byte_offset = pos;
    if (data_.segments.size() >= limits_.max_segments) {
      return failAt(ErrorCode::LimitExceeded, where,
                    "more than " + std::to_string(limits_.max_segments) + " segments", location_);
    }
    if (in_.substr(pos, 3) == "MSH") {
      return failAt(ErrorCode::ParseError, where,
                    "a second MSH segment starts another message; split the input first",
                    location_);
    }
    // After a lone CR the next segment starts whatever follows; it must look like one.
    if (!startsSegment(pos)) {
      where.segment_id.clear();
      return failAt(ErrorCode::ParseError, where,
                    "a segment must start with a three-character id (A-Z, 0-9) and a field "
                    "separator",
                    location_);
    }
    SegmentInfo segment;
    segment.begin = static_cast<std::uint32_t>(pos);
    segment.id = {in_[pos], in_[pos + 1], in_[pos + 2]};
    segment.first_element = static_cast<std::uint32_t>(data_.elements.size());
    data_.segments.push_back(segment);
    repetitions_ = components_ = subcomponents_ = 0;
    return Status::ok();
  }

  // Scans the current segment from `pos` to its end. Sets `next_segment` to the offset of the
  // following segment, or 0 when the message ends with this one.
  Status scanSegment(std::size_t pos, std::size_t& next_segment) {
    SegmentInfo& segment = data_.segments.back();
    const std::size_t size = in_.size();
    while (pos < size) {
      const auto byte = static_cast<unsigned char>(in_[pos]);
      switch (classes_[byte]) {
        case kData:
          ++pos;
          break;
        case kField: {
          if (fieldNumber() + 1 > limits_.max_fields_per_segment) {
            return failAt(ErrorCode::LimitExceeded, here(pos),
                          "more than " + std::to_string(limits_.max_fields_per_segment) +
                              " fields in the segment",
                          location_);
          }
          data_.elements.push_back(static_cast<std::uint32_t>(pos + 1));
          ++segment.element_count;
          repetitions_ = components_ = subcomponents_ = 0;
          ++pos;
          break;
        }
        case kRepetition:
          if (++repetitions_ + 1 > limits_.max_repetitions_per_field) {
            return failAt(ErrorCode::LimitExceeded, here(pos),
                          "more than " + std::to_string(limits_.max_repetitions_per_field) +
                              " repetitions in the field",
                          location_);
          }
          components_ = subcomponents_ = 0;
          ++pos;
          break;
        case kComponent:
          if (++components_ + 1 > limits_.max_components) {
            return failAt(
                ErrorCode::LimitExceeded, here(pos),
                "more than " + std::to_string(limits_.max_components) + " components in the field",
                location_);
          }
          subcomponents_ = 0;
          ++pos;
          break;
        case kSubcomponent:
          if (++subcomponents_ + 1 > limits_.max_subcomponents) {
            return failAt(ErrorCode::LimitExceeded, here(pos),
                          "more than " + std::to_string(limits_.max_subcomponents) +
                              " subcomponents in the component",
                          location_);
          }
          ++pos;
          break;
        case kHigh: {
          std::size_t length = 1;
          Status status = checkHighByte(pos, length);
          if (!status.isOk()) {
            return status;
          }
          pos += length;
          break;
        }
        case kBreak: {
          std::size_t after = 0;
          const bool ends = endsSegment(pos, after);
          if (ends) {
            segment.end = static_cast<std::uint32_t>(pos);
            segment.next = static_cast<std::uint32_t>(after);
            next_segment = after < size ? after : 0;
            return Status::ok();
          }
          pos = after;  // the breaks are data of a wrapped line
          break;
        }
      }
    }
    segment.end = static_cast<std::uint32_t>(size);
    segment.next = static_cast<std::uint32_t>(size);
    next_segment = 0;
    return Status::ok();
  }

  // At a line break at `pos`: skips it and any blank lines. Returns true when the segment ends
  // here (a new segment or the end of the message follows) and false when the text goes on.
  // `after` receives the offset after the breaks and blank lines.
  bool endsSegment(std::size_t pos, std::size_t& after) const {
    const std::size_t size = in_.size();
    std::size_t line = pos;
    for (;;) {
      line += (in_[line] == '\r' && line + 1 < size && in_[line + 1] == '\n') ? 2 : 1;
      std::size_t text = line;
      while (text < size && isBlank(in_[text])) {
        ++text;
      }
      if (text == size) {
        after = size;
        return true;
      }
      if (isLineBreak(in_[text])) {
        line = text;
        continue;
      }
      after = line;
      // A lone CR is HL7's own segment terminator and always ends the segment; only LF and
      // CRLF (line ends of files) may wrap a long value onto the next line.
      const bool lone_cr = in_[pos] == '\r' && (pos + 1 >= size || in_[pos + 1] != '\n');
      return lone_cr || (text == line && startsSegment(line));
    }
  }

  Status checkHighByte(std::size_t pos, std::size_t& length) {
    length = 1;
    if (data_.segments.size() == 1) {
      return Status::ok();  // MSH is checked once MSH-18 is known
    }
    switch (data_.charset.kind) {
      case CharsetKind::Utf8:
        length = utf8SequenceLength(in_, pos);
        if (length == 0) {
          return failAt(ErrorCode::InvalidMessage, here(pos),
                        "invalid UTF-8 in a message that declares UTF-8 in MSH-18", location_);
        }
        return Status::ok();
      case CharsetKind::Lenient:
        if (!data_.latin1_fallback) {
          length = utf8SequenceLength(in_, pos);
          if (length == 0) {
            data_.latin1_fallback = true;
            length = 1;
          }
        }
        return Status::ok();
      default:
        return Status::ok();
    }
  }

  // Once MSH is scanned: reads MSH-18 and checks the 8-bit bytes of MSH against it.
  Status settleCharset() {
    const SegmentInfo& msh = data_.segments.front();
    std::string_view msh18;
    if (msh.element_count >= 17) {
      const std::size_t begin = data_.elements[16];
      const std::size_t end = msh.element_count > 17 ? data_.elements[17] - 1 : msh.end;
      msh18 = in_.substr(begin, end - begin);
      for (int delimiter : {data_.delimiters.repetition, data_.delimiters.component}) {
        if (delimiter >= 0) {
          msh18 = msh18.substr(0, msh18.find(static_cast<char>(delimiter)));
        }
      }
    }
    data_.charset = classifyCharset(msh18);
    if (data_.charset.kind != CharsetKind::Utf8 && data_.charset.kind != CharsetKind::Lenient) {
      return Status::ok();
    }
    std::size_t pos = msh.begin;
    while (pos < msh.end) {
      if (static_cast<unsigned char>(in_[pos]) < 0x80) {
        ++pos;
        continue;
      }
      std::size_t length = utf8SequenceLength(in_.substr(0, msh.end), pos);
      if (length == 0) {
        if (data_.charset.kind == CharsetKind::Utf8) {
          ErrorLocation where;
          where.segment_index = 1;
          where.segment_id = "MSH";
          where.field = fieldAt(msh, pos);
          where.byte_offset = pos;
          return failAt(ErrorCode::InvalidMessage, where,
                        "invalid UTF-8 in a message that declares UTF-8 in MSH-18", location_);
        }
        data_.latin1_fallback = true;
        break;
      }
      pos += length;
    }
    return Status::ok();
  }

  // HL7 field number of MSH that holds `offset`.
  std::size_t fieldAt(const SegmentInfo& msh, std::size_t offset) const {
    std::size_t field = 1;
    for (std::size_t k = 0; k < msh.element_count; ++k) {
      if (data_.elements[msh.first_element + k] <= offset) {
        field = k + 2;
      }
    }
    return field;
  }

  void settleTerminator() {
    for (const SegmentInfo& segment : data_.segments) {
      if (segment.next > segment.end) {
        const char first = in_[segment.end];
        if (first == '\r' && segment.end + 1 < in_.size() && in_[segment.end + 1] == '\n') {
          data_.terminator = "\r\n";
        } else {
          data_.terminator = first == '\r' ? "\r" : "\n";
        }
        return;
      }
    }
    data_.terminator = "\r";
  }

  MessageData& data_;
  std::string_view in_;
  const ParseLimits& limits_;
  ErrorLocation* location_;
  std::array<ByteClass, 256> classes_{};
  std::size_t msh2_length_ = 0;
  std::size_t repetitions_ = 0;
  std::size_t components_ = 0;
  std::size_t subcomponents_ = 0;
};

}  // namespace

Result<MessageData> parseData(std::string_view bytes, const ParseLimits& limits,
                              ErrorLocation* location) {
  const std::size_t max_bytes = std::min(limits.max_message_bytes, kMaxAddressableBytes);
  if (bytes.size() > max_bytes) {
    ErrorLocation where;
    where.byte_offset = max_bytes;
    return failAt(ErrorCode::LimitExceeded, where,
                  "message is larger than the limit of " + std::to_string(max_bytes) + " bytes",
                  location);
  }
  MessageData data;
  data.limits = limits;
  data.bytes.assign(bytes);
  Scanner scanner(data, location);
  Status status = scanner.run();
  if (!status.isOk()) {
    return status;
  }
  return data;
}

}  // namespace ferry::engine::hl7::detail
