#include "engine/config/config_node.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace ferry::engine::config {

struct JsonNode {
  ConfigNode::Type type = ConfigNode::Type::Null;
  std::string text;
  double number = 0;
  bool is_integer = false;
  bool exact_integer = false;  // written as an integer literal: `integer` holds it exactly
  std::int64_t integer = 0;
  bool integer_overflow = false;  // an integer literal beyond the int64 range
  bool boolean = false;
  int line = 0;
  std::string path;
  std::vector<std::pair<std::string, const JsonNode*>> members;
  std::vector<const JsonNode*> elements;
};

struct JsonTree {
  std::string file;
  std::deque<JsonNode> nodes;  // deque: pointers stay valid as nodes are added
  const JsonNode* root = nullptr;
};

namespace {

// Nesting past this is refused: configuration never needs it and it bounds recursion.
constexpr std::size_t kMaxConfigDepth = 64;
constexpr std::uintmax_t kMaxConfigFileBytes = 16 * 1024 * 1024;

// A RapidJSON input stream over a string that counts lines as it goes.
class LineCountingStream {
 public:
  using Ch = char;
  explicit LineCountingStream(std::string_view text) : text_(text) {}

  Ch Peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }
  Ch Take() {
    if (position_ >= text_.size()) {
      return '\0';
    }
    char c = text_[position_++];
    if (c == '\n') {
      ++line_;
    }
    return c;
  }
  std::size_t Tell() const { return position_; }
  int line() const { return line_; }

  // Output functions RapidJSON requires to exist but never calls for a reader.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  int line_ = 1;
};

std::string escapePointerToken(const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// SAX handler that builds the tree, remembering line and JSON pointer of every value.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  TreeBuilder(JsonTree& tree, const LineCountingStream& stream) : tree_(tree), stream_(stream) {}

  bool Null() { return add(ConfigNode::Type::Null); }
  bool Bool(bool value) {
    JsonNode* node = add(ConfigNode::Type::Bool);
    node->boolean = value;
    return true;
  }
  bool Int(int value) { return integer(value, false, value); }
  bool Uint(unsigned value) { return integer(value, false, value); }
  bool Int64(std::int64_t value) { return integer(value, false, static_cast<double>(value)); }
  bool Uint64(std::uint64_t value) {
    bool overflow = value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return integer(overflow ? 0 : static_cast<std::int64_t>(value), overflow,
                   static_cast<double>(value));
  }
  bool Double(double value) {
    JsonNode* node = add(ConfigNode::Type::Number);
    node->number = value;
    node->is_integer = std::floor(value) == value && std::isfinite(value);
    return true;
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    JsonNode* node = add(ConfigNode::Type::String);
    node->text.assign(text, length);
    return true;
  }
  bool StartObject() { return open(ConfigNode::Type::Object); }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    std::string key(text, length);
    JsonNode* object = stack_.back();
    for (const auto& [existing, unused] : object->members) {
      if (existing == key) {
        error_ = "duplicate key '" + key + "'";
        error_line_ = stream_.line();
        return false;
      }
    }
    pending_key_ = std::move(key);
    pending_key_line_ = stream_.line();
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(ConfigNode::Type::Array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  const std::string& error() const { return error_; }
  int errorLine() const { return error_line_; }

 private:
  // `as_double` is the value as a number, exact or not (a literal past int64 keeps it here).
  bool integer(std::int64_t value, bool overflow, double as_double) {
    JsonNode* node = add(ConfigNode::Type::Number);
    node->number = as_double;
    node->is_integer = true;
    node->exact_integer = true;
    node->integer = value;
    node->integer_overflow = overflow;
    return true;
  }

  JsonNode* add(ConfigNode::Type type) {
    JsonNode& node = tree_.nodes.emplace_back();
    node.type = type;
    node.line = stream_.line();
    if (stack_.empty()) {
      node.path = "";
      tree_.root = &node;
    } else if (stack_.back()->type == ConfigNode::Type::Object) {
      node.path = stack_.back()->path + "/" + escapePointerToken(pending_key_);
      node.line = pending_key_line_;
      stack_.back()->members.emplace_back(pending_key_, &node);
    } else {
      node.path = stack_.back()->path + "/" + std::to_string(stack_.back()->elements.size());
      stack_.back()->elements.push_back(&node);
    }
    return &node;
  }

  bool open(ConfigNode::Type type) {
    if (stack_.size() >= kMaxConfigDepth) {
      error_ = "nesting deeper than " + std::to_string(kMaxConfigDepth) + " levels";
      error_line_ = stream_.line();
      return false;
    }
    stack_.push_back(add(type));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  JsonTree& tree_;
  const LineCountingStream& stream_;
  std::vector<JsonNode*> stack_;
  std::string pending_key_;
  int pending_key_line_ = 0;
  std::string error_;
  int error_line_ = 0;
};

// Where the first byte after `position` that is neither white space nor part of a complete
// comment stands; npos when there is none.
std::size_t findTrailingText(std::string_view text, std::size_t position) {
  while (position < text.size()) {
    char c = text[position];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++position;
    } else if (text.substr(position, 2) == "//") {
      auto end = text.find('\n', position);
      position = end == std::string_view::npos ? text.size() : end + 1;
    } else if (text.substr(position, 2) == "/*") {
      auto end = text.find("*/", position + 2);
      if (end == std::string_view::npos) {
        return position;
      }
      position = end + 2;
    } else {
      return position;
    }
  }
  return std::string_view::npos;
}

const JsonNode& asNode(const void* node) { return *static_cast<const JsonNode*>(node); }

std::string_view nameOfType(ConfigNode::Type type) {
  switch (type) {
    case ConfigNode::Type::Null:
      return "null";
    case ConfigNode::Type::Bool:
      return "boolean";
    case ConfigNode::Type::Number:
      return "number";
    case ConfigNode::Type::String:
      return "string";
    case ConfigNode::Type::Array:
      return "array";
    case ConfigNode::Type::Object:
      return "object";
  }
  return "unknown";
}

}  // namespace

void ConfigErrors::add(const ConfigNode& at, std::string message) {
  errors_.push_back(
      ConfigError{at.file(), at.line(), at.path().empty() ? "/" : at.path(), std::move(message)});
}

std::string ConfigErrors::format() const {
  std::ostringstream out;
  for (const auto& error : errors_) {
    if (error.file.empty()) {
      out << error.message << "\n";  // already carries its own file and line
      continue;
    }
    out << error.file << ":" << error.line << ": "
        << (error.json_path.empty() ? "/" : error.json_path) << ": " << error.message << "\n";
  }
  return out.str();
}

ConfigNode::ConfigNode(std::shared_ptr<const JsonTree> root, const void* node)
    : root_(std::move(root)), node_(node) {}

Result<ConfigNode> ConfigNode::parse(std::string_view text, std::string file) {
  auto tree = std::make_shared<JsonTree>();
  tree->file = std::move(file);

  LineCountingStream stream(text);
  TreeBuilder builder(*tree, stream);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseCommentsFlag | rapidjson::kParseStopWhenDoneFlag |
                              rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult result = reader.Parse<kFlags>(stream, builder);
  if (result.IsError()) {
    std::string why =
        builder.error().empty() ? rapidjson::GetParseError_En(result.Code()) : builder.error();
    int line = builder.error().empty() ? stream.line() : builder.errorLine();
    return Status(ErrorCode::ConfigError, tree->file + ":" + std::to_string(line) + ": " + why);
  }

  // Only whitespace and comments may follow the document, up to the very last byte.
  if (std::size_t trailing = findTrailingText(text, stream.Tell());
      trailing != std::string_view::npos) {
    auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(trailing), '\n');
    return Status(ErrorCode::ConfigError, tree->file + ":" + std::to_string(line) +
                                              ": unexpected text after the JSON document");
  }
  if (tree->root == nullptr) {
    return Status(ErrorCode::ConfigError, tree->file + ":1: empty document");
  }
  const JsonNode* root = tree->root;
  return ConfigNode(std::move(tree), root);
}

Result<ConfigNode> ConfigNode::parseFile(const std::string& path) {
  // A configuration is kilobytes; refusing what is not a regular file or is huge keeps
  // `--config /dev/zero` or a directory from being read without end.
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Status(ErrorCode::ConfigError, path + ": not a readable regular file");
  }
  if (std::filesystem::file_size(path, error) > kMaxConfigFileBytes || error) {
    return Status(ErrorCode::ConfigError,
                  path + ": larger than " + std::to_string(kMaxConfigFileBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::ConfigError, path + ": cannot open file");
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parse(content.str(), path);
}

ConfigNode::Type ConfigNode::type() const { return asNode(node_).type; }
const std::string& ConfigNode::path() const { return asNode(node_).path; }
const std::string& ConfigNode::file() const { return root_->file; }
int ConfigNode::line() const { return asNode(node_).line; }
std::string_view ConfigNode::typeName() const { return nameOfType(type()); }
const std::string& ConfigNode::asString() const { return asNode(node_).text; }
double ConfigNode::asNumber() const { return asNode(node_).number; }
bool ConfigNode::asBool() const { return asNode(node_).boolean; }
bool ConfigNode::isInteger() const { return type() == Type::Number && asNode(node_).is_integer; }

std::optional<ConfigNode> ConfigNode::member(std::string_view key) const {
  for (const auto& [name, child] : asNode(node_).members) {
    if (name == key) {
      return ConfigNode(root_, child);
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::members() const {
  std::vector<std::pair<std::string, ConfigNode>> result;
  for (const auto& [name, child] : asNode(node_).members) {
    result.emplace_back(name, ConfigNode(root_, child));
  }
  return result;
}

std::vector<ConfigNode> ConfigNode::elements() const {
  std::vector<ConfigNode> result;
  for (const JsonNode* child : asNode(node_).elements) {
    result.emplace_back(root_, child);
  }
  return result;
}

namespace {

// Reports a missing required key against the object that lacks it.
void missing(const ConfigNode& object, std::string_view key, ConfigErrors& errors) {
  errors.add(object, "required key '" + std::string(key) + "' is missing");
}

void wrongType(const ConfigNode& value, std::string_view expected, ConfigErrors& errors) {
  errors.add(value,
             "expected " + std::string(expected) + ", found " + std::string(value.typeName()));
}

}  // namespace

std::string ConfigNode::getString(std::string_view key, ConfigErrors& errors,
                                  std::optional<std::string> fallback) const {
  auto value = member(key);
  if (!value) {
    if (!fallback) {
      missing(*this, key, errors);
    }
    return fallback.value_or("");
  }
  if (!value->isString()) {
    wrongType(*value, "a string", errors);
    return fallback.value_or("");
  }
  return value->asString();
}

std::int64_t ConfigNode::getInt(std::string_view key, ConfigErrors& errors,
                                std::optional<std::int64_t> fallback, std::int64_t min,
                                std::int64_t max) const {
  auto value = member(key);
  if (!value) {
    if (!fallback) {
      missing(*this, key, errors);
    }
    return fallback.value_or(min);
  }
  if (!value->isInteger()) {
    wrongType(*value, "an integer", errors);
    return fallback.value_or(min);
  }
  const JsonNode& node = asNode(value->node_);
  // Integer literals are read exactly; an integral double (1e3) is converted when in range.
  bool in_range =
      node.exact_integer ? !node.integer_overflow : (node.number < 9.2e18 && node.number > -9.2e18);
  std::int64_t number = node.exact_integer ? node.integer : static_cast<std::int64_t>(node.number);
  if (!in_range || number < min || number > max) {
    std::ostringstream message;
    message << "must be between " << min << " and " << max;
    errors.add(*value, message.str());
    return fallback.value_or(min);
  }
  return number;
}

double ConfigNode::getNumber(std::string_view key, ConfigErrors& errors,
                             std::optional<double> fallback, double min, double max) const {
  auto value = member(key);
  if (!value) {
    if (!fallback) {
      missing(*this, key, errors);
    }
    return fallback.value_or(min);
  }
  if (value->type() != Type::Number) {
    wrongType(*value, "a number", errors);
    return fallback.value_or(min);
  }
  double number = value->asNumber();
  if (number < min || number > max) {
    std::ostringstream message;
    message << "must be between " << min << " and " << max << ", found " << number;
    errors.add(*value, message.str());
    return fallback.value_or(min);
  }
  return number;
}

bool ConfigNode::getBool(std::string_view key, ConfigErrors& errors,
                         std::optional<bool> fallback) const {
  auto value = member(key);
  if (!value) {
    if (!fallback) {
      missing(*this, key, errors);
    }
    return fallback.value_or(false);
  }
  if (value->type() != Type::Bool) {
    wrongType(*value, "true or false", errors);
    return fallback.value_or(false);
  }
  return value->asBool();
}

std::vector<std::string> ConfigNode::getStringList(std::string_view key,
                                                   ConfigErrors& errors) const {
  std::vector<std::string> result;
  auto value = member(key);
  if (!value) {
    return result;
  }
  if (!value->isArray()) {
    wrongType(*value, "an array of strings", errors);
    return result;
  }
  for (const auto& element : value->elements()) {
    if (!element.isString()) {
      wrongType(element, "a string", errors);
      continue;
    }
    result.push_back(element.asString());
  }
  return result;
}

void ConfigNode::rejectUnknownKeys(std::initializer_list<std::string_view> allowed,
                                   ConfigErrors& errors) const {
  if (!isObject()) {
    return;
  }
  for (const auto& [name, child] : members()) {
    bool known = false;
    for (std::string_view candidate : allowed) {
      known = known || candidate == name;
    }
    if (!known) {
      errors.add(child, "unknown key '" + name + "'");
    }
  }
}

bool ConfigNode::requireObject(ConfigErrors& errors) const {
  if (isObject()) {
    return true;
  }
  wrongType(*this, "an object", errors);
  return false;
}

}  // namespace ferry::engine::config
