#include "engine/hl7/message_splitter.h"

#include <charconv>
#include <cstdint>
#include <string>

#include "engine/hl7/text_codec.h"

namespace ferry::engine::hl7 {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

enum class LineKind { Blank, Msh, Fhs, Bhs, Bts, Fts, Other };

bool isBlankLine(std::string_view content) {
  return content.find_first_not_of(" \t") == std::string_view::npos;
}

bool looksLikeSegmentId(std::string_view content) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto upper_or_digit = [&](char c) { return upper(c) || (c >= '0' && c <= '9'); };
  return content.size() >= 3 && upper(content[0]) && upper_or_digit(content[1]) &&
         upper_or_digit(content[2]);
}

LineKind classify(std::string_view content) {
  if (isBlankLine(content)) {
    return LineKind::Blank;
  }
  if (content.size() < 3) {
    return LineKind::Other;
  }
  const std::string_view id = content.substr(0, 3);
  // Headers define their own delimiters right after the id; trailers may be bare.
  const bool delimited = content.size() >= 4 && detail::isDelimiterChar(content[3]);
  const bool trailer_shape = content.size() == 3 || delimited;
  if (id == "MSH" && delimited) {
    return LineKind::Msh;
  }
  if (id == "FHS" && delimited) {
    return LineKind::Fhs;
  }
  if (id == "BHS" && delimited) {
    return LineKind::Bhs;
  }
  if (id == "BTS" && trailer_shape) {
    return LineKind::Bts;
  }
  if (id == "FTS" && trailer_shape) {
    return LineKind::Fts;
  }
  return LineKind::Other;
}

// Field 1 of a trailer segment (BTS-1, FTS-1), spaces trimmed.
std::string_view firstField(std::string_view content) {
  if (content.size() < 5) {
    return {};
  }
  std::string_view rest = content.substr(4);
  rest = rest.substr(0, rest.find(content[3]));
  const std::size_t begin = rest.find_first_not_of(' ');
  if (begin == std::string_view::npos) {
    return {};
  }
  const std::size_t end = rest.find_last_not_of(' ');
  return rest.substr(begin, end - begin + 1);
}

class Splitter {
 public:
  explicit Splitter(std::string_view file) : file_(file) {}

  SplitResult run() {
    std::size_t pos = 0;
    if (file_.substr(0, kBom.size()) == kBom) {
      emit(FilePartKind::Other, 0, kBom.size(), 1, {});
      pos = kBom.size();
    }
    std::size_t line = 1;
    while (pos < file_.size()) {
      std::size_t content_end = file_.find_first_of("\r\n", pos);
      if (content_end == std::string_view::npos) {
        content_end = file_.size();
      }
      std::size_t end = content_end;
      if (end < file_.size()) {
        end += (file_[end] == '\r' && end + 1 < file_.size() && file_[end + 1] == '\n') ? 2 : 1;
      }
      handleLine(file_.substr(pos, content_end - pos), pos, end, line);
      pos = end;
      ++line;
    }
    close(file_.size());
    finish();
    return std::move(result_);
  }

 private:
  enum class Open { None, Message, Other };

  void emit(FilePartKind kind, std::size_t begin, std::size_t end, std::size_t line,
            std::string segment_id) {
    if (end <= begin) {
      return;
    }
    FilePart part;
    part.kind = kind;
    part.bytes = file_.substr(begin, end - begin);
    part.offset = begin;
    part.line = line;
    part.segment_id = std::move(segment_id);
    result_.parts.push_back(std::move(part));
  }

  void close(std::size_t at) {
    if (open_ == Open::None) {
      return;
    }
    emit(open_ == Open::Message ? FilePartKind::Message : FilePartKind::Other, part_begin_, at,
         part_line_, {});
    open_ = Open::None;
  }

  void openPart(Open kind, std::size_t begin, std::size_t line) {
    open_ = kind;
    part_begin_ = begin;
    part_line_ = line;
    stray_reported_ = false;
  }

  void issue(SplitSeverity severity, std::size_t line, std::string text) {
    result_.issues.push_back({severity, line, "line " + std::to_string(line) + ": " + text});
  }

  void handleLine(std::string_view content, std::size_t begin, std::size_t end, std::size_t line) {
    const LineKind kind = classify(content);
    switch (kind) {
      case LineKind::Blank:
        if (open_ == Open::None) {
          openPart(Open::Other, begin, line);
        }
        return;
      case LineKind::Other:
        if (open_ == Open::None) {
          openPart(Open::Other, begin, line);
        }
        if (open_ == Open::Other && !stray_reported_) {
          stray_reported_ = true;
          std::string what = looksLikeSegmentId(content)
                                 ? std::string(content.substr(0, 3)) + " segment"
                                 : std::string("text");
          issue(SplitSeverity::Error, line, what + " outside any message (no MSH before it)");
        }
        return;
      case LineKind::Msh:
        close(begin);
        openPart(Open::Message, begin, line);
        ++messages_;
        batch_messages_ += batch_open_ ? 1 : 0;
        file_messages_ += file_open_ ? 1 : 0;
        return;
      default:
        break;
    }
    close(begin);
    const std::string id(content.substr(0, 3));
    emit(FilePartKind::Envelope, begin, end, line, id);
    if (kind == LineKind::Fhs) {
      fileHeader(line);
    } else if (kind == LineKind::Bhs) {
      batchHeader(line);
    } else if (kind == LineKind::Bts) {
      batchTrailer(content, line);
    } else {
      fileTrailer(content, line);
    }
  }

  void fileHeader(std::size_t line) {
    if (file_open_) {
      issue(SplitSeverity::Warning, line,
            "FHS while the file opened at line " + std::to_string(file_line_) + " has no FTS");
    } else if (messages_ > 0 || batches_ > 0) {
      issue(SplitSeverity::Warning, line, "FHS is not at the start of the file");
    }
    file_open_ = true;
    file_line_ = line;
    file_batches_ = 0;
    file_messages_ = 0;
  }

  void batchHeader(std::size_t line) {
    if (batch_open_) {
      issue(SplitSeverity::Warning, line,
            "BHS while the batch opened at line " + std::to_string(batch_line_) + " has no BTS");
    }
    batch_open_ = true;
    batch_line_ = line;
    batch_messages_ = 0;
    ++batches_;
    file_batches_ += file_open_ ? 1 : 0;
  }

  // Compares a trailer's count field with what was seen.
  void checkCount(std::string_view content, std::size_t line, std::string_view field,
                  std::string_view what, std::size_t opened_at, std::size_t seen) {
    const std::string_view value = firstField(content);
    if (value.empty()) {
      return;
    }
    std::uint64_t count = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), count);
    if (error != std::errc() || end != value.data() + value.size()) {
      issue(SplitSeverity::Warning, line, std::string(field) + " is not a number");
      return;
    }
    if (count != seen) {
      issue(SplitSeverity::Warning, line,
            std::string(field) + " gives " + std::to_string(count) + " but the " +
                std::string(what) + " opened at line " + std::to_string(opened_at) + " holds " +
                std::to_string(seen));
    }
  }

  void batchTrailer(std::string_view content, std::size_t line) {
    if (!batch_open_) {
      issue(SplitSeverity::Warning, line, "BTS without a BHS before it");
      return;
    }
    checkCount(content, line, "BTS-1 (batch message count)", "batch", batch_line_, batch_messages_);
    batch_open_ = false;
  }

  void fileTrailer(std::string_view content, std::size_t line) {
    if (batch_open_) {
      issue(SplitSeverity::Warning, line,
            "FTS while the batch opened at line " + std::to_string(batch_line_) + " has no BTS");
      batch_open_ = false;
    }
    if (!file_open_) {
      issue(SplitSeverity::Warning, line, "FTS without an FHS before it");
      return;
    }
    // FTS-1 counts batches; files without batches often count their messages there.
    checkCount(content, line, "FTS-1 (file batch count)", "file", file_line_,
               file_batches_ > 0 ? file_batches_ : file_messages_);
    file_open_ = false;
  }

  void finish() {
    if (batch_open_) {
      issue(SplitSeverity::Warning, batch_line_, "batch has no BTS");
    }
    if (file_open_) {
      issue(SplitSeverity::Warning, file_line_, "file header has no FTS");
    }
    if (messages_ == 0) {
      result_.issues.push_back({SplitSeverity::Error, 1, "no MSH segment in the file"});
    }
  }

  std::string_view file_;
  SplitResult result_;
  Open open_ = Open::None;
  std::size_t part_begin_ = 0;
  std::size_t part_line_ = 1;
  bool stray_reported_ = false;
  std::size_t messages_ = 0;
  std::size_t batches_ = 0;
  bool batch_open_ = false;
  std::size_t batch_line_ = 0;
  std::size_t batch_messages_ = 0;
  bool file_open_ = false;
  std::size_t file_line_ = 0;
  std::size_t file_batches_ = 0;
  std::size_t file_messages_ = 0;
};

}  // namespace

std::vector<std::string_view> SplitResult::messages() const {
  std::vector<std::string_view> out;
  for (const FilePart& part : parts) {
    if (part.kind == FilePartKind::Message) {
      out.push_back(part.bytes);
    }
  }
  return out;
}

bool SplitResult::hasErrors() const {
  for (const SplitIssue& issue : issues) {
    if (issue.severity == SplitSeverity::Error) {
      return true;
    }
  }
  return false;
}

SplitResult splitMessages(std::string_view file) { return Splitter(file).run(); }

Result<std::string> toWireFormat(std::string_view message, const ParseLimits& limits) {
  ErrorLocation location;
  auto parsed = Message::parse(message, limits, &location);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  const Message& m = parsed.value();
  const char escape = m.delimiters().escape;
  std::string wire;
  wire.reserve(message.size());
  for (std::size_t i = 0; i < m.segmentCount(); ++i) {
    std::string_view segment = m.rawSegment(i);
    for (std::size_t pos = 0; pos < segment.size(); ++pos) {
      const char c = segment[pos];
      if (c != '\r' && c != '\n') {
        wire.push_back(c);
        continue;
      }
      if (escape == '\0') {
        return Status(ErrorCode::Unsupported,
                      "segment " + std::to_string(i + 1) + " (" + std::string(m.segmentId(i)) +
                          ") holds a line break inside a field and the message defines no "
                          "escape character");
      }
      wire.push_back(escape);
      wire.append(c == '\r' ? "X0D" : "X0A");
      wire.push_back(escape);
    }
    wire.push_back('\r');
  }
  return wire;
}

}  // namespace ferry::engine::hl7
