#include "mapping_test_support.h"

#include <algorithm>
#include <cctype>

#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"

namespace ferry::testing {

using engine::fhir::JsonValue;

std::string hl7(std::initializer_list<std::string_view> segments) {
  std::string text;
  for (std::string_view segment : segments) {
    text += segment;
    text += '\r';
  }
  return text;
}

mappings::v2fhir::MapOutput mapOrFail(const std::string& text,
                                      const mappings::v2fhir::MapOptions& options) {
  auto mapper = mappings::v2fhir::V2ToFhirMapper::shared();
  BOOST_REQUIRE_MESSAGE(mapper.isOk(), mapper.status().toString());
  auto message = engine::hl7::Message::parse(text);
  BOOST_REQUIRE_MESSAGE(message.isOk(), message.status().toString());
  auto output = mapper.value()->map(message.value(), options);
  BOOST_REQUIRE_MESSAGE(output.isOk(), output.status().toString());
  return std::move(output).value();
}

std::vector<const JsonValue*> resourcesOf(const JsonValue& bundle, std::string_view type) {
  std::vector<const JsonValue*> found;
  const JsonValue* entries = bundle.find("entry");
  if (entries == nullptr) {
    return found;
  }
  for (const JsonValue& entry : entries->elements()) {
    const JsonValue* resource = entry.find("resource");
    const JsonValue* resource_type = resource ? resource->find("resourceType") : nullptr;
    if (resource_type != nullptr && resource_type->text() == type) {
      found.push_back(resource);
    }
  }
  return found;
}

const JsonValue* at(const JsonValue& value, std::string_view path) {
  const JsonValue* current = &value;
  while (!path.empty() && current != nullptr) {
    std::size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (!step.empty() && std::all_of(step.begin(), step.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      std::size_t index = std::stoul(std::string(step));
      current = current->isArray() && index < current->elements().size()
                    ? &current->elements()[index]
                    : nullptr;
    } else {
      current = current->isObject() ? current->find(step) : nullptr;
    }
  }
  return current;
}

std::string textAt(const JsonValue& value, std::string_view path) {
  const JsonValue* found = at(value, path);
  return found == nullptr ? std::string() : std::string(found->text());
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace ferry::testing
