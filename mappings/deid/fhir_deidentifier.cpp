#include "mappings/deid/fhir_deidentifier.h"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mappings/deid/generalise.h"
#include "mappings/strip/fhir_strip.h"

namespace ferry::mappings::deid {

namespace {

using engine::ErrorCode;
using engine::Status;
using engine::fhir::Definitions;
using engine::fhir::ElementDefinition;
using engine::fhir::JsonElements;
using engine::fhir::JsonMember;
using engine::fhir::JsonMembers;
using engine::fhir::JsonValue;
using engine::fhir::StructureDefinition;
using strip::ActionList;
using ChildMatch = Definitions::ChildMatch;

constexpr std::array<std::string_view, 4> kAgeCodes = {"30525-0", "21612-7", "29553-5", "21611-9"};

// Extensions that exist to carry identifying parts (a maiden name, street parts, coordinates):
// removed whole, whatever their value type.
constexpr std::array<std::string_view, 7> kIdentifyingExtensions = {
    "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
    "http://hl7.org/fhir/StructureDefinition/geolocation",
    "http://hl7.org/fhir/StructureDefinition/humanname-",
    "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-",
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-",
    "http://hl7.org/fhir/StructureDefinition/iso21090-TEL-",
    "http://hl7.org/fhir/StructureDefinition/contactpoint-",
};

// Strings that name codes, units and structure, not people.
constexpr std::array<std::string_view, 17> kKeptStrings = {
    "Coding.display",
    "Coding.version",
    "CodeableConcept.text",  // only while the concept has a coding, see members()
    "Quantity.unit",
    "Age.unit",
    "Count.unit",
    "Distance.unit",
    "Duration.unit",
    "MoneyQuantity.unit",
    "SimpleQuantity.unit",
    "Address.state",
    "Address.country",
    "Observation.referenceRange.text",
    "Questionnaire.item.linkId",
    "QuestionnaireResponse.item.linkId",
    "Bundle.entry.response.status",
    "Bundle.entry.response.etag",
};

// Types removed wherever they occur.
constexpr std::array<std::string_view, 9> kRemovedTypes = {
    "HumanName", "ContactPoint", "Signature", "Narrative", "base64Binary",
    "xhtml",     "oid",          "uuid",      "Identifier"};

// Elements removed by path: search URLs, the source system's request ids, coordinates.
constexpr std::array<std::string_view, 5> kRemovedPaths = {"Bundle.link", "Bundle.entry.link",
                                                           "Bundle.entry.request.ifNoneExist",
                                                           "Meta.source", "Location.position"};

constexpr std::string_view kRedacted = "redacted";

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view value) {
  for (std::string_view item : list) {
    if (item == value) {
      return true;
    }
  }
  return false;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool mentionsAge(std::string_view text) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
    if (lower(text[i]) == 'a' && lower(text[i + 1]) == 'g' && lower(text[i + 2]) == 'e' &&
        (i == 0 || !letter(text[i - 1])) && (i + 3 == text.size() || !letter(text[i + 3]))) {
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> stringMember(const JsonValue& object, std::string_view name) {
  const JsonValue* value = object.isObject() ? object.find(name) : nullptr;
  if (value == nullptr || !value->isString()) {
    return std::nullopt;
  }
  return value->text();
}

bool isAgeConcept(const JsonValue* concept_value) {
  if (concept_value == nullptr || !concept_value->isObject()) {
    return false;
  }
  if (const JsonValue* coding = concept_value->find("coding"); coding && coding->isArray()) {
    for (const JsonValue& item : coding->elements()) {
      std::optional<std::string_view> code = stringMember(item, "code");
      if (code && contains(kAgeCodes, *code)) {
        return true;
      }
    }
  }
  std::optional<std::string_view> text = stringMember(*concept_value, "text");
  return text && mentionsAge(*text);
}

// The identifier value a list of identifiers is known by: the first typed MR, else the first
// with a value.
std::string chooseIdentifier(const JsonValue& identifiers) {
  if (!identifiers.isArray()) {
    return {};
  }
  std::string first;
  for (const JsonValue& identifier : identifiers.elements()) {
    std::optional<std::string_view> value = stringMember(identifier, "value");
    if (!value || value->empty()) {
      continue;
    }
    if (const JsonValue* type = identifier.find("type"); type && type->isObject()) {
      if (const JsonValue* coding = type->find("coding"); coding && coding->isArray()) {
        for (const JsonValue& item : coding->elements()) {
          std::optional<std::string_view> code = stringMember(item, "code");
          if (code && *code == "MR") {
            return std::string(*value);
          }
        }
      }
    }
    if (first.empty()) {
      first = *value;
    }
  }
  return first;
}

std::string patientIdentifier(const JsonValue& patient) {
  const JsonValue* identifiers = patient.find("identifier");
  return identifiers != nullptr ? chooseIdentifier(*identifiers) : std::string();
}

// The first Patient of a payload: the root, a Bundle entry, or a contained resource.
const JsonValue* findPatient(const JsonValue& root) {
  std::optional<std::string_view> type = stringMember(root, "resourceType");
  if (!type) {
    return nullptr;
  }
  if (*type == "Patient") {
    return &root;
  }
  for (std::string_view holder : {"entry", "contained"}) {
    const JsonValue* items = root.find(holder);
    if (items == nullptr || !items->isArray()) {
      continue;
    }
    for (const JsonValue& item : items->elements()) {
      const JsonValue* resource =
          holder == "entry" && item.isObject() ? item.find("resource") : &item;
      std::optional<std::string_view> item_type =
          resource ? stringMember(*resource, "resourceType") : std::nullopt;
      if (item_type && *item_type == "Patient") {
        return resource;
      }
    }
  }
  return nullptr;
}

struct Scope {
  const StructureDefinition* owner = nullptr;
  const ElementDefinition* parent = nullptr;
};

struct Context {
  std::string resource_type;
  bool free_text = false;        // inside an element the destination allows free text in
  bool age_observation = false;  // an Observation whose code is a person's age
  bool document = false;         // a Bundle of type document (bdl-9, bdl-10)
};

JsonValue redactedString() { return JsonValue::makeString(std::string(kRedacted)); }

// A value that keeps a required element present without saying anything.
std::optional<JsonValue> placeholder(const std::string& type, const JsonValue& original) {
  if (type == "string" || type == "markdown" || type == "id") {
    return redactedString();
  }
  if (type == "base64Binary") {
    return JsonValue::makeString("cmVkYWN0ZWQ=");
  }
  if (type == "uuid") {
    return JsonValue::makeString("urn:uuid:00000000-0000-4000-8000-000000000000");
  }
  if (type == "oid") {
    return JsonValue::makeString("urn:oid:2.25.0");
  }
  if (type == "instant") {
    auto year = original.isString() ? fhirYear(original.text()) : std::nullopt;
    if (!year) {
      return std::nullopt;
    }
    return JsonValue::makeString(std::string(*year) + "-01-01T00:00:00Z");
  }
  JsonValue object = JsonValue::makeObject();
  if (type == "Attachment") {
    std::optional<std::string_view> content_type = stringMember(original, "contentType");
    object.add("contentType",
               JsonValue::makeString(content_type ? *content_type : "application/octet-stream"));
    if (std::optional<std::string_view> language = stringMember(original, "language")) {
      object.add("language", JsonValue::makeString(*language));
    }
    return object;
  }
  if (type == "Identifier" || type == "ContactPoint") {
    if (type == "ContactPoint") {
      object.add("system", JsonValue::makeString("other"));
    }
    object.add("value", redactedString());
    return object;
  }
  if (type == "HumanName" || type == "CodeableConcept" || type == "Annotation") {
    object.add("text", redactedString());
    return object;
  }
  if (type == "Reference") {
    object.add("display", redactedString());
    return object;
  }
  if (type == "Narrative") {
    object.add("status", JsonValue::makeString("empty"));
    object.add("div",
               JsonValue::makeString("<div xmlns=\"http://www.w3.org/1999/xhtml\">redacted</div>"));
    return object;
  }
  return std::nullopt;
}

bool isEmptyContainer(const JsonValue& value) {
  return (value.isObject() && value.members().empty()) ||
         (value.isArray() && value.elements().empty());
}

// The working state of one apply() call.
class Walker {
 public:
  Walker(const DeidOptions& options, const Pseudonymizer* pseudonymizer,
         const Definitions& definitions, int current_year, ActionList& actions)
      : options_(options),
        pseudonymizer_(pseudonymizer),
        definitions_(definitions),
        current_year_(current_year),
        actions_(actions) {}

  Status run(JsonValue& root) {
    if (!root.isObject() || !stringMember(root, "resourceType")) {
      return Status(ErrorCode::InvalidMessage, "the payload is not a FHIR resource");
    }
    if (const JsonValue* patient = findPatient(root)) {
      patient_identifier_ = patientIdentifier(*patient);
    }
    if (options_.date_shift_days > 0 && pseudonymizer_ != nullptr && !patient_identifier_.empty()) {
      shift_days_ = pseudonymizer_->dateShiftDays(patient_identifier_, options_.date_shift_days);
    }
    return resource(root);
  }

 private:
  Status resource(JsonValue& value) {
    std::optional<std::string_view> type = stringMember(value, "resourceType");
    if (!type) {
      return Status(ErrorCode::InvalidMessage, "a nested resource has no resourceType");
    }
    const StructureDefinition* structure = definitions_.structure(*type);
    if (structure == nullptr || !definitions_.isResourceType(*type)) {
      return Status(ErrorCode::InvalidMessage,
                    "unknown resource type '" + std::string(*type) + "'");
    }
    Context context;
    context.resource_type = std::string(*type);
    context.age_observation = *type == "Observation" && isAgeConcept(value.find("code"));
    std::optional<std::string_view> bundle_type =
        *type == "Bundle" ? stringMember(value, "type") : std::nullopt;
    context.document = bundle_type && *bundle_type == "document";
    return members(value, {structure, &structure->elements.front()}, context.resource_type, context,
                   true);
  }

  // De-identifies the members of one object, described by `scope`.
  Status members(JsonValue& object, const Scope& scope, const std::string& label,
                 const Context& context, bool resource_root) {
    JsonMembers& list = object.members();
    std::vector<bool> drop(list.size(), false);
    std::vector<std::string> removed_names;

    // Elements first, then their "_name" siblings, which follow the element's fate.
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < list.size(); ++i) {
        JsonMember& member = list[i];
        const std::string& name = member.first;
        const bool sibling = !name.empty() && name.front() == '_';
        if ((pass == 0) == sibling || name == "resourceType") {
          continue;
        }
        const std::string base = sibling ? name.substr(1) : name;
        if (sibling &&
            std::find(removed_names.begin(), removed_names.end(), base) != removed_names.end()) {
          drop[i] = true;
          continue;
        }
        bool remove = false;
        Status status =
            member_(member, base, sibling, scope, label, context, resource_root, remove);
        if (!status.isOk()) {
          return status;
        }
        if (remove) {
          drop[i] = true;
          removed_names.push_back(base);
        }
      }
    }

    JsonMembers kept;
    kept.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!drop[i]) {
        kept.push_back(std::move(list[i]));
      }
    }
    list = std::move(kept);

    // A concept's text is a label while a coding says what the concept is; alone it is
    // free text.
    if (scope.owner != nullptr && scope.owner->name == "CodeableConcept" && !context.free_text &&
        object.find("coding") == nullptr && object.remove("text")) {
      actions_.add("removed", label + ".text", " (text without a coding)");
    }
    return Status::ok();
  }

  Status member_(JsonMember& member, const std::string& base, bool sibling, const Scope& scope,
                 const std::string& label, const Context& context, bool resource_root,
                 bool& remove) {
    const std::string element_label = label + "." + base;
    if (resource_root && base == "id" && !sibling) {
      return replaceId(member.second, element_label, remove);
    }
    auto match = definitions_.child(*scope.owner, *scope.parent, base);
    if (!match) {
      remove = true;
      actions_.add("removed", element_label, " (not an element of the base specification)");
      return Status::ok();
    }
    if (!resource_root && base == "id") {
      remove = true;
      actions_.add("removed", element_label);
      return Status::ok();
    }
    Context inner = context;
    inner.free_text = context.free_text || allowsFreeText(element_label, match->element->path);

    if (sibling) {
      // A primitive's id and extensions, described by the primitive type's own members.
      return value(member.second, *match, element_label, inner, remove, true);
    }
    if (resource_root && context.resource_type == "Patient" && base == "identifier" &&
        options_.pseudonyms && pseudonymizer_ != nullptr) {
      return pseudonymiseIdentifier(member.second, element_label, remove);
    }

    const JsonValue original = match->element->min >= 1 ? member.second : JsonValue();
    Status status = value(member.second, *match, element_label, inner, remove, false);
    if (!status.isOk()) {
      return status;
    }
    if ((remove || isEmptyContainer(member.second)) && match->element->min >= 1) {
      return fillRequired(member, *match, original, element_label, remove);
    }
    remove = remove || isEmptyContainer(member.second);
    return Status::ok();
  }

  // One member value: an array of items or a single item.
  Status value(JsonValue& value, const ChildMatch& match, const std::string& label,
               const Context& context, bool& remove, bool sibling) {
    if (value.isArray()) {
      JsonElements& items = value.elements();
      JsonElements kept;
      kept.reserve(items.size());
      for (JsonValue& item : items) {
        if (item.isNull()) {
          kept.push_back(std::move(item));  // placeholder pairing a primitive with "_name"
          continue;
        }
        bool drop = false;
        Status status = sibling ? siblingItem(item, match, label, context, drop)
                                : this->item(item, match, label, context, drop);
        if (!status.isOk()) {
          return status;
        }
        if (!drop && !isEmptyContainer(item)) {
          kept.push_back(std::move(item));
        }
      }
      bool only_nulls = true;
      for (const JsonValue& item : kept) {
        only_nulls = only_nulls && item.isNull();
      }
      items = std::move(kept);
      remove = items.empty() || only_nulls;
      return Status::ok();
    }
    Status status = sibling ? siblingItem(value, match, label, context, remove)
                            : item(value, match, label, context, remove);
    remove = remove || isEmptyContainer(value);
    return status;
  }

  Status siblingItem(JsonValue& item, const ChildMatch& match, const std::string& label,
                     const Context& context, bool& remove) {
    if (!item.isObject() || match.members_owner == nullptr) {
      remove = true;
      return Status::ok();
    }
    Status status =
        members(item, {match.members_owner, match.members_parent}, label, context, false);
    remove = item.members().empty();
    return status;
  }

  // One item of an element.
  Status item(JsonValue& item, const ChildMatch& match, const std::string& label,
              const Context& context, bool& remove) {
    const ElementDefinition& element = *match.element;
    const std::string& path = element.path;
    const std::string& type = match.type_code;

    if (contains(kRemovedPaths, path) || path == "Address.extension") {
      return removed(label, remove);
    }
    if (context.document && (path == "Bundle.identifier" || path == "Bundle.timestamp")) {
      // A document must keep both: an identifier that no longer links back, and the year.
      return documentHeader(item, path, label, remove);
    }
    if ((type == "canonical" || type == "uri") && item.isString() && startsWith(item.text(), "#") &&
        item.text().size() > 1) {
      // A canonical pointing at a contained resource follows its new id.
      item.setText("#" + mapId(std::string_view(item.text()).substr(1)));
      return Status::ok();
    }
    if (path == "Reference.reference" || path == "Bundle.entry.fullUrl" ||
        path == "Bundle.entry.response.location") {
      return rewriteReference(item, label, remove);
    }
    if (path == "Bundle.entry.request.url") {
      return rewriteRequestUrl(item, label, remove);
    }
    if (path == "Address.postalCode") {
      return postalCode(item, label, remove);
    }
    if (type == "Resource") {
      if (!item.isObject()) {
        return removed(label, remove);
      }
      return resource(item);
    }
    if (contains(kRemovedTypes, type) || type == "Attachment") {
      return removed(label, remove);
    }
    if (type == "Annotation" && !context.free_text) {
      return removed(label, remove);
    }
    if (type == "date" || type == "dateTime") {
      return date(item, label, remove, isBirthDate(path));
    }
    if (type == "instant") {
      if (shift_days_ != 0 && item.isString()) {
        if (auto shifted = shiftFhirDate(item.text(), shift_days_)) {
          item.setText(std::move(*shifted));
          actions_.add("shifted", label, " by the patient's date offset");
          return Status::ok();
        }
      }
      return removed(label, remove);
    }
    if (type == "string" || type == "markdown") {
      // A name stays a name inside allowed free text: who wrote a note, whom a reference
      // points at.
      if (path == "Reference.display" || path == "Annotation.author[x]") {
        return removed(label, remove);
      }
      if (context.free_text || contains(kKeptStrings, path)) {
        return Status::ok();
      }
      return removed(label, remove);
    }
    if (type == "id" && path != "Meta.versionId") {
      return removed(label, remove);
    }
    if (type == "Extension" && item.isObject()) {
      std::optional<std::string_view> url = stringMember(item, "url");
      for (std::string_view prefix : kIdentifyingExtensions) {
        if (url && startsWith(*url, prefix)) {
          return removed(label, remove);
        }
      }
    }
    if (item.isObject() && match.members_owner != nullptr) {
      Status status =
          members(item, {match.members_owner, match.members_parent}, label, context, false);
      if (!status.isOk()) {
        return status;
      }
      if (type == "Age" ||
          (type == "Quantity" && context.age_observation && path == "Observation.value[x]")) {
        foldAge(item, label);
      }
      if (type == "Extension" && !hasExtensionContent(item)) {
        remove = true;
      }
      return Status::ok();
    }
    // code, boolean, numbers, time, uri, url, canonical: codes and structure.
    return Status::ok();
  }

  Status documentHeader(JsonValue& item, const std::string& path, const std::string& label,
                        bool& remove) {
    if (path == "Bundle.timestamp") {
      auto year = item.isString() ? fhirYear(item.text()) : std::nullopt;
      if (!year) {
        return removed(label, remove);
      }
      item.setText(std::string(*year) + "-01-01T00:00:00Z");
      actions_.add("generalised", label, " to year");
      return Status::ok();
    }
    std::optional<std::string_view> value = stringMember(item, "value");
    if (!value) {
      return removed(label, remove);
    }
    const std::string replacement =
        "urn:uuid:" + mapId(startsWith(*value, "urn:uuid:") ? value->substr(9) : *value, true);
    item = JsonValue::makeObject();
    item.add("system", JsonValue::makeString("urn:ietf:rfc:3986"));
    item.add("value", JsonValue::makeString(replacement));
    actions_.add("replaced", label);
    return Status::ok();
  }

  Status removed(const std::string& label, bool& remove) {
    remove = true;
    actions_.add("removed", label);
    return Status::ok();
  }

  static bool isBirthDate(const std::string& path) {
    return path == "Patient.birthDate" || path == "RelatedPerson.birthDate" ||
           path == "Person.birthDate" || path == "Practitioner.birthDate";
  }

  static bool hasExtensionContent(const JsonValue& extension) {
    for (const JsonMember& member : extension.members()) {
      if (member.first == "extension" || startsWith(member.first, "value")) {
        return true;
      }
    }
    return false;
  }

  Status date(JsonValue& item, const std::string& label, bool& remove, bool birth) {
    if (!item.isString()) {
      return removed(label, remove);
    }
    auto year = fhirYear(item.text());
    if (!year) {
      return removed(label, remove);
    }
    if (birth) {
      const int born = (year->at(0) - '0') * 1000 + (year->at(1) - '0') * 100 +
                       (year->at(2) - '0') * 10 + (year->at(3) - '0');
      if (birthYearRevealsAgeOver89(born, current_year_)) {
        remove = true;
        actions_.add("removed", label, " (age over 89)");
        return Status::ok();
      }
    }
    if (shift_days_ != 0) {
      if (auto shifted = shiftFhirDate(item.text(), shift_days_)) {
        item.setText(std::move(*shifted));
        actions_.add("shifted", label, " by the patient's date offset");
        return Status::ok();
      }
    }
    if (item.text().size() > 4) {
      item.setText(std::string(*year));
      actions_.add("generalised", label, " to year");
    }
    return Status::ok();
  }

  Status postalCode(JsonValue& item, const std::string& label, bool& remove) {
    auto zip = item.isString() ? generaliseZip(item.text()) : std::nullopt;
    if (!zip) {
      return removed(label, remove);
    }
    item.setText(std::move(*zip));
    actions_.add("generalised", label, " to 3-digit ZIP");
    return Status::ok();
  }

  void foldAge(JsonValue& quantity, const std::string& label) {
    JsonValue* number = quantity.find("value");
    if (number == nullptr || !number->isNumber()) {
      return;
    }
    auto parsed = parseNumber(number->text());
    std::optional<std::string_view> code = stringMember(quantity, "code");
    std::optional<std::string_view> unit = stringMember(quantity, "unit");
    auto years =
        parsed ? ageInYears(*parsed, code ? *code : (unit ? *unit : std::string())) : std::nullopt;
    if (!years || *years <= 89.0) {
      return;
    }
    *number = JsonValue::makeNumber("90");
    quantity.remove("comparator");
    quantity.add("comparator", JsonValue::makeString(">="));
    // The unit must match the value now given in years.
    quantity.remove("unit");
    quantity.remove("code");
    quantity.remove("system");
    quantity.add("unit", JsonValue::makeString("years"));
    quantity.add("system", JsonValue::makeString("http://unitsofmeasure.org"));
    quantity.add("code", JsonValue::makeString("a"));
    actions_.add("generalised", label, " to 90 or older (age over 89)");
  }

  Status replaceId(JsonValue& id, const std::string& label, bool& remove) {
    if (!id.isString()) {
      return removed(label, remove);
    }
    id.setText(mapId(id.text()));
    actions_.add("replaced", label);
    return Status::ok();
  }

  Status pseudonymiseIdentifier(JsonValue& identifiers, const std::string& label, bool& remove) {
    // Each Patient of a Bundle gets the pseudonym of its own identifier.
    const std::string source = chooseIdentifier(identifiers);
    if (source.empty()) {
      return removed(label, remove);
    }
    JsonValue coding = JsonValue::makeObject();
    coding.add("system", JsonValue::makeString("http://terminology.hl7.org/CodeSystem/v2-0203"));
    coding.add("code", JsonValue::makeString("ANON"));
    JsonValue codings = JsonValue::makeArray();
    codings.push(std::move(coding));
    JsonValue type = JsonValue::makeObject();
    type.add("coding", std::move(codings));
    JsonValue identifier = JsonValue::makeObject();
    identifier.add("type", std::move(type));
    identifier.add("system", JsonValue::makeString(std::string(kPseudonymSystem)));
    identifier.add("value", JsonValue::makeString(pseudonymizer_->patientPseudonym(source)));
    identifiers = JsonValue::makeArray();
    identifiers.push(std::move(identifier));
    actions_.add("pseudonymised", label);
    return Status::ok();
  }

  // Rewrites a reference, fullUrl or location to the new resource id; removes what cannot be
  // rewritten (searches, OIDs, logical references).
  Status rewriteReference(JsonValue& item, const std::string& label, bool& remove) {
    if (!item.isString()) {
      return removed(label, remove);
    }
    auto rewritten = mapReference(item.text());
    if (!rewritten) {
      return removed(label, remove);
    }
    item.setText(std::move(*rewritten));
    actions_.add("replaced", label);
    return Status::ok();
  }

  Status rewriteRequestUrl(JsonValue& item, const std::string& label, bool& remove) {
    if (!item.isString()) {
      return removed(label, remove);
    }
    std::string url(item.text());
    const std::size_t query = url.find('?');
    if (query != std::string::npos) {
      url.resize(query);
      actions_.add("removed", label, " query");
    }
    if (definitions_.isResourceType(url)) {
      item.setText(url);
      return Status::ok();
    }
    auto rewritten = mapReference(url);
    if (!rewritten) {
      return removed(label, remove);
    }
    item.setText(std::move(*rewritten));
    actions_.add("replaced", label);
    return Status::ok();
  }

  std::optional<std::string> mapReference(std::string_view reference) {
    if (startsWith(reference, "#")) {
      return reference.size() == 1 ? std::string("#") : "#" + mapId(reference.substr(1));
    }
    if (startsWith(reference, "urn:uuid:")) {
      return "urn:uuid:" + mapId(reference.substr(9));
    }
    if (reference.find('?') != std::string_view::npos || startsWith(reference, "urn:")) {
      return std::nullopt;
    }
    // [base/]Type/id[/_history/version]
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
      const std::size_t slash = reference.find('/', start);
      parts.push_back(reference.substr(
          start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
      if (slash == std::string_view::npos) {
        break;
      }
      start = slash + 1;
    }
    std::size_t id_index = parts.size() - 1;
    if (parts.size() >= 4 && parts[parts.size() - 2] == "_history") {
      id_index = parts.size() - 3;
    }
    if (id_index < 1 || parts[id_index].empty() ||
        !definitions_.isResourceType(parts[id_index - 1])) {
      return std::nullopt;
    }
    std::string rewritten;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) {
        rewritten.push_back('/');
      }
      rewritten += i == id_index ? mapId(parts[i]) : std::string(parts[i]);
    }
    return rewritten;
  }

  // The new id of `original`: the same within a message (and, with pseudonyms, across
  // messages). A UUID when the original is one or `as_uuid` asks for one.
  std::string mapId(std::string_view original, bool as_uuid = false) {
    const bool uuid = as_uuid || looksLikeUuid(original);
    std::string key = (uuid && !looksLikeUuid(original) ? "uuid|" : "") + std::string(original);
    auto found = ids_.find(key);
    if (found != ids_.end()) {
      return found->second;
    }
    std::string replacement;
    if (options_.pseudonyms && pseudonymizer_ != nullptr) {
      replacement = uuid ? pseudonymizer_->uuid(original) : pseudonymizer_->resourceId(original);
    } else {
      const std::string number = std::to_string(ids_.size() + 1);
      replacement =
          uuid ? uuidFromHex(std::string(32 - number.size(), '0') + number) : "deid-" + number;
    }
    ids_.emplace(std::move(key), replacement);
    return replacement;
  }

  bool allowsFreeText(const std::string& label, const std::string& element_path) const {
    for (const std::string& allowed : options_.fhir_free_text) {
      if (label == allowed || element_path == allowed ||
          (startsWith(label, allowed) && label.size() > allowed.size() &&
           label[allowed.size()] == '.')) {
        return true;
      }
    }
    return false;
  }

  Status fillRequired(JsonMember& member, const ChildMatch& match, const JsonValue& original,
                      const std::string& label, bool& remove) {
    const JsonValue& sample =
        original.isArray() && !original.elements().empty() ? original.elements().front() : original;
    auto filler = placeholder(match.type_code, sample);
    if (!filler) {
      return Status(ErrorCode::InvalidMessage,
                    "de-identification would remove " + label +
                        ", which the base specification requires, and has no placeholder "
                        "for its type " +
                        match.type_code);
    }
    if (match.element->max > 1) {
      JsonValue array = JsonValue::makeArray();
      array.push(std::move(*filler));
      member.second = std::move(array);
    } else {
      member.second = std::move(*filler);
    }
    remove = false;
    actions_.add("redacted", label, " (required element)");
    return Status::ok();
  }

  const DeidOptions& options_;
  const Pseudonymizer* pseudonymizer_;
  const Definitions& definitions_;
  int current_year_;
  ActionList& actions_;
  std::string patient_identifier_;
  int shift_days_ = 0;
  std::unordered_map<std::string, std::string> ids_;
};

}  // namespace

FhirDeidentifier::FhirDeidentifier(DeidOptions options, const Pseudonymizer* pseudonymizer,
                                   std::shared_ptr<const engine::fhir::Definitions> definitions)
    : options_(std::move(options)),
      pseudonymizer_(pseudonymizer),
      definitions_(std::move(definitions)) {}

Status FhirDeidentifier::apply(JsonValue& resource, int current_year, ActionList& actions) const {
  Walker walker(options_, pseudonymizer_, *definitions_, current_year, actions);
  return walker.run(resource);
}

std::string checkFhirFreeTextPath(const Definitions& definitions, std::string_view path) {
  auto parsed = strip::parseFhirStripPath(path);
  if (!parsed.isOk()) {
    return parsed.status().context();
  }
  if (parsed.value().steps.empty()) {
    return "allow_free_text entry '" + std::string(path) + "' names a whole resource type";
  }
  std::string problem;
  const ElementDefinition* element =
      strip::resolveFhirStripPath(definitions, parsed.value(), problem);
  if (!problem.empty()) {
    return problem;
  }
  // Only free text may be let through: an entry naming a structure (Patient.contact) would
  // keep the names and addresses inside it.
  for (const auto& type : element->types) {
    if (type.code == "string" || type.code == "markdown" || type.code == "Annotation") {
      return {};
    }
  }
  return "allow_free_text entry '" + std::string(path) +
         "' is not a free-text element (string, markdown or Annotation)";
}

}  // namespace ferry::mappings::deid
