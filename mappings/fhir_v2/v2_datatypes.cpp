#include "mappings/fhir_v2/v2_datatypes.h"

#include <algorithm>
#include <cctype>

#include "engine/hl7/validator.h"

namespace ferry::mappings::fhirv2 {

namespace {

constexpr std::string_view kTablePrefix = "http://terminology.hl7.org/CodeSystem/v2-";
constexpr std::string_view kCheckDigit =
    "http://hl7.org/fhir/StructureDefinition/identifier-checkDigit";
constexpr std::string_view kCheckDigitScheme =
    "http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit";

bool digitsAt(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) {
    return false;
  }
  for (std::size_t index = pos; index < pos + count; ++index) {
    if (!std::isdigit(static_cast<unsigned char>(text[index]))) {
      return false;
    }
  }
  return true;
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator,
                   std::size_t first = 0) {
  std::string out;
  for (std::size_t index = first; index < parts.size(); ++index) {
    if (parts[index].empty()) {
      continue;
    }
    if (!out.empty()) {
      out += separator;
    }
    out += parts[index];
  }
  return out;
}

// The strings of an array member (each marked as used).
std::vector<std::string> useTexts(WriteContext& context, const JsonValue* parent,
                                  std::string_view name) {
  std::vector<std::string> out;
  for (const JsonValue* element : elementsOf(parent, name)) {
    if (element->isString()) {
      context.coverage.use(element);
      out.emplace_back(element->text());
    }
  }
  return out;
}

// A system URI as HD.2 (universal id) and HD.3 (its type): urn:oid: is ISO, urn:uuid: is UUID,
// anything else a URI.
void placeUniversalId(Composite& hd, std::size_t first, const std::string& system) {
  if (system.empty()) {
    return;
  }
  if (system.rfind("urn:oid:", 0) == 0) {
    hd.set(first, system.substr(8));
    hd.set(first + 1, "ISO");
  } else if (system.rfind("urn:uuid:", 0) == 0) {
    hd.set(first, system.substr(9));
    hd.set(first + 1, "UUID");
  } else {
    hd.set(first, system);
    hd.set(first + 1, "URI");
  }
}

std::string tableUri(std::string_view table) {
  return table.empty() ? std::string() : std::string(kTablePrefix) + std::string(table);
}

bool isCoding(const JsonValue* value) {
  return member(value, "coding") == nullptr &&
         (member(value, "code") != nullptr || member(value, "system") != nullptr);
}

std::vector<const JsonValue*> codingsOf(const JsonValue* value) {
  if (isCoding(value)) {
    return {value};
  }
  return elementsOf(value, "coding");
}

struct PickedCode {
  const JsonValue* coding = nullptr;
  std::string code;
  std::string display;
  std::string system_name;
};

// The coding that belongs in the field's table: one already in it, else one the vocabulary
// translates.
PickedCode pickTableCode(WriteContext& context, const std::vector<const JsonValue*>& codings,
                         CodeHint hint) {
  PickedCode picked;
  std::string table_uri = tableUri(hint.table);
  std::string table_name = table_uri.empty() ? std::string() : "HL7" + std::string(hint.table);
  for (const JsonValue* coding : codings) {
    std::string code = textOf(coding, "code");
    if (!table_uri.empty() && !code.empty() && textOf(coding, "system") == table_uri) {
      picked = {coding, code, textOf(coding, "display"), table_name};
      return picked;
    }
  }
  if (hint.vocabulary.empty()) {
    // Without a concept map, a coding with no system is taken as the table's own code (the
    // v2-to-fhir mapping leaves out systems it cannot name).
    for (const JsonValue* coding : codings) {
      std::string code = textOf(coding, "code");
      if (!table_uri.empty() && !code.empty() && member(coding, "system") == nullptr) {
        picked = {coding, code, textOf(coding, "display"), std::string()};
        return picked;
      }
    }
    return picked;
  }
  for (const JsonValue* coding : codings) {
    auto table_code = context.vocabularies.toTable(hint.vocabulary, textOf(coding, "system"),
                                                   textOf(coding, "code"));
    if (table_code) {
      std::string name = table_name;
      if (name.empty()) {
        name = context.vocabularies.systemName(context.vocabularies.tableSystem(hint.vocabulary));
      }
      picked = {coding, table_code->code, table_code->display, name};
      return picked;
    }
  }
  return picked;
}

// Marks the codings that only translate `picked` (the v2-to-fhir mapping adds the vocabulary's
// translation beside the table code): they say nothing the table code does not.
void useTranslations(WriteContext& context, const std::vector<const JsonValue*>& codings,
                     const PickedCode& picked, CodeHint hint) {
  if (hint.vocabulary.empty()) {
    return;
  }
  for (const JsonValue* coding : codings) {
    if (coding == picked.coding) {
      continue;
    }
    auto table_code = context.vocabularies.toTable(hint.vocabulary, textOf(coding, "system"),
                                                   textOf(coding, "code"));
    if (table_code && table_code->code == picked.code) {
      context.coverage.use(coding);
    }
  }
}

const JsonValue* extensionNamed(const JsonValue* element, std::string_view url) {
  for (const JsonValue* extension : elementsOf(element, "extension")) {
    if (textOf(extension, "url") == url) {
      return extension;
    }
  }
  return nullptr;
}

// HD.1 from the assigner (display, or the name of the Organization it references), HD.2/HD.3
// from the system URI.
Composite hdOfIdentifier(WriteContext& context, const JsonValue* identifier,
                         const JsonValue* from) {
  Composite hd;
  const JsonValue* assigner = member(identifier, "assigner");
  std::string name = useText(context, assigner, "display");
  if (const JsonValue* organization = context.index.resolve(assigner, from);
      organization != nullptr && name.empty()) {
    context.coverage.use(member(assigner, "reference"));
    name = useText(context, organization, "name");
  }
  hd.set(1, name);
  placeUniversalId(hd, 2, useText(context, identifier, "system"));
  return hd;
}

Composite practitionerXcn(WriteContext& context, const JsonValue* practitioner,
                          const std::string& path) {
  Composite xcn;
  std::vector<const JsonValue*> identifiers = elementsOf(practitioner, "identifier");
  if (!identifiers.empty()) {
    const JsonValue* identifier = identifiers.front();
    xcn.set(1, useText(context, identifier, "value"));
    xcn.setNested(9, hdOfIdentifier(context, identifier, practitioner));
    xcn.set(13, tableCodeOf(context, member(identifier, "type"), {"0203", "IdentifierType"},
                            path + ".identifier.type"));
  }
  std::vector<const JsonValue*> names = elementsOf(practitioner, "name");
  if (!names.empty()) {
    const JsonValue* name = names.front();
    xcn.setSubcomponent(2, 1, useText(context, name, "family"));
    std::vector<std::string> given = useTexts(context, name, "given");
    xcn.set(3, given.empty() ? std::string() : given.front());
    xcn.set(4, joined(given, " ", 1));
    std::vector<std::string> suffix = useTexts(context, name, "suffix");
    xcn.set(5, suffix.empty() ? std::string() : suffix.front());
    xcn.set(7, joined(suffix, " ", 1));
    xcn.set(6, joined(useTexts(context, name, "prefix"), " "));
    xcn.set(10, useCode(context, name, "use", "NameType", path + ".name.use"));
  }
  return xcn;
}

// The resource a Reference leads to, with the reference marked as used when it resolves.
const JsonValue* follow(WriteContext& context, const JsonValue* reference, const JsonValue* from) {
  const JsonValue* target = context.index.resolve(reference, from);
  if (target != nullptr) {
    context.coverage.use(member(reference, "reference"));
    // The display repeats what the resource says.
    context.coverage.use(member(reference, "display"));
    context.coverage.use(member(reference, "type"));
  }
  return target;
}

}  // namespace

void WriteContext::unconvertible(const std::string& path) {
  if (std::find(unconverted.begin(), unconverted.end(), path) == unconverted.end()) {
    unconverted.push_back(path);
  }
}

std::optional<std::string> toDtm(std::string_view fhir) {
  std::string out;
  if (!digitsAt(fhir, 0, 4)) {
    return std::nullopt;
  }
  out.append(fhir.substr(0, 4));
  std::size_t pos = 4;
  for (int part = 0; part < 2 && pos < fhir.size(); ++part) {
    if (fhir[pos] != '-' || !digitsAt(fhir, pos + 1, 2)) {
      return std::nullopt;
    }
    out.append(fhir.substr(pos + 1, 2));
    pos += 3;
  }
  if (pos < fhir.size()) {
    if (out.size() != 8 || fhir[pos] != 'T' || !digitsAt(fhir, pos + 1, 2) ||
        pos + 3 >= fhir.size() || fhir[pos + 3] != ':' || !digitsAt(fhir, pos + 4, 2)) {
      return std::nullopt;
    }
    out.append(fhir.substr(pos + 1, 2));
    out.append(fhir.substr(pos + 4, 2));
    pos += 6;
    if (pos < fhir.size() && fhir[pos] == ':') {
      if (!digitsAt(fhir, pos + 1, 2)) {
        return std::nullopt;
      }
      out.append(fhir.substr(pos + 1, 2));
      pos += 3;
      if (pos < fhir.size() && fhir[pos] == '.') {
        std::size_t start = ++pos;
        while (pos < fhir.size() && std::isdigit(static_cast<unsigned char>(fhir[pos]))) {
          ++pos;
        }
        if (pos == start) {
          return std::nullopt;
        }
        // DTM carries at most four fraction digits (HL7 v2.5.1 section 2.A.22).
        out += '.';
        out.append(fhir.substr(start, std::min<std::size_t>(pos - start, 4)));
      }
    }
    if (pos < fhir.size() && fhir[pos] == 'Z') {
      out += "+0000";
      ++pos;
    } else if (pos < fhir.size() && (fhir[pos] == '+' || fhir[pos] == '-')) {
      if (!digitsAt(fhir, pos + 1, 2) || pos + 3 >= fhir.size() || fhir[pos + 3] != ':' ||
          !digitsAt(fhir, pos + 4, 2)) {
        return std::nullopt;
      }
      out += fhir[pos];
      out.append(fhir.substr(pos + 1, 2));
      out.append(fhir.substr(pos + 4, 2));
      pos += 6;
    }
  }
  if (pos != fhir.size() || !engine::hl7::isValidDtm(out)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> toTm(std::string_view fhir) {
  if (!digitsAt(fhir, 0, 2) || fhir.size() < 8 || fhir[2] != ':' || !digitsAt(fhir, 3, 2) ||
      fhir[5] != ':' || !digitsAt(fhir, 6, 2)) {
    return std::nullopt;
  }
  std::string out;
  out.append(fhir.substr(0, 2));
  out.append(fhir.substr(3, 2));
  out.append(fhir.substr(6, 2));
  std::size_t pos = 8;
  if (pos < fhir.size() && fhir[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < fhir.size() && std::isdigit(static_cast<unsigned char>(fhir[pos]))) {
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
    out += '.';
    out.append(fhir.substr(start, std::min<std::size_t>(pos - start, 4)));
  }
  if (pos != fhir.size() || out.substr(0, 2) > "23" || out.substr(2, 2) > "59" ||
      out.substr(4, 2) > "59") {
    return std::nullopt;
  }
  return out;
}

std::string useText(WriteContext& context, const JsonValue* parent, std::string_view name) {
  const JsonValue* value = member(parent, name);
  if (value == nullptr || !(value->isString() || value->isNumber())) {
    return {};
  }
  context.coverage.use(value);
  return std::string(value->text());
}

std::string useDtm(WriteContext& context, const JsonValue* parent, std::string_view name,
                   const std::string& path) {
  const JsonValue* value = member(parent, name);
  if (value == nullptr || !value->isString()) {
    return {};
  }
  auto dtm = toDtm(value->text());
  if (!dtm) {
    context.coverage.use(value);
    context.unconvertible(path);
    return {};
  }
  context.coverage.use(value);
  return *dtm;
}

std::string useCode(WriteContext& context, const JsonValue* parent, std::string_view name,
                    std::string_view vocabulary, const std::string& path) {
  const JsonValue* value = member(parent, name);
  if (value == nullptr || !value->isString()) {
    return {};
  }
  context.coverage.use(value);
  auto table_code = context.vocabularies.codeToTable(vocabulary, value->text());
  if (!table_code && value->text() == "unknown") {
    // The FHIR way of saying nothing (status is required in FHIR, optional in v2).
    return {};
  }
  if (!table_code) {
    context.unconvertible(path);
    return {};
  }
  return table_code->code;
}

Composite cweOf(WriteContext& context, const JsonValue* concept_value, CodeHint hint,
                const std::string& path) {
  Composite cwe;
  if (concept_value == nullptr) {
    return cwe;
  }
  std::vector<const JsonValue*> codings = codingsOf(concept_value);
  PickedCode primary = pickTableCode(context, codings, hint);
  if (primary.coding == nullptr) {
    for (const JsonValue* coding : codings) {
      if (!textOf(coding, "code").empty()) {
        std::string system = textOf(coding, "system");
        primary = {coding, textOf(coding, "code"), textOf(coding, "display"),
                   context.vocabularies.systemName(system)};
        if (!system.empty() && primary.system_name.empty()) {
          context.unconvertible(path + ".coding.system");
        }
        break;
      }
    }
  }
  const JsonValue* alternate = nullptr;
  if (primary.coding != nullptr) {
    context.coverage.use(primary.coding);
    useTranslations(context, codings, primary, hint);
    cwe.set(1, primary.code);
    cwe.set(2, primary.display);
    cwe.set(3, primary.system_name);
    cwe.set(7, textOf(primary.coding, "version"));
    for (const JsonValue* coding : codings) {
      if (!context.coverage.used(coding) && !textOf(coding, "code").empty()) {
        alternate = coding;
        break;
      }
    }
  }
  if (alternate != nullptr) {
    std::string system = textOf(alternate, "system");
    std::string name = context.vocabularies.systemName(system);
    if (!system.empty() && name.empty()) {
      context.unconvertible(path + ".coding.system");
    }
    context.coverage.use(alternate);
    cwe.set(4, textOf(alternate, "code"));
    cwe.set(5, textOf(alternate, "display"));
    cwe.set(6, name);
    cwe.set(8, textOf(alternate, "version"));
  }
  if (!isCoding(concept_value)) {
    cwe.set(9, useText(context, concept_value, "text"));
  }
  return cwe;
}

std::string tableCodeOf(WriteContext& context, const JsonValue* concept_value, CodeHint hint,
                        const std::string& path) {
  if (concept_value == nullptr) {
    return {};
  }
  std::vector<const JsonValue*> codings = codingsOf(concept_value);
  PickedCode picked = pickTableCode(context, codings, hint);
  if (picked.coding == nullptr) {
    if (!codings.empty() || member(concept_value, "text") != nullptr) {
      context.unconvertible(path);
    }
    return {};
  }
  context.coverage.use(picked.coding);
  useTranslations(context, codings, picked, hint);
  return picked.code;
}

Composite cxOf(WriteContext& context, const JsonValue* identifier, const std::string& path) {
  Composite cx;
  cx.set(1, useText(context, identifier, "value"));
  if (const JsonValue* check = extensionNamed(identifier, kCheckDigit)) {
    cx.set(2, useText(context, check, "valueString"));
    context.coverage.use(member(check, "url"));
  }
  if (const JsonValue* scheme = extensionNamed(identifier, kCheckDigitScheme)) {
    cx.set(3, useText(context, scheme, "valueString"));
    context.coverage.use(member(scheme, "url"));
  }
  cx.setNested(4, hdOfIdentifier(context, identifier, nullptr));
  cx.set(5, tableCodeOf(context, member(identifier, "type"), {"0203", "IdentifierType"},
                        path + ".type"));
  // CX.7 and CX.8 are dates (DT).
  const JsonValue* period = member(identifier, "period");
  cx.set(7, useDtm(context, period, "start", path + ".period.start").substr(0, 8));
  cx.set(8, useDtm(context, period, "end", path + ".period.end").substr(0, 8));
  return cx;
}

Composite eiOf(WriteContext& context, const JsonValue* identifier, const std::string& /*path*/) {
  Composite ei;
  ei.set(1, useText(context, identifier, "value"));
  ei.set(2, useText(context, member(identifier, "assigner"), "display"));
  placeUniversalId(ei, 3, useText(context, identifier, "system"));
  return ei;
}

Composite xpnOf(WriteContext& context, const JsonValue* name, const std::string& path) {
  Composite xpn;
  xpn.setSubcomponent(1, 1, useText(context, name, "family"));
  std::vector<std::string> given = useTexts(context, name, "given");
  xpn.set(2, given.empty() ? std::string() : given.front());
  xpn.set(3, joined(given, " ", 1));
  std::vector<std::string> suffix = useTexts(context, name, "suffix");
  xpn.set(4, suffix.size() > 0 ? suffix[0] : std::string());
  xpn.set(5, joined(useTexts(context, name, "prefix"), " "));
  xpn.set(6, suffix.size() > 1 ? suffix[1] : std::string());
  xpn.set(7, useCode(context, name, "use", "NameType", path + ".use"));
  const JsonValue* period = member(name, "period");
  xpn.set(12, useDtm(context, period, "start", path + ".period.start"));
  xpn.set(13, useDtm(context, period, "end", path + ".period.end"));
  xpn.set(14, joined(suffix, " ", 2));
  return xpn;
}

Composite xadOf(WriteContext& context, const JsonValue* address, const std::string& path) {
  Composite xad;
  std::vector<std::string> lines = useTexts(context, address, "line");
  xad.setSubcomponent(1, 1, lines.empty() ? std::string() : lines.front());
  xad.set(2, joined(lines, ", ", 1));
  xad.set(3, useText(context, address, "city"));
  xad.set(4, useText(context, address, "state"));
  xad.set(5, useText(context, address, "postalCode"));
  xad.set(6, useText(context, address, "country"));
  std::string type = useCode(context, address, "use", "AddressType-Use", path + ".use");
  if (type.empty() && member(address, "use") == nullptr) {
    type = useCode(context, address, "type", "AddressType-Type", path + ".type");
  }
  xad.set(7, type);
  xad.set(9, useText(context, address, "district"));
  const JsonValue* period = member(address, "period");
  xad.set(13, useDtm(context, period, "start", path + ".period.start"));
  xad.set(14, useDtm(context, period, "end", path + ".period.end"));
  return xad;
}

Composite xtnOf(WriteContext& context, const JsonValue* contact_point, const std::string& path) {
  Composite xtn;
  std::string system = useText(context, contact_point, "system");
  std::string value = useText(context, contact_point, "value");
  if (value.empty()) {
    return xtn;
  }
  if (system == "email" || system == "url") {
    // Network addresses: use code NET, equipment Internet, the address in XTN.4 (table 0201,
    // 0202).
    xtn.set(2, "NET");
    xtn.set(3, "Internet");
    xtn.set(4, value);
    context.coverage.use(member(contact_point, "use"));
    return xtn;
  }
  std::string use = textOf(contact_point, "use");
  xtn.set(1, value);
  xtn.set(2, useCode(context, contact_point, "use", "TelecommunicationUseCode", path + ".use"));
  std::string equipment;
  if ((system == "phone" && use == "mobile") || system == "sms") {
    equipment = "CP";
  } else if (!system.empty()) {
    auto code = context.vocabularies.codeToTable("TelecommunicationEquipmentType", system);
    if (code) {
      equipment = code->code;
    } else {
      context.unconvertible(path + ".system");
    }
  }
  xtn.set(3, equipment);
  return xtn;
}

bool isWorkContact(const JsonValue* contact_point) {
  return textOf(contact_point, "use") == "work";
}

Composite xcnOf(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                const std::string& path) {
  const JsonValue* target = follow(context, reference, from);
  if (target != nullptr && resourceTypeOf(target) == "PractitionerRole") {
    target = follow(context, member(target, "practitioner"), target);
  }
  if (target != nullptr && resourceTypeOf(target) == "Practitioner") {
    return practitionerXcn(context, target, "Practitioner");
  }
  // A reference that leads nowhere in the input: its logical identifier, and its display as
  // the family name, for XCN has no free-text name.
  Composite xcn;
  if (const JsonValue* identifier = member(reference, "identifier")) {
    xcn.set(1, useText(context, identifier, "value"));
    xcn.setNested(9, hdOfIdentifier(context, identifier, from));
    xcn.set(13, tableCodeOf(context, member(identifier, "type"), {"0203", "IdentifierType"},
                            path + ".identifier.type"));
  }
  xcn.setSubcomponent(2, 1, useText(context, reference, "display"));
  return xcn;
}

Composite hdOfOrganization(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                           const std::string& /*path*/) {
  Composite hd;
  const JsonValue* organization = follow(context, reference, from);
  if (organization == nullptr) {
    hd.set(1, useText(context, reference, "display"));
    return hd;
  }
  hd.set(1, useText(context, organization, "name"));
  std::vector<const JsonValue*> identifiers = elementsOf(organization, "identifier");
  if (!identifiers.empty()) {
    const JsonValue* identifier = identifiers.front();
    std::string system = textOf(identifier, "system");
    std::string value = useText(context, identifier, "value");
    // The v2-to-fhir mapping keeps HD.2 as a URI value under system urn:ietf:rfc:3986.
    if (system == "urn:ietf:rfc:3986") {
      context.coverage.use(member(identifier, "system"));
      placeUniversalId(hd, 2, value);
    } else {
      placeUniversalId(hd, 2, useText(context, identifier, "system"));
      if (hd.get(1).empty()) {
        hd.set(1, value);
      }
    }
  }
  return hd;
}

Composite plOf(WriteContext& context, const JsonValue* reference, const JsonValue* from,
               const std::string& path) {
  Composite pl;
  const JsonValue* location = follow(context, reference, from);
  if (location == nullptr) {
    pl.set(9, useText(context, reference, "display"));
    return pl;
  }
  pl.set(1, useText(context, location, "name"));
  // The v2-to-fhir mapping keeps room, bed, building and floor as aliases, in that order.
  std::vector<std::string> alias = useTexts(context, location, "alias");
  static constexpr std::size_t kAliasComponents[] = {2, 3, 7, 8};
  for (std::size_t index = 0; index < alias.size() && index < 4; ++index) {
    pl.set(kAliasComponents[index], alias[index]);
  }
  if (const JsonValue* organization = member(location, "managingOrganization")) {
    pl.setNested(4, hdOfOrganization(context, organization, location, "Organization"));
  }
  pl.set(6, tableCodeOf(context, member(location, "physicalType"), {"0305", ""},
                        "Location.physicalType"));
  pl.set(9, useText(context, location, "description"));
  if (textOf(location, "mode") == "instance") {
    // A PL names one place: an instance.
    context.coverage.use(member(location, "mode"));
  }
  std::vector<const JsonValue*> identifiers = elementsOf(location, "identifier");
  if (!identifiers.empty()) {
    Composite ei = eiOf(context, identifiers.front(), path + ".identifier");
    pl.setNested(10, ei);
  }
  return pl;
}

Composite xonOf(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                const std::string& /*path*/) {
  Composite xon;
  const JsonValue* organization = follow(context, reference, from);
  if (organization == nullptr) {
    xon.set(1, useText(context, reference, "display"));
    return xon;
  }
  xon.set(1, useText(context, organization, "name"));
  std::vector<const JsonValue*> identifiers = elementsOf(organization, "identifier");
  if (!identifiers.empty()) {
    const JsonValue* identifier = identifiers.front();
    xon.set(10, useText(context, identifier, "value"));
    xon.setNested(6, hdOfIdentifier(context, identifier, organization));
    xon.set(7, tableCodeOf(context, member(identifier, "type"), {"0203", "IdentifierType"},
                           "Organization.identifier.type"));
  }
  return xon;
}

}  // namespace ferry::mappings::fhirv2
