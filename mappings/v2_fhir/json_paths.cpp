#include "mappings/v2_fhir/json_paths.h"

#include <algorithm>
#include <string>

namespace ferry::mappings::v2fhir {

using engine::fhir::JsonValue;

namespace {

void mergeInto(JsonValue& existing, JsonValue&& value) {
  if (!existing.isObject() || !value.isObject()) {
    return;
  }
  for (auto& [name, member] : value.members()) {
    JsonValue* present = existing.find(name);
    if (present == nullptr) {
      existing.add(std::move(name), std::move(member));
    } else if (present->isObject() && member.isObject()) {
      mergeInto(*present, std::move(member));
    } else if (present->isArray() && member.isArray()) {
      for (JsonValue& element : member.elements()) {
        present->push(std::move(element));
      }
    }
  }
}

void assign(JsonValue& slot, JsonValue&& value) {
  if (isEmptyValue(slot) && !slot.isArray()) {
    slot = std::move(value);
  } else {
    mergeInto(slot, std::move(value));
  }
}

JsonValue* arrayMember(JsonValue& object, std::string_view name) {
  JsonValue* array = object.find(name);
  if (array == nullptr) {
    array = &object.addArray(name);
  }
  return array->isArray() ? array : nullptr;
}

}  // namespace

bool isEmptyValue(const JsonValue& value) {
  return value.isNull() || (value.isObject() && value.members().empty()) ||
         (value.isArray() && value.elements().empty());
}

void pruneEmpty(JsonValue& value) {
  // Called on every resource: only containers are walked, and a list is rewritten only when it
  // holds something to drop.
  auto prune = [](auto& items, auto value_of) {
    bool any_empty = false;
    for (auto& item : items) {
      JsonValue& child = value_of(item);
      if (child.isObject() || child.isArray()) {
        pruneEmpty(child);
      }
      any_empty = any_empty || isEmptyValue(child);
    }
    if (any_empty) {
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](auto& item) { return isEmptyValue(value_of(item)); }),
                  items.end());
    }
  };
  if (value.isObject()) {
    prune(value.members(), [](auto& member) -> JsonValue& { return member.second; });
  } else if (value.isArray()) {
    prune(value.elements(), [](JsonValue& element) -> JsonValue& { return element; });
  }
}

void placeValue(JsonValue& target, const TargetPath& path, std::string_view suffix,
                const JsonValue& with, JsonValue&& value) {
  std::size_t last_append = path.steps.size();
  for (std::size_t index = 0; index < path.steps.size(); ++index) {
    if (path.steps[index].kind == PathStep::Kind::Append) {
      last_append = index;
    }
  }
  bool use_with = with.isObject() && !with.members().empty();
  JsonValue* current = &target;
  for (std::size_t index = 0; index < path.steps.size(); ++index) {
    const PathStep& step = path.steps[index];
    if (!current->isObject()) {
      return;
    }
    // Only a value[x] step needs its name built ("value" + "Quantity").
    std::string choice_name;
    if (step.choice) {
      choice_name.reserve(step.name.size() + suffix.size());
      choice_name.append(step.name).append(suffix);
    }
    std::string_view name = step.choice ? std::string_view(choice_name) : step.name;
    bool last = index + 1 == path.steps.size();
    switch (step.kind) {
      case PathStep::Kind::Member: {
        JsonValue* child = current->find(name);
        if (last) {
          if (child == nullptr) {
            current->add(std::string(name), std::move(value));
          } else {
            mergeInto(*child, std::move(value));
          }
          if (use_with && last_append == path.steps.size()) {
            mergeInto(*current, JsonValue(with));
          }
          return;
        }
        if (child == nullptr) {
          child = &current->addObject(name);
        }
        current = child;
        break;
      }
      case PathStep::Kind::Append: {
        JsonValue* array = arrayMember(*current, name);
        if (array == nullptr) {
          return;
        }
        JsonValue element =
            use_with && index == last_append ? JsonValue(with) : JsonValue::makeObject();
        if (last) {
          if (!element.members().empty()) {
            mergeInto(element, std::move(value));
            value = std::move(element);
          }
          // The same identifier or coding twice (ORC-2 and OBR-2) is said once.
          for (const JsonValue& present : array->elements()) {
            if (present == value) {
              return;
            }
          }
          array->push(std::move(value));
          return;
        }
        current = &array->push(std::move(element));
        break;
      }
      case PathStep::Kind::Index: {
        JsonValue* array = arrayMember(*current, name);
        if (array == nullptr) {
          return;
        }
        while (array->elements().size() <= step.index) {
          array->pushObject();
        }
        JsonValue& slot = array->elements()[step.index];
        if (last) {
          assign(slot, std::move(value));
          return;
        }
        current = &slot;
        break;
      }
    }
  }
}

bool pathExists(const JsonValue& target, const TargetPath& path) {
  const JsonValue* current = &target;
  for (const PathStep& step : path.steps) {
    if (!current->isObject()) {
      return false;
    }
    const JsonValue* child = current->find(step.name);
    if (child == nullptr || isEmptyValue(*child)) {
      return false;
    }
    if (step.kind == PathStep::Kind::Index) {
      if (!child->isArray() || child->elements().size() <= step.index ||
          isEmptyValue(child->elements()[step.index])) {
        return false;
      }
      child = &child->elements()[step.index];
    } else if (step.kind == PathStep::Kind::Append) {
      if (!child->isArray()) {
        return false;
      }
      child = &child->elements().back();
    }
    current = child;
  }
  return true;
}

}  // namespace ferry::mappings::v2fhir
