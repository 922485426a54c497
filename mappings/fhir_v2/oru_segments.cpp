// ORC, OBR, OBX and NTE from ServiceRequest, DiagnosticReport and Observation: the reverse of
// mappings/data/segments/{ORC-ServiceRequest,OBR-DiagnosticReport,OBX-Observation,
// NTE-Annotation}.json.

#include <cctype>

#include "mappings/fhir_v2/segment_builders.h"

namespace ferry::mappings::fhirv2 {

namespace {

constexpr std::string_view kR5Value =
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.value";
constexpr std::string_view kIdentifierTypes = "http://terminology.hl7.org/CodeSystem/v2-0203";

// HL7 v2.5.1 gives ST at most 199 characters; longer text goes as TX.
constexpr std::size_t kMaxStLength = 199;

struct OrderIdentifiers {
  const JsonValue* placer = nullptr;
  const JsonValue* filler = nullptr;
};

std::string identifierRole(const JsonValue* identifier) {
  for (const JsonValue* coding : elementsOf(member(identifier, "type"), "coding")) {
    std::string code = textOf(coding, "code");
    if (textOf(coding, "system") == kIdentifierTypes && (code == "PLAC" || code == "FILL")) {
      return code;
    }
  }
  return {};
}

bool sameIdentifier(const JsonValue* left, const JsonValue* right) {
  return left != nullptr && right != nullptr && textOf(left, "value") == textOf(right, "value") &&
         textOf(left, "system") == textOf(right, "system");
}

// Placer and filler numbers: identifiers typed PLAC and FILL (as the v2-to-fhir mapping types
// them); an untyped one is the filler's on a report and the placer's on an order.
void sortIdentifiers(const JsonValue* resource, bool untyped_is_filler, OrderIdentifiers& ids) {
  for (const JsonValue* identifier : elementsOf(resource, "identifier")) {
    std::string role = identifierRole(identifier);
    if (role.empty()) {
      role = untyped_is_filler ? "FILL" : "PLAC";
    }
    const JsonValue*& slot = role == "PLAC" ? ids.placer : ids.filler;
    if (slot == nullptr) {
      slot = identifier;
    }
  }
}

// Marks the identifiers of `resource` that are the placer or filler number already written.
void useOrderIdentifiers(WriteContext& context, const JsonValue* resource,
                         const OrderIdentifiers& ids) {
  for (const JsonValue* identifier : elementsOf(resource, "identifier")) {
    if (sameIdentifier(identifier, ids.placer) || sameIdentifier(identifier, ids.filler)) {
      context.coverage.use(identifier);
    }
  }
}

Composite unitsOf(WriteContext& context, const JsonValue* quantity, const std::string& path) {
  Composite units;
  std::string code = useText(context, quantity, "code");
  std::string unit = useText(context, quantity, "unit");
  if (code.empty()) {
    units.set(1, unit);
    return units;
  }
  units.set(1, code);
  units.set(2, unit);
  if (const JsonValue* system = member(quantity, "system")) {
    std::string name = context.vocabularies.systemName(system->text());
    if (name.empty()) {
      context.unconvertible(path + ".system");
    } else {
      context.coverage.use(system);
    }
    units.set(3, name);
  }
  return units;
}

struct ObxValue {
  std::string type;
  std::vector<Composite> values;
  Composite units;
};

std::vector<Composite> textLines(const std::string& text) {
  std::vector<Composite> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    std::string line = text.substr(start, end == std::string::npos ? end : end - start);
    lines.emplace_back(line);
    if (end == std::string::npos) {
      break;
    }
    start = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  return lines;
}

// SN from a Range (low-high) or a Ratio (numerator:denominator).
ObxValue structuredNumeric(WriteContext& context, const JsonValue* value, std::string_view first,
                           std::string_view second, std::string_view separator,
                           const std::string& path) {
  const JsonValue* low = member(value, first);
  const JsonValue* high = member(value, second);
  ObxValue out{"SN", {}, {}};
  Composite sn;
  sn.set(2, useText(context, low, "value"));
  sn.set(3, std::string(separator));
  sn.set(4, useText(context, high, "value"));
  out.values.push_back(std::move(sn));
  out.units = unitsOf(context, low != nullptr ? low : high, path);
  if (low != nullptr && high != nullptr) {
    // Units are given once (OBX-6); the other bound's repeat them.
    for (std::string_view name : {"unit", "code", "system"}) {
      if (textOf(low, name) == textOf(high, name)) {
        context.coverage.use(member(high, name));
      }
    }
  }
  return out;
}

// ED from an Attachment: type of data (table 0191), subtype, Base64, data.
ObxValue encapsulatedData(WriteContext& context, const JsonValue* attachment) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"application", "AP"},      {"image", "IM"},   {"audio", "AU"}, {"text", "TEXT"},
      {"multipart", "multipart"}, {"video", "video"}};
  ObxValue out{"ED", {}, {}};
  Composite ed;
  std::string content_type = useText(context, attachment, "contentType");
  std::string top = content_type.substr(0, content_type.find('/'));
  std::string subtype = content_type.find('/') == std::string::npos
                            ? std::string()
                            : content_type.substr(content_type.find('/') + 1);
  subtype = subtype.substr(0, subtype.find(';'));
  for (const auto& [mime, code] : kTypes) {
    if (top == mime) {
      ed.set(2, std::string(code));
    }
  }
  for (char& c : subtype) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  ed.set(3, subtype);
  std::string data = useText(context, attachment, "data");
  if (!data.empty()) {
    ed.set(4, "Base64");
    ed.set(5, data);
  }
  out.values.push_back(std::move(ed));
  return out;
}

std::optional<ObxValue> observationValue(WriteContext& context, const JsonValue* observation) {
  const std::string path = "Observation.value";
  if (const JsonValue* quantity = member(observation, "valueQuantity")) {
    std::string comparator = useText(context, quantity, "comparator");
    std::string number = useText(context, quantity, "value");
    ObxValue out{comparator.empty() ? "NM" : "SN", {}, unitsOf(context, quantity, path)};
    Composite value;
    if (comparator.empty()) {
      value.set(1, number);
    } else {
      value.set(1, comparator);
      value.set(2, number);
    }
    out.values.push_back(std::move(value));
    return out;
  }
  if (const JsonValue* concept_value = member(observation, "valueCodeableConcept")) {
    return ObxValue{"CWE", {cweOf(context, concept_value, {}, path)}, {}};
  }
  if (member(observation, "valueString") != nullptr) {
    std::string text = useText(context, observation, "valueString");
    // TX: a repetition per line, as HL7 v2.5.1 section 2.A.79 breaks lines.
    if (text.find_first_of("\r\n") != std::string::npos) {
      return ObxValue{"TX", textLines(text), {}};
    }
    return ObxValue{text.size() > kMaxStLength ? "TX" : "ST", {Composite(text)}, {}};
  }
  if (const JsonValue* flag = member(observation, "valueBoolean")) {
    context.coverage.use(flag);
    Composite cwe;
    cwe.set(1, flag->boolean() ? "Y" : "N");
    cwe.set(2, flag->boolean() ? "Yes" : "No");
    cwe.set(3, "HL70136");
    return ObxValue{"CWE", {cwe}, {}};
  }
  if (member(observation, "valueInteger") != nullptr) {
    return ObxValue{"NM", {Composite(useText(context, observation, "valueInteger"))}, {}};
  }
  if (const JsonValue* range = member(observation, "valueRange")) {
    return structuredNumeric(context, range, "low", "high", "-", path);
  }
  if (const JsonValue* ratio = member(observation, "valueRatio")) {
    return structuredNumeric(context, ratio, "numerator", "denominator", ":", path);
  }
  if (member(observation, "valueDateTime") != nullptr) {
    std::string dtm = useDtm(context, observation, "valueDateTime", path);
    return ObxValue{"DTM", {Composite(dtm)}, {}};
  }
  if (const JsonValue* time = member(observation, "valueTime")) {
    context.coverage.use(time);
    auto tm = toTm(time->text());
    if (!tm) {
      context.unconvertible(path);
      return std::nullopt;
    }
    return ObxValue{"TM", {Composite(*tm)}, {}};
  }
  if (const JsonValue* period = member(observation, "valuePeriod")) {
    Composite dr;
    dr.set(1, useDtm(context, period, "start", path));
    dr.set(2, useDtm(context, period, "end", path));
    return ObxValue{"DR", {dr}, {}};
  }
  for (const JsonValue* extension : elementsOf(observation, "extension")) {
    if (textOf(extension, "url") == kR5Value) {
      if (const JsonValue* attachment = member(extension, "valueAttachment")) {
        context.coverage.use(member(extension, "url"));
        return encapsulatedData(context, attachment);
      }
    }
  }
  return std::nullopt;
}

// OBX-7: the range's text, else "low-high", "> low" or "< high" (HL7 v2.5.1 section 7.4.2.7).
std::string referenceRange(WriteContext& context, const JsonValue* observation) {
  std::vector<const JsonValue*> ranges = elementsOf(observation, "referenceRange");
  if (ranges.empty()) {
    return {};
  }
  const JsonValue* range = ranges.front();
  std::string text = useText(context, range, "text");
  if (!text.empty()) {
    return text;
  }
  std::string low = useText(context, member(range, "low"), "value");
  std::string high = useText(context, member(range, "high"), "value");
  if (!low.empty() && !high.empty()) {
    return low + "-" + high;
  }
  return !low.empty() ? ">" + low : (!high.empty() ? "<" + high : std::string());
}

void appendNotes(WriteContext& context, const JsonValue* resource, std::size_t& set_id,
                 std::vector<SegmentWriter>& out) {
  for (const JsonValue* note : elementsOf(resource, "note")) {
    std::string text = useText(context, note, "text");
    if (text.empty()) {
      continue;
    }
    SegmentWriter nte("NTE");
    nte.set(1, std::to_string(set_id++));
    nte.set(3, text);
    out.push_back(std::move(nte));
  }
}

SegmentWriter buildObx(WriteContext& context, const JsonValue* observation, std::size_t set_id,
                       const JsonValue* patient, const JsonValue* encounter,
                       const JsonValue* order) {
  const std::string path = "Observation";
  SegmentWriter obx("OBX");
  obx.set(1, std::to_string(set_id));
  obx.set(3, cweOf(context, member(observation, "code"), {}, path + ".code"));
  if (auto value = observationValue(context, observation)) {
    obx.set(2, value->type);
    obx.setRepetitions(5, std::move(value->values));
    obx.set(6, std::move(value->units));
  }
  obx.set(7, referenceRange(context, observation));
  for (const JsonValue* interpretation : elementsOf(observation, "interpretation")) {
    obx.add(8, Composite(tableCodeOf(context, interpretation, {"0078", "InterpretationCodes"},
                                     path + ".interpretation")));
  }
  obx.set(11, useCode(context, observation, "status", "ObservationResultStatusCodesInterpretation",
                      path + ".status"));
  std::string effective = useDtm(context, observation, "effectiveDateTime", path + ".effective");
  if (effective.empty()) {
    effective = useDtm(context, observation, "effectiveInstant", path + ".effective");
  }
  if (effective.empty()) {
    effective = useDtm(context, member(observation, "effectivePeriod"), "start",
                       path + ".effectivePeriod.start");
  }
  obx.set(14, effective);
  for (const JsonValue* performer : elementsOf(observation, "performer")) {
    std::string type = resourceTypeOf(context.index.resolve(performer, observation));
    if (type == "Organization" && !obx.has(23)) {
      obx.set(23, xonOf(context, performer, observation, path + ".performer"));
    } else if (type == "Practitioner" || type == "PractitionerRole" ||
               (type.empty() && member(performer, "reference") == nullptr)) {
      obx.add(16, xcnOf(context, performer, observation, path + ".performer"));
    }
  }
  obx.set(17, cweOf(context, member(observation, "method"), {}, path + ".method"));
  obx.set(19, useDtm(context, observation, "issued", path + ".issued"));
  useReferenceTo(context, member(observation, "subject"), observation, patient);
  useReferenceTo(context, member(observation, "encounter"), observation, encounter);
  for (const JsonValue* based_on : elementsOf(observation, "basedOn")) {
    useReferenceTo(context, based_on, observation, order);
  }
  return obx;
}

const JsonValue* orderOf(WriteContext& context, const JsonValue* report) {
  for (const JsonValue* based_on : elementsOf(report, "basedOn")) {
    const JsonValue* order = context.index.resolve(based_on, report);
    if (resourceTypeOf(order) == "ServiceRequest") {
      useReferenceTo(context, based_on, report, order);
      return order;
    }
  }
  return nullptr;
}

}  // namespace

void appendOrderGroup(WriteContext& context, const JsonValue* report, const JsonValue* patient,
                      const JsonValue* encounter, std::size_t set_id,
                      std::vector<SegmentWriter>& out) {
  const JsonValue* order = orderOf(context, report);
  OrderIdentifiers ids;
  sortIdentifiers(report, true, ids);
  sortIdentifiers(order, false, ids);
  useOrderIdentifiers(context, report, ids);
  useOrderIdentifiers(context, order, ids);
  Composite placer = ids.placer ? eiOf(context, ids.placer, "identifier") : Composite();
  Composite filler = ids.filler ? eiOf(context, ids.filler, "identifier") : Composite();

  SegmentWriter orc("ORC");
  orc.set(1, "RE");  // observations to follow (table 0119)
  orc.set(2, placer);
  orc.set(3, filler);
  SegmentWriter obr("OBR");
  obr.set(1, std::to_string(set_id));
  obr.set(2, placer);
  obr.set(3, filler);
  Composite code = cweOf(context, member(report, "code"), {}, "DiagnosticReport.code");
  if (code.empty() && order != nullptr) {
    code = cweOf(context, member(order, "code"), {}, "ServiceRequest.code");
  } else if (order != nullptr) {
    // The v2-to-fhir mapping gives the order OBR-4 as well; the same code says nothing new.
    const JsonValue* order_code = member(order, "code");
    const JsonValue* report_code = member(report, "code");
    if (order_code != nullptr && report_code != nullptr && *order_code == *report_code) {
      context.coverage.use(order_code);
    }
  }
  obr.set(4, std::move(code));
  if (order != nullptr) {
    const std::string path = "ServiceRequest";
    orc.set(5, useCode(context, order, "status", "OrderStatus", path + ".status"));
    orc.set(9, useDtm(context, order, "authoredOn", path + ".authoredOn"));
    if (const JsonValue* requester = member(order, "requester")) {
      orc.set(12, xcnOf(context, requester, order, path + ".requester"));
      obr.set(16, orc.field(12).front());
    }
    std::string intent = textOf(order, "intent");
    if (intent == "order" || intent == "original-order") {
      context.coverage.use(member(order, "intent"));  // what an ORC is
    }
    for (const JsonValue* reason : elementsOf(order, "reasonCode")) {
      obr.add(31, cweOf(context, reason, {}, path + ".reasonCode"));
    }
    useReferenceTo(context, member(order, "subject"), order, patient);
    useReferenceTo(context, member(order, "encounter"), order, encounter);
  }
  const std::string path = "DiagnosticReport";
  std::string start = useDtm(context, report, "effectiveDateTime", path + ".effectiveDateTime");
  const JsonValue* period = member(report, "effectivePeriod");
  if (start.empty()) {
    start = useDtm(context, period, "start", path + ".effectivePeriod.start");
  }
  obr.set(7, start);
  obr.set(8, useDtm(context, period, "end", path + ".effectivePeriod.end"));
  obr.set(22, useDtm(context, report, "issued", path + ".issued"));
  std::vector<const JsonValue*> categories = elementsOf(report, "category");
  if (!categories.empty()) {
    obr.set(24, tableCodeOf(context, categories.front(), {"0074", "DiagnosticServiceSectionID"},
                            path + ".category"));
  }
  obr.set(25, useCode(context, report, "status", "ResultStatus-Non-Queries", path + ".status"));
  useReferenceTo(context, member(report, "subject"), report, patient);
  useReferenceTo(context, member(report, "encounter"), report, encounter);
  out.push_back(std::move(orc));
  out.push_back(std::move(obr));

  std::size_t note_id = 1;
  if (const JsonValue* conclusion = member(report, "conclusion")) {
    SegmentWriter nte("NTE");
    nte.set(1, std::to_string(note_id++));
    nte.set(3, useText(context, report, "conclusion"));
    context.coverage.use(conclusion);
    out.push_back(std::move(nte));
  }
  if (order != nullptr) {
    appendNotes(context, order, note_id, out);
  }

  std::size_t result_id = 1;
  for (const JsonValue* result : elementsOf(report, "result")) {
    const JsonValue* observation = context.index.resolve(result, report);
    if (resourceTypeOf(observation) != "Observation") {
      context.notes.push_back(
          "DiagnosticReport.result: a reference not to an Observation in "
          "the input was left out");
      continue;
    }
    useReferenceTo(context, result, report, observation);
    out.push_back(buildObx(context, observation, result_id++, patient, encounter, order));
    std::size_t observation_note = 1;
    appendNotes(context, observation, observation_note, out);
  }
}

}  // namespace ferry::mappings::fhirv2
