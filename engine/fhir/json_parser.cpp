#include "engine/fhir/json_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace ferry::engine::fhir {
namespace {

// Iterative: nesting lives on a heap stack inside the reader, so hostile depth cannot overflow
// the call stack before our depth limit stops it. Numbers as strings: FHIR decimals keep their
// precision and form (1.50 is not 1.5). Validate encoding: FHIR JSON is UTF-8, nothing else.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag |
                                 rapidjson::kParseNumbersAsStringsFlag |
                                 rapidjson::kParseValidateEncodingFlag;

// Offsets are kept in 32 bits in every JsonValue.
constexpr std::size_t kMaxAddressable = std::numeric_limits<std::uint32_t>::max();

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool isJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// A read-only RapidJSON input stream over a buffer that need not end in NUL. The method names
// are the ones RapidJSON's stream concept requires. Peek() answers '\0' at the end; a NUL byte
// inside the input looks the same to the reader, which is why parseFhirJson checks that the
// whole input was consumed.
class ByteStream {
 public:
  using Ch = char;

  ByteStream(std::string_view bytes, std::size_t start)
      : begin_(bytes.data()), cursor_(bytes.data() + start), end_(bytes.data() + bytes.size()) {}

  Ch Peek() const { return cursor_ != end_ ? *cursor_ : '\0'; }
  Ch Take() { return cursor_ != end_ ? *cursor_++ : '\0'; }
  std::size_t Tell() const { return static_cast<std::size_t>(cursor_ - begin_); }

  // Write side of the concept; a parse that is not in situ never calls it.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

  // Whitespace skipping in bulk; found by RapidJSON's unqualified SkipWhitespace call through
  // argument-dependent lookup, in place of its one-character-at-a-time generic version.
  void skipSpace() {
    while (cursor_ != end_ && isJsonSpace(*cursor_)) {
      ++cursor_;
    }
  }

 private:
  const char* begin_;
  const char* cursor_;
  const char* end_;
};

[[maybe_unused]] void SkipWhitespace(ByteStream& stream) { stream.skipSpace(); }

// Member names are structure, but a hostile or broken document can put anything in a name, so
// only names shaped like FHIR element names are echoed into an expression.
bool isPlainName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (!plain) {
      return false;
    }
  }
  return true;
}

void appendName(std::string& path, std::string_view name) {
  path += '.';
  if (isPlainName(name)) {
    path += name;
  } else {
    path += '?';
  }
}

void appendIndex(std::string& path, std::size_t index) {
  path += '[';
  path += std::to_string(index);
  path += ']';
}

// A decoded \uDC00-\uDFFF escape with no high surrogate before it comes out of RapidJSON 1.1
// as the three bytes ED B0..BF xx, which is not UTF-8. Raw input bytes of that shape were
// already refused by encoding validation, so finding one here means a lone surrogate escape.
bool hasLoneSurrogate(const char* text, std::size_t length) {
  const char* end = text + length;
  const char* cursor = text;
  while (cursor != end) {
    const void* found = std::memchr(cursor, 0xED, static_cast<std::size_t>(end - cursor));
    if (found == nullptr) {
      return false;
    }
    const char* lead = static_cast<const char*>(found);
    if (lead + 1 != end && static_cast<unsigned char>(lead[1]) >= 0xA0) {
      return true;
    }
    cursor = lead + 1;
  }
  return false;
}

struct PendingIssue {
  std::uint32_t offset;
  IssueSeverity severity;
  std::string_view code;
  std::string relative_path;  // appended to the root's name
  std::string_view diagnostics;
  bool located_in_tree;  // false for issues about the bytes (the BOM): no expression
};

struct Fatal {
  std::size_t offset = 0;
  std::string_view code;
  std::string rule;
  std::string relative_path;
};

// Builds the JsonValue tree from RapidJSON's SAX events. Children of open containers wait on
// two scratch stacks (members_ and values_) and move into an exactly sized vector when their
// container closes, as RapidJSON's own DOM does: no growth of vectors inside the tree.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  using SizeType = rapidjson::SizeType;

  TreeBuilder(std::string_view bytes, const JsonLimits& limits, const ByteStream& stream,
              std::size_t start)
      : bytes_(bytes), limits_(limits), stream_(stream), resume_(start) {
    frames_.reserve(std::min<std::size_t>(limits.max_depth, 64));
    members_.reserve(64);
    key_resume_.reserve(64);
    values_.reserve(64);
  }

  // SAX events, named as RapidJSON's handler concept requires. Returning false stops parsing
  // (a limit was hit or the input is not valid Unicode); fatal() then says why.
  bool Null() {
    std::size_t offset = valueStart();
    if (!countNode(offset)) {
      return false;
    }
    if (inObject()) {
      addIssue(offset, relativePathOfNext(), "null is not allowed as the value of a member");
    }
    finishScalar(JsonValue(), offset);
    return true;
  }

  bool Bool(bool value) {
    std::size_t offset = valueStart();
    if (!countNode(offset)) {
      return false;
    }
    finishScalar(JsonValue::makeBool(value), offset);
    return true;
  }

  bool RawNumber(const char* text, SizeType length, bool /*copy*/) {
    std::size_t offset = stream_.Tell() - length;
    if (!countNode(offset)) {
      return false;
    }
    finishScalar(JsonValue::makeNumber(std::string(text, length)), offset);
    return true;
  }

  bool String(const char* text, SizeType length, bool /*copy*/) {
    std::size_t offset = valueStart();
    if (!countNode(offset)) {
      return false;
    }
    if (hasLoneSurrogate(text, length)) {
      return fail(offset, "structure", "string holds a \\u escape of a lone surrogate");
    }
    checkStringContent(text, length, offset);
    if (isRootResourceType()) {
      root_type_.assign(text, length);
    }
    finishScalar(JsonValue::makeString(std::string(text, length)), offset);
    return true;
  }

  bool Key(const char* text, SizeType length, bool /*copy*/) {
    if (hasLoneSurrogate(text, length)) {
      return fail(valueStart(), "structure", "member name holds a \\u escape of a lone surrogate",
                  relativePathOfTop());
    }
    members_.emplace_back(std::piecewise_construct, std::forward_as_tuple(text, length),
                          std::forward_as_tuple());
    key_resume_.push_back(static_cast<std::uint32_t>(resume_));
    resume_ = stream_.Tell();
    after_key_ = true;
    return true;
  }

  bool StartObject() { return startContainer(true); }
  bool StartArray() { return startContainer(false); }

  bool EndObject(SizeType /*count*/) {
    const Frame& frame = frames_.back();
    std::size_t count = members_.size() - frame.start;
    JsonValue object = JsonValue::makeObject();
    object.setOffset(frame.offset);
    if (count == 0) {
      addIssue(frame.offset, relativePathOfTop(),
               "empty object is not allowed (leave the element out instead)");
    } else {
      auto first = members_.begin() + static_cast<std::ptrdiff_t>(frame.start);
      auto& out = object.members();
      out.reserve(count);
      out.assign(std::make_move_iterator(first), std::make_move_iterator(members_.end()));
      members_.erase(first, members_.end());
      if (count > 1) {
        removeDuplicates(out, frame.start);
      }
      key_resume_.resize(frame.start);
    }
    return finishContainer(std::move(object));
  }

  bool EndArray(SizeType /*count*/) {
    const Frame& frame = frames_.back();
    std::size_t count = values_.size() - frame.start;
    JsonValue array = JsonValue::makeArray();
    array.setOffset(frame.offset);
    if (count == 0) {
      addIssue(frame.offset, relativePathOfTop(),
               "empty array is not allowed (leave the element out instead)");
    } else {
      auto first = values_.begin() + static_cast<std::ptrdiff_t>(frame.start);
      auto& out = array.elements();
      out.reserve(count);
      out.assign(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
      values_.erase(first, values_.end());
    }
    return finishContainer(std::move(array));
  }

  void addBomWarning() {
    pending_.push_back(PendingIssue{0, IssueSeverity::Warning, "structure", "",
                                    "UTF-8 byte order mark before the document (ignored)", false});
    has_bom_warning_ = true;
  }

  bool failed() const { return fatal_.has_value(); }
  const Fatal& fatal() const { return *fatal_; }

  // Where a syntax error found by the reader sits in the tree: the member whose value was
  // expected, or else the innermost open container.
  std::string relativePathAtError() const {
    if (frames_.empty()) {
      return {};
    }
    return after_key_ && inObject() ? relativePathOfNext() : relativePathOfTop();
  }

  // "Patient" when the root object says so (and the name is plain), else "$".
  std::string rootName() const { return isPlainName(root_type_) ? root_type_ : "$"; }

  JsonValue takeRoot() { return std::move(root_); }

  // The recorded issues in document order, with their root name, line and column.
  std::vector<Issue> takeIssues() {
    std::vector<Issue> issues;
    if (pending_.empty() && dropped_ == 0) {
      return issues;
    }
    std::stable_sort(
        pending_.begin(), pending_.end(),
        [](const PendingIssue& a, const PendingIssue& b) { return a.offset < b.offset; });
    LineIndex lines(bytes_);
    std::string root = rootName();
    issues.reserve(pending_.size() + 1);
    for (auto& pending : pending_) {
      Issue issue;
      issue.severity = pending.severity;
      issue.code = pending.code;
      if (pending.located_in_tree) {
        issue.expression = root + pending.relative_path;
      }
      issue.diagnostics = pending.diagnostics;
      std::tie(issue.line, issue.column) = lines.locate(pending.offset);
      issues.push_back(std::move(issue));
    }
    if (dropped_ > 0) {
      Issue more;
      more.code = "structure";
      more.expression = root;
      more.diagnostics = std::to_string(dropped_) + " further JSON issues not listed (limit " +
                         std::to_string(limits_.max_issues) + ")";
      issues.push_back(std::move(more));
    }
    return issues;
  }

 private:
  struct Frame {
    std::size_t start;     // first child of this container in members_ or values_
    std::uint32_t offset;  // of its '{' or '['
    std::uint32_t slot;    // its place in the parent: member index in members_, or element index
    bool object;
  };

  bool inObject() const { return !frames_.empty() && frames_.back().object; }

  // First byte of the value whose event is being handled. Between the previous event and this
  // value the reader consumed only whitespace, ',' and ':'.
  std::size_t valueStart() const { return skipSeparators(resume_); }

  std::size_t skipSeparators(std::size_t from) const {
    while (from < bytes_.size() &&
           (isJsonSpace(bytes_[from]) || bytes_[from] == ',' || bytes_[from] == ':')) {
      ++from;
    }
    return from;
  }

  bool countNode(std::size_t offset) {
    if (++nodes_ > limits_.max_nodes) {
      return fail(offset, "too-costly",
                  "more values than the limit of " + std::to_string(limits_.max_nodes));
    }
    return true;
  }

  // Stops parsing at the value whose event is being handled (or, given `path`, elsewhere).
  bool fail(std::size_t offset, std::string_view code, std::string rule,
            std::optional<std::string> path = std::nullopt) {
    fatal_ = Fatal{offset, code, std::move(rule), path ? std::move(*path) : relativePathOfNext()};
    return false;
  }

  void addIssue(std::size_t offset, std::string relative_path, std::string_view diagnostics) {
    if (pending_.size() - (has_bom_warning_ ? 1 : 0) >= limits_.max_issues) {
      ++dropped_;
      return;
    }
    pending_.push_back(PendingIssue{static_cast<std::uint32_t>(offset), IssueSeverity::Error,
                                    "structure", std::move(relative_path), diagnostics, true});
  }

  // FHIR primitives may not be empty, and a string needs some non-whitespace content (FHIR R4
  // datatypes, "string": "Strings SHALL NOT be empty").
  void checkStringContent(const char* text, std::size_t length, std::size_t offset) {
    if (length == 0) {
      addIssue(offset, relativePathOfNext(), "empty string is not allowed");
      return;
    }
    if (isJsonSpace(text[0]) && std::all_of(text, text + length, isJsonSpace)) {
      addIssue(offset, relativePathOfNext(), "string of only whitespace is not allowed");
    }
  }

  bool isRootResourceType() const {
    return frames_.size() == 1 && frames_[0].object && root_type_.empty() &&
           members_.back().first == "resourceType";
  }

  void finishScalar(JsonValue value, std::size_t offset) {
    value.setOffset(static_cast<std::uint32_t>(offset));
    place(std::move(value));
    resume_ = stream_.Tell();
    after_key_ = false;
  }

  bool startContainer(bool object) {
    // In iterative mode the reader raises this event before it takes the '{' or '['.
    std::size_t offset = stream_.Tell();
    if (!countNode(offset)) {
      return false;
    }
    if (frames_.size() >= limits_.max_depth) {
      return fail(offset, "too-costly",
                  "nesting deeper than the limit of " + std::to_string(limits_.max_depth));
    }
    std::uint32_t slot = 0;
    if (!frames_.empty()) {
      slot = static_cast<std::uint32_t>(
          frames_.back().object ? members_.size() - 1 : values_.size() - frames_.back().start);
    }
    frames_.push_back(Frame{object ? members_.size() : values_.size(),
                            static_cast<std::uint32_t>(offset), slot, object});
    resume_ = offset + 1;
    after_key_ = false;
    return true;
  }

  bool finishContainer(JsonValue value) {
    // As with the start events, the reader has not yet taken the '}' or ']'.
    frames_.pop_back();
    place(std::move(value));
    resume_ = stream_.Tell() + 1;
    after_key_ = false;
    return true;
  }

  void place(JsonValue value) {
    if (frames_.empty()) {
      root_ = std::move(value);
    } else if (frames_.back().object) {
      members_.back().second = std::move(value);
    } else {
      values_.push_back(std::move(value));
    }
  }

  // FHIR JSON forbids repeating a name in one object. The first occurrence stays, later ones
  // are reported at their name and dropped, so the tree never holds two members of one name.
  void removeDuplicates(JsonMembers& members, std::size_t key_base) {
    std::size_t count = members.size();
    std::vector<bool> duplicate;
    if (count <= 16) {
      for (std::size_t i = 1; i < count; ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (members[i].first == members[j].first) {
            duplicate.resize(count);
            duplicate[i] = true;
            break;
          }
        }
      }
    } else {
      std::vector<std::uint32_t> order(count);
      std::iota(order.begin(), order.end(), 0u);
      std::stable_sort(order.begin(), order.end(), [&members](std::uint32_t a, std::uint32_t b) {
        return members[a].first < members[b].first;
      });
      for (std::size_t i = 1; i < count; ++i) {
        if (members[order[i]].first == members[order[i - 1]].first) {
          duplicate.resize(count);
          duplicate[order[i]] = true;
        }
      }
    }
    if (duplicate.empty()) {
      return;
    }

    std::string container = relativePathOfTop();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (duplicate[i]) {
        std::string path = container;
        appendName(path, members[i].first);
        addIssue(skipSeparators(key_resume_[key_base + i]), std::move(path),
                 "duplicate member name in one object (later occurrence ignored)");
        continue;
      }
      if (kept != i) {
        members[kept] = std::move(members[i]);
      }
      ++kept;
    }
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(kept), members.end());
  }

  // Path of the innermost open container, relative to the root ("" for the root itself).
  std::string relativePathOfTop() const {
    std::string path;
    for (std::size_t i = 1; i < frames_.size(); ++i) {
      if (frames_[i - 1].object) {
        appendName(path, members_[frames_[i].slot].first);
      } else {
        appendIndex(path, frames_[i].slot);
      }
    }
    return path;
  }

  // Path of the value about to be placed in the innermost open container.
  std::string relativePathOfNext() const {
    std::string path = relativePathOfTop();
    if (frames_.empty()) {
      return path;
    }
    if (frames_.back().object) {
      appendName(path, members_.back().first);
    } else {
      appendIndex(path, values_.size() - frames_.back().start);
    }
    return path;
  }

  std::string_view bytes_;
  const JsonLimits& limits_;
  const ByteStream& stream_;
  std::size_t resume_;  // end of the previous event's token
  bool after_key_ = false;
  std::size_t nodes_ = 0;

  JsonValue root_;
  std::vector<Frame> frames_;
  JsonMembers members_;
  std::vector<std::uint32_t> key_resume_;  // resume_ before each pending member's name
  JsonElements values_;

  std::string root_type_;
  std::vector<PendingIssue> pending_;
  bool has_bom_warning_ = false;
  std::size_t dropped_ = 0;
  std::optional<Fatal> fatal_;
};

Status fatalResult(std::string_view bytes, const Fatal& fatal, const std::string& root,
                   std::vector<Issue>* fatal_issues) {
  auto [line, column] = lineAndColumn(bytes, fatal.offset);
  if (fatal_issues != nullptr) {
    Issue issue;
    issue.severity = IssueSeverity::Fatal;
    issue.code = fatal.code;
    issue.expression = root + fatal.relative_path;
    issue.diagnostics = fatal.rule;
    issue.line = line;
    issue.column = column;
    fatal_issues->push_back(std::move(issue));
  }
  return Status(ErrorCode::ParseError, "line " + std::to_string(line) + ", column " +
                                           std::to_string(column) + ": " + fatal.rule);
}

}  // namespace

Result<ParsedJson> parseFhirJson(std::string_view bytes, const JsonLimits& limits,
                                 std::vector<Issue>* fatal_issues) {
  if (bytes.size() > limits.max_bytes || bytes.size() > kMaxAddressable) {
    Fatal fatal{std::min({limits.max_bytes, kMaxAddressable, bytes.size()}), "too-costly",
                "document larger than the limit of " + std::to_string(limits.max_bytes) + " bytes",
                ""};
    return fatalResult(bytes, fatal, "", fatal_issues);  // nothing read: no place in a tree
  }

  // RFC 8259 forbids a byte order mark but lets parsers ignore one; senders on Windows add it.
  std::size_t start = bytes.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  ByteStream stream(bytes, start);
  TreeBuilder builder(bytes, limits, stream, start);
  if (start != 0) {
    builder.addBomWarning();
  }

  rapidjson::Reader reader;
  rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, builder);
  if (!result) {
    if (builder.failed()) {
      return fatalResult(bytes, builder.fatal(), builder.rootName(), fatal_issues);
    }
    Fatal fatal{result.Offset(), "structure",
                std::string("JSON syntax: ") + rapidjson::GetParseError_En(result.Code()),
                builder.relativePathAtError()};
    return fatalResult(bytes, fatal, builder.rootName(), fatal_issues);
  }
  if (stream.Tell() != bytes.size()) {
    // Only a NUL byte after the document stops the reader short of the end.
    Fatal fatal{stream.Tell(), "structure", "JSON syntax: content after the end of the document",
                ""};
    return fatalResult(bytes, fatal, builder.rootName(), fatal_issues);
  }

  ParsedJson parsed;
  parsed.root = builder.takeRoot();
  parsed.issues = builder.takeIssues();
  return parsed;
}

LineIndex::LineIndex(std::string_view bytes) : size_(bytes.size()) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n'))) {
      starts_.push_back(i + 1);
    }
  }
}

std::pair<int, int> LineIndex::locate(std::size_t offset) const {
  offset = std::min(offset, size_);
  auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
  auto line = static_cast<std::size_t>(after - starts_.begin());
  return {static_cast<int>(line), static_cast<int>(offset - starts_[line - 1] + 1)};
}

std::pair<int, int> lineAndColumn(std::string_view bytes, std::size_t offset) {
  offset = std::min(offset, bytes.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    char c = bytes[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n'))) {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start + 1)};
}

}  // namespace ferry::engine::fhir
