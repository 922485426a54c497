#include "connectors/fhir_http/fhir_http_responses.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ferry::connectors::fhir_http {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void writeString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void writeMember(JsonWriter& writer, std::string_view key, std::string_view value) {
  writeString(writer, key);
  writeString(writer, value);
}

// [{"code": "..."}], the shape of every interaction list.
void writeInteractions(JsonWriter& writer, std::initializer_list<std::string_view> codes) {
  writeString(writer, "interaction");
  writer.StartArray();
  for (std::string_view code : codes) {
    writer.StartObject();
    writeMember(writer, "code", code);
    writer.EndObject();
  }
  writer.EndArray();
}

}  // namespace

std::string operationOutcomeJson(std::string_view issue_code, std::string_view diagnostics) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeMember(writer, "resourceType", "OperationOutcome");
  writeString(writer, "issue");
  writer.StartArray();
  writer.StartObject();
  writeMember(writer, "severity", "error");
  writeMember(writer, "code", issue_code);
  writeMember(writer, "diagnostics", diagnostics);
  writer.EndObject();
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string capabilityStatementJson(const std::string& date) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeMember(writer, "resourceType", "CapabilityStatement");
  writeMember(writer, "status", "active");
  writeMember(writer, "date", date);
  writeMember(writer, "kind", "instance");
  writeString(writer, "software");
  writer.StartObject();
  writeMember(writer, "name", "Ferry");
  writer.EndObject();
  writeString(writer, "implementation");
  writer.StartObject();
  writeMember(writer, "description",
              "Ferry FHIR listener: accepts resources and Bundles for routing; stores, never "
              "serves them");
  writer.EndObject();
  writeMember(writer, "fhirVersion", "4.0.1");
  writeString(writer, "format");
  writer.StartArray();
  writeString(writer, "application/fhir+json");
  writeString(writer, "json");
  writer.EndArray();

  writeString(writer, "rest");
  writer.StartArray();
  writer.StartObject();
  writeMember(writer, "mode", "server");
  writeString(writer, "resource");
  writer.StartArray();
  for (std::string_view type : r4ResourceTypes()) {
    writer.StartObject();
    writeMember(writer, "type", type);
    writeInteractions(writer, {"create"});
    writer.EndObject();
  }
  writer.EndArray();
  writeInteractions(writer, {"transaction", "batch"});
  writer.EndObject();
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

const std::vector<std::string_view>& r4ResourceTypes() {
  static const std::vector<std::string_view> kTypes = {
      "Account",
      "ActivityDefinition",
      "AdverseEvent",
      "AllergyIntolerance",
      "Appointment",
      "AppointmentResponse",
      "AuditEvent",
      "Basic",
      "Binary",
      "BiologicallyDerivedProduct",
      "BodyStructure",
      "Bundle",
      "CapabilityStatement",
      "CarePlan",
      "CareTeam",
      "CatalogEntry",
      "ChargeItem",
      "ChargeItemDefinition",
      "Claim",
      "ClaimResponse",
      "ClinicalImpression",
      "CodeSystem",
      "Communication",
      "CommunicationRequest",
      "CompartmentDefinition",
      "Composition",
      "ConceptMap",
      "Condition",
      "Consent",
      "Contract",
      "Coverage",
      "CoverageEligibilityRequest",
      "CoverageEligibilityResponse",
      "DetectedIssue",
      "Device",
      "DeviceDefinition",
      "DeviceMetric",
      "DeviceRequest",
      "DeviceUseStatement",
      "DiagnosticReport",
      "DocumentManifest",
      "DocumentReference",
      "EffectEvidenceSynthesis",
      "Encounter",
      "Endpoint",
      "EnrollmentRequest",
      "EnrollmentResponse",
      "EpisodeOfCare",
      "EventDefinition",
      "Evidence",
      "EvidenceVariable",
      "ExampleScenario",
      "ExplanationOfBenefit",
      "FamilyMemberHistory",
      "Flag",
      "Goal",
      "GraphDefinition",
      "Group",
      "GuidanceResponse",
      "HealthcareService",
      "ImagingStudy",
      "Immunization",
      "ImmunizationEvaluation",
      "ImmunizationRecommendation",
      "ImplementationGuide",
      "InsurancePlan",
      "Invoice",
      "Library",
      "Linkage",
      "List",
      "Location",
      "Measure",
      "MeasureReport",
      "Media",
      "Medication",
      "MedicationAdministration",
      "MedicationDispense",
      "MedicationKnowledge",
      "MedicationRequest",
      "MedicationStatement",
      "MedicinalProduct",
      "MedicinalProductAuthorization",
      "MedicinalProductContraindication",
      "MedicinalProductIndication",
      "MedicinalProductIngredient",
      "MedicinalProductInteraction",
      "MedicinalProductManufactured",
      "MedicinalProductPackaged",
      "MedicinalProductPharmaceutical",
      "MedicinalProductUndesirableEffect",
      "MessageDefinition",
      "MessageHeader",
      "MolecularSequence",
      "NamingSystem",
      "NutritionOrder",
      "Observation",
      "ObservationDefinition",
      "OperationDefinition",
      "OperationOutcome",
      "Organization",
      "OrganizationAffiliation",
      "Parameters",
      "Patient",
      "PaymentNotice",
      "PaymentReconciliation",
      "Person",
      "PlanDefinition",
      "Practitioner",
      "PractitionerRole",
      "Procedure",
      "Provenance",
      "Questionnaire",
      "QuestionnaireResponse",
      "RelatedPerson",
      "RequestGroup",
      "ResearchDefinition",
      "ResearchElementDefinition",
      "ResearchStudy",
      "ResearchSubject",
      "RiskAssessment",
      "RiskEvidenceSynthesis",
      "Schedule",
      "SearchParameter",
      "ServiceRequest",
      "Slot",
      "Specimen",
      "SpecimenDefinition",
      "StructureDefinition",
      "StructureMap",
      "Subscription",
      "Substance",
      "SubstanceNucleicAcid",
      "SubstancePolymer",
      "SubstanceProtein",
      "SubstanceReferenceInformation",
      "SubstanceSourceMaterial",
      "SubstanceSpecification",
      "SupplyDelivery",
      "SupplyRequest",
      "Task",
      "TerminologyCapabilities",
      "TestReport",
      "TestScript",
      "ValueSet",
      "VerificationResult",
      "VisionPrescription",
  };
  return kTypes;
}

bool isResourceTypeName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() < 'A' || name.front() > 'Z') {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return false;
    }
  }
  return true;
}

bool isFhirId(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace ferry::connectors::fhir_http
