#pragma once

// A FHIR JSON value tree that keeps what FHIR says must survive a round trip: member order as
// written, numbers exactly as written (1.50 stays 1.50, 1E-245 is not turned into a double),
// strings as UTF-8. Owning and editable, so that stripping (minimum necessary) and mapping
// build and change trees the same way parsing does. Read with json_parser.h, write with
// json_writer.h.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/fhir/json_allocator.h"

namespace ferry::engine::fhir {

enum class JsonType : std::uint8_t { Null, Bool, Number, String, Array, Object };

class JsonValue;
using JsonMember = std::pair<std::string, JsonValue>;
// The lists and texts inside a tree (json_allocator.h says why they have their own allocator).
using JsonElements = std::vector<JsonValue, JsonAllocator<JsonValue>>;
using JsonMembers = std::vector<JsonMember, JsonAllocator<JsonMember>>;
using JsonText = std::basic_string<char, std::char_traits<char>, JsonAllocator<char>>;

class JsonValue {
 public:
  JsonValue() = default;  // null
  static JsonValue makeBool(bool value);
  // `text` must be a valid JSON number literal; it is kept as written.
  static JsonValue makeNumber(std::string_view text);
  static JsonValue makeString(std::string_view text);
  static JsonValue makeArray();
  static JsonValue makeObject();

  JsonType type() const { return type_; }
  bool isNull() const { return type_ == JsonType::Null; }
  bool isBool() const { return type_ == JsonType::Bool; }
  bool isNumber() const { return type_ == JsonType::Number; }
  bool isString() const { return type_ == JsonType::String; }
  bool isArray() const { return type_ == JsonType::Array; }
  bool isObject() const { return type_ == JsonType::Object; }

  bool boolean() const { return boolean_; }
  // The string's text (decoded, UTF-8) or the number's literal as written. Empty otherwise.
  // Valid until the value is changed or destroyed.
  std::string_view text() const { return text_; }
  void setText(std::string_view text) { text_.assign(text); }

  // Array elements, in order (empty unless an array).
  const JsonElements& elements() const { return elements_; }
  JsonElements& elements() { return elements_; }
  // Object members, in the order written (empty unless an object). Parsed documents never
  // hold duplicate names (the parser refuses them).
  const JsonMembers& members() const { return members_; }
  JsonMembers& members() { return members_; }

  // The member called `name`, or nullptr. Linear: FHIR objects are small.
  const JsonValue* find(std::string_view name) const;
  JsonValue* find(std::string_view name);
  // Appends a member (no duplicate check) and returns it.
  JsonValue& add(std::string name, JsonValue&& value);
  JsonValue& add(std::string name, const JsonValue& value);
  // Appends an element and returns it.
  JsonValue& push(JsonValue&& value);
  JsonValue& push(const JsonValue& value);
  // The same for code that builds large trees (the v2 mapping): each appends a member or an
  // element of one kind, made in place, and returns it. add("a", makeString(s)) builds, moves
  // and destroys a temporary value; addString("a", s) does not.
  JsonValue& addString(std::string_view name, std::string_view text);
  JsonValue& addObject(std::string_view name);
  JsonValue& addArray(std::string_view name);
  JsonValue& pushObject();
  // Removes the member called `name`; false when there was none.
  bool remove(std::string_view name);

  // Byte offset of the value's first character in the parsed input (0 for built values), for
  // line/column in error reports.
  std::uint32_t offset() const { return offset_; }
  void setOffset(std::uint32_t offset) { offset_ = offset; }

  bool operator==(const JsonValue& other) const;

 private:
  JsonValue& addNull(std::string_view name);
  JsonValue& pushNull();

  JsonType type_ = JsonType::Null;
  bool boolean_ = false;
  std::uint32_t offset_ = 0;
  JsonText text_;
  JsonElements elements_;
  JsonMembers members_;
};

}  // namespace ferry::engine::fhir
