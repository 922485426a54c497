#include "engine/fhir/json_value.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace ferry::engine::fhir {

JsonValue JsonValue::makeBool(bool value) {
  JsonValue result;
  result.type_ = JsonType::Bool;
  result.boolean_ = value;
  return result;
}

JsonValue JsonValue::makeNumber(std::string_view text) {
  JsonValue result;
  result.type_ = JsonType::Number;
  result.text_.assign(text);
  return result;
}

JsonValue JsonValue::makeString(std::string_view text) {
  JsonValue result;
  result.type_ = JsonType::String;
  result.text_.assign(text);
  return result;
}

JsonValue JsonValue::makeArray() {
  JsonValue result;
  result.type_ = JsonType::Array;
  return result;
}

JsonValue JsonValue::makeObject() {
  JsonValue result;
  result.type_ = JsonType::Object;
  return result;
}

namespace {

// Member names are short, and those of one object mostly differ in length or first letter:
// checking both first saves the call to memcmp that a full comparison makes.
bool sameName(const std::string& name, std::string_view wanted) {
  return name.size() == wanted.size() &&
         (wanted.empty() || (name.front() == wanted.front() &&
                             std::memcmp(name.data(), wanted.data(), name.size()) == 0));
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view name) const {
  for (const auto& member : members_) {
    if (sameName(member.first, name)) {
      return &member.second;
    }
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view name) {
  for (auto& member : members_) {
    if (sameName(member.first, name)) {
      return &member.second;
    }
  }
  return nullptr;
}

// Most FHIR objects and arrays hold a handful of entries: starting with room for four skips the
// 1, 2, 4 regrowths (each an allocation and a move of every entry so far).
constexpr std::size_t kFirstCapacity = 4;

JsonValue& JsonValue::add(std::string name, JsonValue&& value) {
  if (members_.capacity() == 0) {
    members_.reserve(kFirstCapacity);
  }
  return members_.emplace_back(std::move(name), std::move(value)).second;
}

JsonValue& JsonValue::add(std::string name, const JsonValue& value) {
  return add(std::move(name), JsonValue(value));
}

JsonValue& JsonValue::push(JsonValue&& value) {
  if (elements_.capacity() == 0) {
    elements_.reserve(kFirstCapacity);
  }
  return elements_.emplace_back(std::move(value));
}

JsonValue& JsonValue::push(const JsonValue& value) { return push(JsonValue(value)); }

JsonValue& JsonValue::addNull(std::string_view name) {
  if (members_.capacity() == 0) {
    members_.reserve(kFirstCapacity);
  }
  return members_
      .emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple())
      .second;
}

JsonValue& JsonValue::pushNull() {
  if (elements_.capacity() == 0) {
    elements_.reserve(kFirstCapacity);
  }
  return elements_.emplace_back();
}

JsonValue& JsonValue::addString(std::string_view name, std::string_view text) {
  JsonValue& added = addNull(name);
  added.type_ = JsonType::String;
  added.text_.assign(text);
  return added;
}

JsonValue& JsonValue::addObject(std::string_view name) {
  JsonValue& added = addNull(name);
  added.type_ = JsonType::Object;
  return added;
}

JsonValue& JsonValue::addArray(std::string_view name) {
  JsonValue& added = addNull(name);
  added.type_ = JsonType::Array;
  return added;
}

JsonValue& JsonValue::pushObject() {
  JsonValue& pushed = pushNull();
  pushed.type_ = JsonType::Object;
  return pushed;
}

bool JsonValue::remove(std::string_view name) {
  auto found = std::find_if(members_.begin(), members_.end(),
                            [name](const JsonMember& member) { return member.first == name; });
  if (found == members_.end()) {
    return false;
  }
  members_.erase(found);
  return true;
}

bool JsonValue::operator==(const JsonValue& other) const {
  // Offsets say where a value came from, not what it is: a written and re-read tree must
  // compare equal to the original.
  return type_ == other.type_ && boolean_ == other.boolean_ && text_ == other.text_ &&
         elements_ == other.elements_ && members_ == other.members_;
}

}  // namespace ferry::engine::fhir
