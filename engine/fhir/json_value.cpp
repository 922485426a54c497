#include "engine/fhir/json_value.h"

#include <algorithm>

namespace ferry::engine::fhir {

JsonValue JsonValue::makeBool(bool value) {
  JsonValue result;
  result.type_ = JsonType::Bool;
  result.boolean_ = value;
  return result;
}

JsonValue JsonValue::makeNumber(std::string text) {
  JsonValue result;
  result.type_ = JsonType::Number;
  result.text_ = std::move(text);
  return result;
}

JsonValue JsonValue::makeString(std::string text) {
  JsonValue result;
  result.type_ = JsonType::String;
  result.text_ = std::move(text);
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

const JsonValue* JsonValue::find(std::string_view name) const {
  for (const auto& member : members_) {
    if (member.first == name) {
      return &member.second;
    }
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view name) {
  for (auto& member : members_) {
    if (member.first == name) {
      return &member.second;
    }
  }
  return nullptr;
}

JsonValue& JsonValue::add(std::string name, JsonValue value) {
  return members_.emplace_back(std::move(name), std::move(value)).second;
}

JsonValue& JsonValue::push(JsonValue value) { return elements_.emplace_back(std::move(value)); }

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
