#include "mappings/fhir_v2/resource_index.h"

#include <algorithm>

namespace ferry::mappings::fhirv2 {

using engine::fhir::JsonValue;

const JsonValue* member(const JsonValue* object, std::string_view name) {
  if (object == nullptr || !object->isObject()) {
    return nullptr;
  }
  return object->find(name);
}

std::string textOf(const JsonValue* object, std::string_view name) {
  const JsonValue* value = member(object, name);
  if (value == nullptr || !(value->isString() || value->isNumber())) {
    return {};
  }
  return std::string(value->text());
}

std::vector<const JsonValue*> elementsOf(const JsonValue* object, std::string_view name) {
  std::vector<const JsonValue*> out;
  const JsonValue* value = member(object, name);
  if (value == nullptr) {
    return out;
  }
  if (!value->isArray()) {
    out.push_back(value);
    return out;
  }
  for (const JsonValue& element : value->elements()) {
    if (!element.isNull()) {
      out.push_back(&element);
    }
  }
  return out;
}

std::string resourceTypeOf(const JsonValue* resource) { return textOf(resource, "resourceType"); }

ResourceIndex::ResourceIndex(const JsonValue& root) : root_(root) {
  bundle_ = resourceTypeOf(&root) == "Bundle";
  if (!bundle_) {
    addResource(&root, std::string());
    return;
  }
  for (const JsonValue* entry : elementsOf(&root, "entry")) {
    const JsonValue* resource = member(entry, "resource");
    if (resource != nullptr && resource->isObject()) {
      addResource(resource, textOf(entry, "fullUrl"));
    }
  }
}

void ResourceIndex::addResource(const JsonValue* resource, const std::string& full_url) {
  resources_.push_back(resource);
  container_[resource] = resource;
  if (!full_url.empty()) {
    by_url_.emplace(full_url, resource);
  }
  std::string type = resourceTypeOf(resource);
  std::string id = textOf(resource, "id");
  if (!type.empty() && !id.empty()) {
    by_type_id_.emplace(type + "/" + id, resource);
  }
  for (const JsonValue* inner : elementsOf(resource, "contained")) {
    container_[inner] = resource;
  }
}

std::vector<const JsonValue*> ResourceIndex::ofType(std::string_view type) const {
  std::vector<const JsonValue*> out;
  for (const JsonValue* resource : resources_) {
    if (resourceTypeOf(resource) == type) {
      out.push_back(resource);
    }
  }
  return out;
}

std::vector<const JsonValue*> ResourceIndex::contained(const JsonValue* resource) const {
  return elementsOf(resource, "contained");
}

const JsonValue* ResourceIndex::containerOf(const JsonValue* resource) const {
  auto found = container_.find(resource);
  return found == container_.end() ? resource : found->second;
}

const JsonValue* ResourceIndex::resolve(const JsonValue* reference, const JsonValue* from) const {
  std::string target = textOf(reference, "reference");
  if (target.empty()) {
    return nullptr;
  }
  if (target.front() == '#') {
    const JsonValue* container = containerOf(from);
    for (const JsonValue* inner : contained(container)) {
      if (textOf(inner, "id") == std::string_view(target).substr(1)) {
        return inner;
      }
    }
    return nullptr;
  }
  if (auto found = by_url_.find(target); found != by_url_.end()) {
    return found->second;
  }
  // "Type/id", or an absolute URL whose last two steps are "Type/id" (a version suffix
  // "/_history/n" is dropped).
  std::string tail = target;
  if (std::size_t history = tail.find("/_history/"); history != std::string::npos) {
    tail.resize(history);
  }
  std::size_t slash = tail.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::size_t before = tail.rfind('/', slash - 1);
    std::string key = tail.substr(before == std::string::npos ? 0 : before + 1);
    if (auto found = by_type_id_.find(key); found != by_type_id_.end()) {
      return found->second;
    }
  }
  return nullptr;
}

bool ResourceIndex::refersTo(const JsonValue* reference, const JsonValue* from,
                             const JsonValue* target) const {
  return target != nullptr && resolve(reference, from) == target;
}

void Coverage::use(const JsonValue* value) {
  if (value != nullptr) {
    used_.insert(value);
  }
}

bool Coverage::used(const JsonValue* value) const { return used_.count(value) != 0; }

bool Coverage::touched(const JsonValue* value) const {
  if (value == nullptr) {
    return false;
  }
  if (used(value)) {
    return true;
  }
  for (const JsonValue& element : value->elements()) {
    if (touched(&element)) {
      return true;
    }
  }
  for (const auto& [name, child] : value->members()) {
    if (touched(&child)) {
      return true;
    }
  }
  return false;
}

void Coverage::collect(const JsonValue& value, const std::string& path,
                       std::vector<std::string>& out) const {
  if (used(&value) || value.isNull()) {
    return;
  }
  if (!touched(&value)) {
    if (std::find(out.begin(), out.end(), path) == out.end()) {
      out.push_back(path);
    }
    return;
  }
  for (const JsonValue& element : value.elements()) {
    collect(element, path, out);
  }
  for (const auto& [name, child] : value.members()) {
    if ((name == "extension" || name == "modifierExtension") && child.isArray()) {
      // Extensions are told apart by their URL (a definition, never patient data).
      for (const JsonValue& extension : child.elements()) {
        std::string url = textOf(&extension, "url");
        collect(extension, path + "." + name + (url.empty() ? "" : "(" + url + ")"), out);
      }
      continue;
    }
    collect(child, path + "." + name, out);
  }
}

}  // namespace ferry::mappings::fhirv2
