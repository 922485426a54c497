// The Bundle rules of the validator (R4 bundle.html): bdl-1 to bdl-5 and bdl-7 to bdl-12, and
// the fullUrl rules of Bundle.entry.fullUrl (present when the entry has a resource, absolute,
// agreeing with a RESTful resource's type and id). FHIRPath itself is not evaluated.

#include <algorithm>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/fhir/validator_json_util.h"
#include "engine/fhir/validator_walker.h"

namespace ferry::engine::fhir::validation {

void Walker::checkBundle(const JsonValue& bundle) {
  std::string_view type = stringMember(bundle, "type");
  const JsonValue* entries = bundle.find("entry");
  bool has_entries = entries != nullptr && entries->isArray() && !entries->elements().empty();

  if (bundle.find("total") != nullptr && type != "searchset" && type != "history") {
    report(IssueSeverity::Error, "invariant",
           "bdl-1: total is only allowed in a search set or history", bundle.find("total"),
           "total");
  }
  if (type == "document") {
    const JsonValue* identifier = objectMember(bundle, "identifier");
    if (identifier == nullptr || stringMember(*identifier, "system").empty() ||
        stringMember(*identifier, "value").empty()) {
      report(IssueSeverity::Error, "invariant",
             "bdl-9: a document must have an identifier with a system and a value", &bundle);
    }
    if (bundle.find("timestamp") == nullptr) {
      report(IssueSeverity::Error, "invariant", "bdl-10: a document must have a timestamp",
             &bundle);
    }
  }
  if ((type == "document" || type == "message") && has_entries) {
    const JsonValue& first = entries->elements().front();
    const JsonValue* resource = objectMember(first, "resource");
    std::string_view first_type = resource ? stringMember(*resource, "resourceType") : "";
    bool document = type == "document";
    if (first_type != (document ? "Composition" : "MessageHeader")) {
      report(IssueSeverity::Error, "invariant",
             document ? "bdl-11: the first resource of a document must be a Composition"
                      : "bdl-12: the first resource of a message must be a MessageHeader",
             &first, "entry", 0);
    }
  }
  if (!has_entries) {
    return;
  }

  // bdl-7: a fullUrl once per bundle, unless the versions differ (history bundles exempt).
  std::vector<std::tuple<std::string_view, std::string_view, std::size_t>> full_urls;
  const JsonElements& items = entries->elements();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].isObject()) {
      continue;
    }
    PathGuard guard(path_, "entry");
    path_.back().index = static_cast<std::int32_t>(i);
    checkBundleEntry(items[i], type);
    std::string_view full_url = stringMember(items[i], "fullUrl");
    if (!full_url.empty()) {
      const JsonValue* resource = objectMember(items[i], "resource");
      const JsonValue* meta = resource ? objectMember(*resource, "meta") : nullptr;
      full_urls.emplace_back(full_url, meta ? stringMember(*meta, "versionId") : "", i);
    }
  }
  if (type == "history") {
    return;
  }
  std::sort(full_urls.begin(), full_urls.end());
  for (std::size_t i = 1; i < full_urls.size(); ++i) {
    if (std::get<0>(full_urls[i]) == std::get<0>(full_urls[i - 1]) &&
        std::get<1>(full_urls[i]) == std::get<1>(full_urls[i - 1])) {
      std::size_t index = std::get<2>(full_urls[i]);
      PathGuard guard(path_, "entry");
      path_.back().index = static_cast<std::int32_t>(index);
      report(IssueSeverity::Error, "invariant",
             "bdl-7: the same fullUrl appears in more than one entry", items[index].find("fullUrl"),
             "fullUrl");
    }
  }
}

void Walker::checkBundleEntry(const JsonValue& entry, std::string_view type) {
  const JsonValue* resource = objectMember(entry, "resource");
  const JsonValue* request = entry.find("request");
  const JsonValue* response = entry.find("response");
  const JsonValue* full_url = entry.find("fullUrl");

  if (resource == nullptr && request == nullptr && response == nullptr) {
    report(IssueSeverity::Error, "invariant",
           "bdl-5: an entry must have a resource unless it has a request or response", &entry);
  }
  if (entry.find("search") != nullptr && type != "searchset") {
    report(IssueSeverity::Error, "invariant", "bdl-2: entry.search is only allowed in a search set",
           entry.find("search"), "search");
  }
  // bdl-3 and bdl-4 compare with Bundle.type; without a known type (itself an error) they
  // cannot be judged.
  bool known_type = type == "document" || type == "message" || type == "transaction" ||
                    type == "transaction-response" || type == "batch" || type == "batch-response" ||
                    type == "history" || type == "searchset" || type == "collection";
  bool wants_request = type == "batch" || type == "transaction" || type == "history";
  if (known_type && (request != nullptr) != wants_request) {
    report(IssueSeverity::Error, "invariant",
           wants_request ? "bdl-3: entry.request is required in a batch, transaction or history"
                         : "bdl-3: entry.request is only allowed in a batch, transaction or "
                           "history",
           request != nullptr ? request : &entry, request != nullptr ? "request" : "");
  }
  bool wants_response =
      type == "batch-response" || type == "transaction-response" || type == "history";
  if (known_type && (response != nullptr) != wants_response) {
    report(IssueSeverity::Error, "invariant",
           wants_response ? "bdl-4: entry.response is required in a batch-response, "
                            "transaction-response or history"
                          : "bdl-4: entry.response is only allowed in a batch-response, "
                            "transaction-response or history",
           response != nullptr ? response : &entry, response != nullptr ? "response" : "");
  }

  if (full_url == nullptr || !full_url->isString()) {
    // Bundle.entry.fullUrl: may be left out on a POST (the server assigns the id) and in the
    // results of operations (search sets and batch/transaction responses).
    bool post = request != nullptr && stringMember(*request, "method") == "POST";
    bool exempt =
        post || type == "searchset" || type == "batch-response" || type == "transaction-response";
    if (resource != nullptr && !exempt && full_url == nullptr) {
      report(IssueSeverity::Error, "required", "fullUrl is required when an entry has a resource",
             &entry, "fullUrl");
    }
    return;
  }
  std::string_view url = full_url->text();
  if (!isAbsoluteUri(url)) {
    report(IssueSeverity::Error, "invalid", "fullUrl must be an absolute URI", full_url, "fullUrl");
    return;
  }
  if (url.find("/_history/") != std::string_view::npos) {
    report(IssueSeverity::Error, "invariant",
           "bdl-8: fullUrl cannot be a version specific reference", full_url, "fullUrl");
  }
  if (resource == nullptr || startsWith(url, "urn:")) {
    return;
  }
  // A RESTful fullUrl ([base]/[type]/[id]) must agree with the resource's type and id.
  auto [url_type, url_id] = restTypeAndId(url);
  if (!model_.isResourceType(url_type)) {
    return;
  }
  std::string_view resource_type = stringMember(*resource, "resourceType");
  std::string_view id = stringMember(*resource, "id");
  if (url_type != resource_type) {
    report(IssueSeverity::Error, "invalid",
           "fullUrl names a different resource type than the entry's resource", full_url,
           "fullUrl");
  } else if (id.empty()) {
    report(IssueSeverity::Error, "invalid", "the entry's resource needs an id matching the fullUrl",
           resource, "resource");
  } else if (id != url_id) {
    report(IssueSeverity::Error, "invalid", "fullUrl and the resource's id do not agree", full_url,
           "fullUrl");
  }
}

}  // namespace ferry::engine::fhir::validation
