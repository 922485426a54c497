// PID, PV1, NK1 and EVN from Patient, Encounter, RelatedPerson and Provenance: the reverse of
// mappings/data/segments/{PID-Patient,PV1-Encounter,NK1-RelatedPerson,EVN-Provenance}.json.

#include "mappings/fhir_v2/segment_builders.h"

namespace ferry::mappings::fhirv2 {

namespace {

constexpr std::string_view kMothersMaidenName =
    "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName";
constexpr std::string_view kBirthTime = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
constexpr std::string_view kBirthPlace =
    "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
constexpr std::string_view kReligion = "http://hl7.org/fhir/StructureDefinition/patient-religion";
constexpr std::string_view kRace = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
constexpr std::string_view kEthnicity =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
constexpr std::string_view kParticipationType =
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr std::string_view kNullFlavor = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";
constexpr std::string_view kContactRole = "http://terminology.hl7.org/CodeSystem/v2-0131";

const JsonValue* extensionOf(const JsonValue* element, std::string_view url) {
  for (const JsonValue* extension : elementsOf(element, "extension")) {
    if (textOf(extension, "url") == url) {
      return extension;
    }
  }
  return nullptr;
}

std::string yesNo(const JsonValue* value) {
  if (value == nullptr || !value->isBool()) {
    return {};
  }
  return value->boolean() ? "Y" : "N";
}

bool hasCodingIn(const JsonValue* concept_value, std::string_view system) {
  for (const JsonValue* coding : elementsOf(concept_value, "coding")) {
    if (textOf(coding, "system") == system) {
      return true;
    }
  }
  return false;
}

// A date (DT) field: the date part of a DTM.
std::string datePart(const std::string& dtm) { return dtm.substr(0, 8); }

// US Core race or ethnicity: each OMB and detailed coding as a CWE repetition (CDC race and
// ethnicity codes, CWE.3 "CDCREC"), the text in CWE.9 of the first.
void addRaceCodes(WriteContext& context, const JsonValue* extension, std::string_view table,
                  SegmentWriter& segment, std::size_t field, const std::string& path) {
  if (extension == nullptr) {
    return;
  }
  std::vector<Composite> codes;
  const JsonValue* text = nullptr;
  for (const JsonValue* part : elementsOf(extension, "extension")) {
    std::string url = textOf(part, "url");
    if (url == "ombCategory" || url == "detailed") {
      Composite cwe = cweOf(context, member(part, "valueCoding"), {table, ""}, path);
      if (!cwe.empty()) {
        context.coverage.use(member(part, "url"));
        codes.push_back(std::move(cwe));
      }
    } else if (url == "text") {
      text = part;
    }
  }
  if (codes.empty()) {
    return;
  }
  context.coverage.use(member(extension, "url"));
  if (text != nullptr) {
    codes.front().set(9, textOf(text, "valueString"));
    context.coverage.use(text);
  }
  for (Composite& code : codes) {
    segment.add(field, std::move(code));
  }
}

void addTelecom(WriteContext& context, const JsonValue* resource, SegmentWriter& segment,
                std::size_t home_field, std::size_t work_field, const std::string& path) {
  for (const JsonValue* contact : elementsOf(resource, "telecom")) {
    Composite xtn = xtnOf(context, contact, path);
    segment.add(isWorkContact(contact) ? work_field : home_field, std::move(xtn));
  }
}

// NK1-3 (relationship, table 0063) or NK1-7 (contact role, table 0131): the v2-to-fhir
// mapping puts both in relationship[], told apart by the coding system.
void addRelationships(WriteContext& context, const JsonValue* holder, SegmentWriter& nk1,
                      const std::string& path) {
  for (const JsonValue* relationship : elementsOf(holder, "relationship")) {
    bool role = hasCodingIn(relationship, kContactRole);
    std::size_t field = role ? 7 : 3;
    if (nk1.has(field)) {
      continue;
    }
    nk1.set(field, role ? cweOf(context, relationship, {"0131", "ContactRole"}, path)
                        : cweOf(context, relationship, {"0063", "Relationship"}, path));
  }
}

void setPeriod(WriteContext& context, const JsonValue* holder, SegmentWriter& segment,
               std::size_t start_field, std::size_t end_field, const std::string& path) {
  const JsonValue* period = member(holder, "period");
  segment.set(start_field, datePart(useDtm(context, period, "start", path + ".period.start")));
  segment.set(end_field, datePart(useDtm(context, period, "end", path + ".period.end")));
}

std::string patientClass(WriteContext& context, const JsonValue* encounter) {
  const JsonValue* coding = member(encounter, "class");
  if (coding == nullptr) {
    return "U";
  }
  std::string system = textOf(coding, "system");
  std::string code = textOf(coding, "code");
  // Specialisations of IMP (inpatient) in v3 ActCode, and the null flavor the v2-to-fhir
  // mapping writes when PV1-2 was empty.
  if ((system == kActCode && (code == "ACUTE" || code == "NONAC")) ||
      (system == kNullFlavor && code == "UNK")) {
    context.coverage.use(coding);
    return code == "UNK" ? "U" : "I";
  }
  std::string table_code =
      tableCodeOf(context, coding, {"0004", "PatientClass-EncounterClass"}, "Encounter.class");
  return table_code.empty() ? "U" : table_code;
}

// PV1-7 attending, -8 referring, -9 consulting, -17 admitting doctor, -52 other provider.
std::size_t participantField(WriteContext& context, const JsonValue* participant) {
  static constexpr std::pair<std::string_view, std::size_t> kFields[] = {
      {"ATND", 7}, {"REF", 8}, {"CON", 9}, {"ADM", 17}, {"PART", 52}};
  std::vector<const JsonValue*> types = elementsOf(participant, "type");
  if (types.empty()) {
    return 52;
  }
  for (const JsonValue* type : types) {
    for (const JsonValue* coding : elementsOf(type, "coding")) {
      if (textOf(coding, "system") != kParticipationType) {
        continue;
      }
      for (const auto& [code, field] : kFields) {
        if (textOf(coding, "code") == code) {
          context.coverage.use(type);
          return field;
        }
      }
    }
  }
  return 52;
}

void addLocations(WriteContext& context, const JsonValue* encounter, SegmentWriter& pv1) {
  for (const JsonValue* location : elementsOf(encounter, "location")) {
    std::string status = textOf(location, "status");
    std::size_t field = 0;
    if (status == "completed") {
      field = 6;  // prior patient location
    } else if (status == "planned" || status == "reserved") {
      field = 42;  // pending location
    } else if (status.empty() || status == "active") {
      field = pv1.has(3) ? 11 : 3;  // assigned, then temporary location
    }
    if (field == 0 || pv1.has(field)) {
      continue;
    }
    Composite pl = plOf(context, member(location, "location"), encounter, "Location");
    if (pl.empty()) {
      continue;
    }
    context.coverage.use(member(location, "status"));
    pv1.set(field, std::move(pl));
  }
}

void addHospitalization(WriteContext& context, const JsonValue* encounter, SegmentWriter& pv1) {
  const JsonValue* stay = member(encounter, "hospitalization");
  if (stay == nullptr) {
    return;
  }
  const std::string path = "Encounter.hospitalization";
  if (const JsonValue* preadmit = member(stay, "preAdmissionIdentifier")) {
    pv1.set(5, cxOf(context, preadmit, path + ".preAdmissionIdentifier"));
  }
  pv1.set(13,
          tableCodeOf(context, member(stay, "reAdmission"), {"0092", ""}, path + ".reAdmission"));
  pv1.set(14,
          tableCodeOf(context, member(stay, "admitSource"), {"0023", ""}, path + ".admitSource"));
  for (const JsonValue* arrangement : elementsOf(stay, "specialArrangement")) {
    pv1.add(15, Composite(tableCodeOf(context, arrangement, {"0009", "AmbulatoryStatus"},
                                      path + ".specialArrangement")));
  }
  std::vector<const JsonValue*> courtesy = elementsOf(stay, "specialCourtesy");
  if (!courtesy.empty()) {
    pv1.set(16, tableCodeOf(context, courtesy.front(), {"0099", ""}, path + ".specialCourtesy"));
  }
  pv1.set(36, tableCodeOf(context, member(stay, "dischargeDisposition"), {"0112", ""},
                          path + ".dischargeDisposition"));
  for (const JsonValue* diet : elementsOf(stay, "dietPreference")) {
    if (!pv1.has(38)) {
      pv1.set(38, cweOf(context, diet, {"0114", ""}, path + ".dietPreference"));
    }
  }
}

// PV1-19 visit number: an identifier typed VN, else the first; the next one is PV1-50.
void addVisitNumbers(WriteContext& context, const JsonValue* encounter, SegmentWriter& pv1) {
  std::vector<const JsonValue*> identifiers = elementsOf(encounter, "identifier");
  const JsonValue* visit = nullptr;
  for (const JsonValue* identifier : identifiers) {
    for (const JsonValue* coding : elementsOf(member(identifier, "type"), "coding")) {
      if (textOf(coding, "code") == "VN" && visit == nullptr) {
        visit = identifier;
      }
    }
  }
  if (visit == nullptr && !identifiers.empty()) {
    visit = identifiers.front();
  }
  if (visit == nullptr) {
    return;
  }
  pv1.set(19, cxOf(context, visit, "Encounter.identifier"));
  for (const JsonValue* identifier : identifiers) {
    if (identifier != visit) {
      pv1.set(50, cxOf(context, identifier, "Encounter.identifier"));
      break;
    }
  }
}

}  // namespace

void useReferenceTo(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                    const JsonValue* target) {
  if (reference != nullptr && context.index.refersTo(reference, from, target)) {
    context.coverage.use(member(reference, "reference"));
    context.coverage.use(member(reference, "display"));
    context.coverage.use(member(reference, "type"));
  }
}

SegmentWriter buildPid(WriteContext& context, const JsonValue* patient, std::size_t set_id) {
  SegmentWriter pid("PID");
  pid.set(1, std::to_string(set_id));
  for (const JsonValue* identifier : elementsOf(patient, "identifier")) {
    Composite cx = cxOf(context, identifier, "Patient.identifier");
    // The patient account number has its own field (PID-18, one CX).
    bool account = cx.get(5) == "AN" && !pid.has(18);
    pid.add(account ? 18 : 3, std::move(cx));
  }
  for (const JsonValue* name : elementsOf(patient, "name")) {
    pid.add(5, xpnOf(context, name, "Patient.name"));
  }
  if (const JsonValue* maiden = extensionOf(patient, kMothersMaidenName)) {
    Composite xpn;
    xpn.setSubcomponent(1, 1, useText(context, maiden, "valueString"));
    context.coverage.use(member(maiden, "url"));
    pid.set(6, std::move(xpn));
  }

  // PID-7: the birth time extension when present (it carries the time of day), else the date.
  const JsonValue* birth_date = member(patient, "birthDate");
  const JsonValue* birth_time = extensionOf(member(patient, "_birthDate"), kBirthTime);
  std::string birth = useDtm(context, birth_time, "valueDateTime", "Patient.birthDate");
  if (!birth.empty()) {
    context.coverage.use(member(birth_time, "url"));
    auto date = toDtm(textOf(patient, "birthDate"));
    if (date && birth.rfind(*date, 0) == 0) {
      context.coverage.use(birth_date);
    }
  }
  if (birth.empty()) {
    birth = useDtm(context, patient, "birthDate", "Patient.birthDate");
  }
  pid.set(7, birth);
  pid.set(8, useCode(context, patient, "gender", "AdministrativeSex", "Patient.gender"));
  addRaceCodes(context, extensionOf(patient, kRace), "0005", pid, 10, "Patient.extension");
  for (const JsonValue* address : elementsOf(patient, "address")) {
    pid.add(11, xadOf(context, address, "Patient.address"));
  }
  addTelecom(context, patient, pid, 13, 14, "Patient.telecom");

  // PID-15 primary language: the preferred communication, else the first.
  const JsonValue* language = nullptr;
  for (const JsonValue* communication : elementsOf(patient, "communication")) {
    const JsonValue* preferred = member(communication, "preferred");
    if (language == nullptr || (preferred != nullptr && preferred->boolean())) {
      language = communication;
    }
  }
  if (language != nullptr) {
    pid.set(15, cweOf(context, member(language, "language"), {"0296", ""},
                      "Patient.communication.language"));
    context.coverage.use(member(language, "preferred"));
  }
  pid.set(16, cweOf(context, member(patient, "maritalStatus"), {"0002", "MaritalStatus"},
                    "Patient.maritalStatus"));
  if (const JsonValue* religion = extensionOf(patient, kReligion)) {
    pid.set(17, cweOf(context, member(religion, "valueCodeableConcept"), {"0006", "Religion"},
                      "Patient.extension"));
    context.coverage.use(member(religion, "url"));
  }
  addRaceCodes(context, extensionOf(patient, kEthnicity), "0189", pid, 22, "Patient.extension");
  if (const JsonValue* place = extensionOf(patient, kBirthPlace)) {
    const JsonValue* address = member(place, "valueAddress");
    std::string text = useText(context, address, "text");
    if (!text.empty()) {
      context.coverage.use(member(place, "url"));
      pid.set(23, text);
    }
  }
  if (const JsonValue* count = member(patient, "multipleBirthInteger")) {
    pid.set(24, "Y");
    pid.set(25, useText(context, patient, "multipleBirthInteger"));
    context.coverage.use(count);
  } else if (const JsonValue* multiple = member(patient, "multipleBirthBoolean")) {
    pid.set(24, yesNo(multiple));
    context.coverage.use(multiple);
  }
  if (member(patient, "deceasedDateTime") != nullptr) {
    pid.set(29, useDtm(context, patient, "deceasedDateTime", "Patient.deceasedDateTime"));
    pid.set(30, "Y");
  } else if (const JsonValue* deceased = member(patient, "deceasedBoolean")) {
    pid.set(30, yesNo(deceased));
    context.coverage.use(deceased);
  }
  return pid;
}

SegmentWriter buildPv1(WriteContext& context, const JsonValue* encounter,
                       const JsonValue* patient) {
  SegmentWriter pv1("PV1");
  pv1.set(1, "1");
  if (encounter == nullptr) {
    pv1.set(2, "N");
    return pv1;
  }
  useReferenceTo(context, member(encounter, "subject"), encounter, patient);
  pv1.set(2, patientClass(context, encounter));
  addLocations(context, encounter, pv1);
  std::vector<const JsonValue*> types = elementsOf(encounter, "type");
  if (!types.empty()) {
    pv1.set(4, tableCodeOf(context, types.front(), {"0007", "AdmissionType"}, "Encounter.type"));
  }
  for (const JsonValue* participant : elementsOf(encounter, "participant")) {
    std::size_t field = participantField(context, participant);
    Composite xcn =
        xcnOf(context, member(participant, "individual"), encounter, "Encounter.participant");
    pv1.add(field, std::move(xcn));
  }
  pv1.set(10, tableCodeOf(context, member(encounter, "serviceType"), {"0069", "HospitalService"},
                          "Encounter.serviceType"));
  addHospitalization(context, encounter, pv1);
  addVisitNumbers(context, encounter, pv1);
  const JsonValue* period = member(encounter, "period");
  pv1.set(44, useDtm(context, period, "start", "Encounter.period.start"));
  pv1.set(45, useDtm(context, period, "end", "Encounter.period.end"));
  return pv1;
}

std::optional<SegmentWriter> buildPd1(WriteContext& context, const JsonValue* patient) {
  SegmentWriter pd1("PD1");
  for (const JsonValue* provider : elementsOf(patient, "generalPractitioner")) {
    std::string type = resourceTypeOf(context.index.resolve(provider, patient));
    if (type == "Organization" && !pd1.has(3)) {
      pd1.set(3, xonOf(context, provider, patient, "Patient.generalPractitioner"));
    } else if (type != "Organization") {
      pd1.add(4, xcnOf(context, provider, patient, "Patient.generalPractitioner"));
    }
  }
  if (!pd1.has(3) && !pd1.has(4)) {
    return std::nullopt;
  }
  return pd1;
}

std::optional<SegmentWriter> buildPv2(WriteContext& context, const JsonValue* encounter) {
  SegmentWriter pv2("PV2");
  std::vector<const JsonValue*> reasons = elementsOf(encounter, "reasonCode");
  if (!reasons.empty()) {
    pv2.set(3, cweOf(context, reasons.front(), {}, "Encounter.reasonCode"));
  }
  pv2.set(25,
          tableCodeOf(context, member(encounter, "priority"), {"0217", ""}, "Encounter.priority"));
  if (!pv2.has(3) && !pv2.has(25)) {
    return std::nullopt;
  }
  return pv2;
}

std::vector<SegmentWriter> buildNk1s(WriteContext& context, const JsonValue* patient) {
  std::vector<SegmentWriter> out;
  auto next = [&out]() -> SegmentWriter& {
    out.emplace_back("NK1");
    out.back().set(1, std::to_string(out.size()));
    return out.back();
  };
  for (const JsonValue* person : context.index.ofType("RelatedPerson")) {
    if (!context.index.refersTo(member(person, "patient"), person, patient)) {
      continue;
    }
    const std::string path = "RelatedPerson";
    SegmentWriter& nk1 = next();
    useReferenceTo(context, member(person, "patient"), person, patient);
    for (const JsonValue* name : elementsOf(person, "name")) {
      nk1.add(2, xpnOf(context, name, path + ".name"));
    }
    addRelationships(context, person, nk1, path + ".relationship");
    for (const JsonValue* address : elementsOf(person, "address")) {
      nk1.add(4, xadOf(context, address, path + ".address"));
    }
    addTelecom(context, person, nk1, 5, 6, path + ".telecom");
    setPeriod(context, person, nk1, 8, 9, path);
    nk1.set(15, useCode(context, person, "gender", "AdministrativeSex", path + ".gender"));
    nk1.set(16, useDtm(context, person, "birthDate", path + ".birthDate"));
    std::vector<const JsonValue*> languages = elementsOf(person, "communication");
    if (!languages.empty()) {
      nk1.set(20, cweOf(context, member(languages.front(), "language"), {"0296", ""},
                        path + ".communication.language"));
    }
    for (const JsonValue* identifier : elementsOf(person, "identifier")) {
      nk1.add(33, cxOf(context, identifier, path + ".identifier"));
    }
  }
  for (const JsonValue* contact : elementsOf(patient, "contact")) {
    const std::string path = "Patient.contact";
    SegmentWriter& nk1 = next();
    if (const JsonValue* name = member(contact, "name")) {
      nk1.add(2, xpnOf(context, name, path + ".name"));
    }
    addRelationships(context, contact, nk1, path + ".relationship");
    if (const JsonValue* address = member(contact, "address")) {
      nk1.add(4, xadOf(context, address, path + ".address"));
    }
    addTelecom(context, contact, nk1, 5, 6, path + ".telecom");
    setPeriod(context, contact, nk1, 8, 9, path);
    if (const JsonValue* organization = member(contact, "organization")) {
      nk1.set(13, xonOf(context, organization, patient, path + ".organization"));
    }
    nk1.set(15, useCode(context, contact, "gender", "AdministrativeSex", path + ".gender"));
  }
  return out;
}

SegmentWriter buildEvn(WriteContext& context, const std::string& trigger,
                       const JsonValue* provenance, const std::string& recorded) {
  SegmentWriter evn("EVN");
  evn.set(1, trigger);
  std::string when;
  if (provenance != nullptr) {
    when = useDtm(context, provenance, "recorded", "Provenance.recorded");
    if (const JsonValue* activity = member(provenance, "activity")) {
      std::string code = tableCodeOf(context, activity, {"0003", ""}, "Provenance.activity");
      if (!code.empty() && code != trigger) {
        // Another event's provenance: EVN-1 says what this message is.
        context.unconvertible("Provenance.activity");
      }
    }
    std::vector<const JsonValue*> reasons = elementsOf(provenance, "reason");
    if (!reasons.empty()) {
      evn.set(4,
              tableCodeOf(context, reasons.front(), {"0062", "EventReason"}, "Provenance.reason"));
    }
    for (const JsonValue* agent : elementsOf(provenance, "agent")) {
      const JsonValue* who = member(agent, "who");
      const JsonValue* target = context.index.resolve(who, provenance);
      std::string type = resourceTypeOf(target);
      if ((type == "Practitioner" || type == "PractitionerRole") && !evn.has(5)) {
        evn.set(5, xcnOf(context, who, provenance, "Provenance.agent.who"));
        context.coverage.use(member(agent, "type"));
      } else if (type == "Organization" && !evn.has(7)) {
        evn.set(7, hdOfOrganization(context, who, provenance, "Provenance.agent.who"));
      }
    }
    evn.set(6, useDtm(context, provenance, "occurredDateTime", "Provenance.occurredDateTime"));
    // The target is the message this EVN belongs to.
    context.coverage.use(member(provenance, "target"));
  }
  evn.set(2, when.empty() ? recorded : when);
  return evn;
}

}  // namespace ferry::mappings::fhirv2
