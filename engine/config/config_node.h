#pragma once

// A parsed JSON configuration document (comments allowed) that remembers, for every value, the
// file and line it came from and its JSON pointer path, so that every configuration error can
// name file, line and path. Factories of connectors read their own settings through ConfigNode
// and report problems into ConfigErrors; nothing is opened while config is read.
//
// Thread-safety: immutable after parsing.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace ferry::engine::config {

struct ConfigError {
  std::string file;
  int line = 0;
  std::string json_path;  // JSON pointer, "/routes/3/destinations/0"
  std::string message;    // the rule broken and what was found (omitted for secrets)
};

class ConfigNode;

class ConfigErrors {
 public:
  void add(const ConfigNode& at, std::string message);
  void add(ConfigError error) { errors_.push_back(std::move(error)); }
  bool empty() const { return errors_.empty(); }
  const std::vector<ConfigError>& all() const { return errors_; }
  // One line per error: "file:line: /json/path: message".
  std::string format() const;

 private:
  std::vector<ConfigError> errors_;
};

// Internal tree node; see ConfigNode for the public view.
struct JsonTree;

class ConfigNode {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  // Parses `text` (from `file`); JSON with // and /* */ comments. Syntax errors name file and
  // line. Duplicate keys are errors.
  static Result<ConfigNode> parse(std::string_view text, std::string file);
  static Result<ConfigNode> parseFile(const std::string& path);

  Type type() const;
  bool isObject() const { return type() == Type::Object; }
  bool isArray() const { return type() == Type::Array; }
  bool isString() const { return type() == Type::String; }
  const std::string& path() const;
  const std::string& file() const;
  int line() const;
  // Human name of the node's type ("string", "object", ...).
  std::string_view typeName() const;

  // Raw values; call only after checking the type.
  const std::string& asString() const;
  double asNumber() const;
  bool asBool() const;
  // True when a Number holds an integer value.
  bool isInteger() const;

  std::optional<ConfigNode> member(std::string_view key) const;
  std::vector<std::pair<std::string, ConfigNode>> members() const;
  std::vector<ConfigNode> elements() const;

  // Typed member reads. A missing member yields `fallback` when given, else an error
  // ("required key missing"). A member of the wrong type or out of range is an error; the
  // fallback (or an empty value) is returned so that checking can go on.
  std::string getString(std::string_view key, ConfigErrors& errors,
                        std::optional<std::string> fallback = std::nullopt) const;
  std::int64_t getInt(std::string_view key, ConfigErrors& errors,
                      std::optional<std::int64_t> fallback, std::int64_t min,
                      std::int64_t max) const;
  double getNumber(std::string_view key, ConfigErrors& errors, std::optional<double> fallback,
                   double min, double max) const;
  bool getBool(std::string_view key, ConfigErrors& errors,
               std::optional<bool> fallback = std::nullopt) const;
  std::vector<std::string> getStringList(std::string_view key, ConfigErrors& errors) const;

  // Reports every member whose key is not in `allowed` ("unknown key 'x'").
  void rejectUnknownKeys(std::initializer_list<std::string_view> allowed,
                         ConfigErrors& errors) const;
  // Reports an error unless this node is an object.
  bool requireObject(ConfigErrors& errors) const;

  ConfigNode(std::shared_ptr<const JsonTree> root, const void* node);

 private:
  std::shared_ptr<const JsonTree> root_;  // keeps the whole tree alive
  const void* node_;                      // a node inside root_
};

}  // namespace ferry::engine::config
