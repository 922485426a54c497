#include "mappings/v2_fhir/value_builders.h"

#include <algorithm>
#include <cctype>

#include "mappings/v2_fhir/hl7_time.h"

namespace ferry::mappings::v2fhir {

using engine::fhir::JsonValue;

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isBlank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && isBlank(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// ASCII digits only (std::isdigit would consult the C locale for every byte).
bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isOid(std::string_view text) {
  if (text.size() < 3 || !isDigit(text.front()) || text.find('.') == std::string_view::npos) {
    return false;
  }
  for (char c : text) {
    if (!isDigit(c) && c != '.') {
      return false;
    }
  }
  return text.back() != '.' && text.find("..") == std::string_view::npos;
}

JsonValue str(std::string_view text) { return JsonValue::makeString(text); }

// A built value for a target, with the type suffix of a value[x] target ("Quantity") or none.
// Made in place in the result: values move several times on their way into the tree already.
std::optional<BuiltValue> built(std::string_view suffix, JsonValue&& value) {
  return std::optional<BuiltValue>(std::in_place, suffix, std::move(value));
}

std::optional<BuiltValue> built(std::string_view suffix, std::optional<JsonValue>&& value) {
  if (!value) {
    return std::nullopt;
  }
  return built(suffix, std::move(*value));
}

// A FHIR code has no leading or trailing white space and no runs of it inside.
bool validCode(std::string_view code) {
  if (code.empty() || code.front() == ' ' || code.back() == ' ') {
    return false;
  }
  for (std::size_t index = 0; index < code.size(); ++index) {
    unsigned char c = static_cast<unsigned char>(code[index]);
    if (c < 0x20 || (c == ' ' && index + 1 < code.size() && code[index + 1] == ' ')) {
      return false;
    }
  }
  return true;
}

const Concept* lookup(const Vocabulary* vocabulary, std::string_view code) {
  if (vocabulary == nullptr) {
    return nullptr;
  }
  auto found = vocabulary->codes.find(code);
  return found == vocabulary->codes.end() ? nullptr : &found->second;
}

// One coding from CWE components (code, display, system, version); the node may be a CWE
// (components) or a bare ID/IS value (component 1 only).
std::optional<JsonValue> codingOf(const Node& node, std::size_t first, std::size_t version,
                                  const Rule& rule, const LeafContext& context) {
  Node code_node = node.child(first);
  std::string_view code = trim(code_node.peek());
  if (code.empty() || code_node.isNull()) {
    return std::nullopt;
  }
  if (!validCode(code)) {
    code_node.markUnconverted();
    return std::nullopt;
  }
  code_node.text();
  Node system_node = node.child(first + 2);
  std::string storage;
  std::string_view system;
  if (!system_node.empty()) {
    system = codingSystemUri(system_node.peek(), context, storage);
    if (system.empty()) {
      system_node.markUnconverted();
    } else {
      system_node.text();
    }
  } else if (!rule.table_system.empty()) {
    system = rule.table_system;
  } else if (rule.vocabulary != nullptr) {
    system = rule.vocabulary->source_system;
  }
  std::string_view display = node.child(first + 1).text();
  if (display.empty() && rule.vocabulary != nullptr && system == rule.vocabulary->source_system) {
    if (const Concept* known = lookup(rule.vocabulary, code)) {
      display = known->v2_display;
    }
  }
  JsonValue coding = JsonValue::makeObject();
  if (!system.empty()) {
    coding.addString("system", system);
  }
  if (version != 0) {
    if (std::string_view text = node.child(version).text(); !text.empty()) {
      coding.addString("version", text);
    }
  }
  coding.addString("code", code);
  if (!display.empty()) {
    coding.addString("display", display);
  }
  return coding;
}

void addTranslated(const Concept& concept_entry, JsonValue& coding) {
  if (!concept_entry.system.empty()) {
    coding.addString("system", concept_entry.system);
  }
  coding.addString("code", concept_entry.code);
  if (!concept_entry.display.empty()) {
    coding.addString("display", concept_entry.display);
  }
}

JsonValue translated(const Concept& concept_entry) {
  JsonValue coding = JsonValue::makeObject();
  addTranslated(concept_entry, coding);
  return coding;
}

std::optional<JsonValue> codeableConcept(const Node& node, const Rule& rule,
                                         const LeafContext& context) {
  JsonValue codings = JsonValue::makeArray();
  std::optional<JsonValue> primary = codingOf(node, 1, 7, rule, context);
  if (primary) {
    const JsonValue* code = primary->find("code");
    const JsonValue* system = primary->find("system");
    const Concept* known = lookup(rule.vocabulary, code->text());
    bool add_translation =
        known != nullptr &&
        (system == nullptr || system->text() != known->system || code->text() != known->code);
    codings.push(std::move(*primary));
    if (add_translation) {
      addTranslated(*known, codings.pushObject());
    }
  }
  if (auto alternate = codingOf(node, 4, 8, rule, context)) {
    codings.push(std::move(*alternate));
  }
  std::string_view text = node.child(9).text();
  if (codings.elements().empty() && text.empty()) {
    return std::nullopt;
  }
  JsonValue concept_value = JsonValue::makeObject();
  if (!codings.elements().empty()) {
    concept_value.add("coding", std::move(codings));
  }
  if (!text.empty()) {
    concept_value.addString("text", text);
  }
  return concept_value;
}

std::optional<JsonValue> coding(const Node& node, const Rule& rule, const LeafContext& context) {
  std::string_view code = trim(node.child(1).peek());
  if (const Concept* known = lookup(rule.vocabulary, code)) {
    node.child(1).text();
    node.child(2).text();
    node.child(3).text();
    return translated(*known);
  }
  return codingOf(node, 1, 7, rule, context);
}

std::optional<JsonValue> code(const Node& node, const Rule& rule) {
  Node atom = node.child(1);
  std::string_view text = trim(atom.peek());
  if (text.empty()) {
    return std::nullopt;
  }
  if (rule.vocabulary != nullptr) {
    const Concept* known = lookup(rule.vocabulary, text);
    if (known == nullptr) {
      atom.markUnconverted();
      return std::nullopt;
    }
    atom.text();
    return str(known->code);
  }
  if (!validCode(text)) {
    atom.markUnconverted();
    return std::nullopt;
  }
  atom.text();
  return str(text);
}

std::optional<JsonValue> number(const Node& node, ValueKind kind) {
  Node atom = node.firstAtom();
  std::string_view text = trim(atom.peek());
  if (text.empty()) {
    return std::nullopt;
  }
  std::optional<std::string> literal = decimalLiteral(text);
  bool whole = literal && literal->find_first_of(".eE") == std::string::npos;
  bool negative = literal && literal->front() == '-';
  bool ok =
      literal &&
      (kind == ValueKind::Decimal ||
       (whole && (kind == ValueKind::Integer || (kind == ValueKind::UnsignedInt && !negative) ||
                  (kind == ValueKind::PositiveInt && !negative && *literal != "0"))));
  if (!ok) {
    atom.markUnconverted();
    return std::nullopt;
  }
  atom.text();
  return JsonValue::makeNumber(std::move(*literal));
}

std::optional<JsonValue> timestamp(const Node& node, TimeTarget target,
                                   const LeafContext& context) {
  Node atom = node.firstAtom();
  std::string_view text = trim(atom.peek());
  if (text.empty()) {
    return std::nullopt;
  }
  static const TimeZone kUtc = TimeZone::utc();
  auto converted = convertTimestamp(text, target, context.zone != nullptr ? *context.zone : kUtc);
  if (!converted) {
    atom.markUnconverted();
    return std::nullopt;
  }
  atom.text();
  return str(std::move(*converted));
}

// HD to a system URI: an ISO OID, a UUID or a URI in HD.2 (HD.3 says which). EI keeps the
// same pair one component later (EI.3, EI.4).
std::optional<JsonValue> hdUri(const Node& node, std::size_t first = 2) {
  Node universal = node.child(first);
  std::string_view id = trim(universal.peek());
  if (id.empty()) {
    return std::nullopt;
  }
  Node type_node = node.child(first + 1);
  std::string_view type = type_node.peek();
  std::string uri;
  if ((type == "ISO" || type.empty()) && isOid(id)) {
    uri = "urn:oid:" + std::string(id);
  } else if (type == "UUID" || type == "GUID") {
    uri = "urn:uuid:" + std::string(id);
  } else if ((type == "URI" || type == "URL" || type.empty()) &&
             id.find("://") != std::string_view::npos) {
    uri = std::string(id);
  }
  if (uri.empty()) {
    universal.markUnconverted();
    return std::nullopt;
  }
  universal.text();
  type_node.text();
  return str(std::move(uri));
}

// CWE units to Quantity's unit, system and code (UCUM units keep their code).
void addUnits(JsonValue& quantity, const Node& units, const LeafContext& context) {
  if (units.empty()) {
    return;
  }
  std::string_view unit_code = trim(units.child(1).text());
  std::string_view unit_text = units.child(2).text();
  std::string storage;
  std::string_view system;
  if (Node system_node = units.child(3); !system_node.empty()) {
    system = codingSystemUri(system_node.peek(), context, storage);
    system.empty() ? system_node.markUnconverted() : static_cast<void>(system_node.text());
  }
  std::string_view shown = unit_text.empty() ? unit_code : unit_text;
  if (!shown.empty()) {
    quantity.addString("unit", shown);
  }
  if (!system.empty() && validCode(unit_code)) {
    quantity.addString("system", system);
    quantity.addString("code", unit_code);
  }
}

std::optional<JsonValue> quantity(const Node& value, const Node& units,
                                  const LeafContext& context) {
  auto number_value = number(value, ValueKind::Decimal);
  if (!number_value) {
    return std::nullopt;
  }
  JsonValue result = JsonValue::makeObject();
  result.add("value", std::move(*number_value));
  addUnits(result, units, context);
  return result;
}

std::optional<BuiltValue> structuredNumeric(const Node& node) {
  std::string_view comparator = trim(node.child(1).peek());
  std::string_view separator = trim(node.child(3).peek());
  Node first = node.child(2);
  Node second = node.child(4);
  auto low = decimalLiteral(trim(first.peek()));
  auto high = decimalLiteral(trim(second.peek()));
  auto fail = [&]() -> std::optional<BuiltValue> {
    node.markUnconverted();
    return std::nullopt;
  };
  if (!low) {
    return first.empty() && second.empty() ? std::nullopt : fail();
  }
  if (!separator.empty()) {
    if (!high || !comparator.empty()) {
      return fail();
    }
    node.markUsed();
    JsonValue low_quantity = JsonValue::makeObject();
    low_quantity.add("value", JsonValue::makeNumber(*low));
    JsonValue high_quantity = JsonValue::makeObject();
    high_quantity.add("value", JsonValue::makeNumber(*high));
    JsonValue result = JsonValue::makeObject();
    if (separator == "-") {
      result.add("low", std::move(low_quantity));
      result.add("high", std::move(high_quantity));
      return BuiltValue{"Range", std::move(result)};
    }
    if (separator == ":" || separator == "/") {
      result.add("numerator", std::move(low_quantity));
      result.add("denominator", std::move(high_quantity));
      return BuiltValue{"Ratio", std::move(result)};
    }
    return fail();
  }
  if (!second.empty()) {
    return fail();
  }
  JsonValue result = JsonValue::makeObject();
  result.add("value", JsonValue::makeNumber(*low));
  if (comparator == "<" || comparator == ">" || comparator == "<=" || comparator == ">=") {
    result.add("comparator", str(comparator));
  } else if (!comparator.empty() && comparator != "=") {
    return fail();
  }
  node.markUsed();
  return BuiltValue{"Quantity", std::move(result)};
}

std::string base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t index = 0;
  for (; index + 2 < data.size(); index += 3) {
    unsigned value = (static_cast<unsigned char>(data[index]) << 16) |
                     (static_cast<unsigned char>(data[index + 1]) << 8) |
                     static_cast<unsigned char>(data[index + 2]);
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += kAlphabet[(value >> 6) & 63];
    out += kAlphabet[value & 63];
  }
  if (index < data.size()) {
    unsigned value = static_cast<unsigned char>(data[index]) << 16;
    if (index + 1 < data.size()) {
      value |= static_cast<unsigned char>(data[index + 1]) << 8;
    }
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += index + 1 < data.size() ? kAlphabet[(value >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool isBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) {
    return false;
  }
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
    } else if (padding != 0 ||
               !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) {
      return false;
    }
  }
  return padding <= 2;
}

// ED: source ^ type of data ^ subtype ^ encoding ^ data. The MIME type is built from ED.2
// (HL7 table 0191 in upper case, or a MIME top-level type) and ED.3.
std::optional<JsonValue> attachment(const Node& node) {
  Node data_node = node.child(5);
  std::string type(trim(node.child(2).peek()));
  std::string subtype(trim(node.child(3).peek()));
  std::string_view encoding = trim(node.child(4).peek());
  for (char& c : type) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (char& c : subtype) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"ap", "application"},
      {"application", "application"},
      {"im", "image"},
      {"image", "image"},
      {"au", "audio"},
      {"audio", "audio"},
      {"tx", "text"},
      {"text", "text"},
      {"multipart", "multipart"},
      {"video", "video"}};
  std::string top;
  for (const auto& [code, mime] : kTypes) {
    if (type == code) {
      top = std::string(mime);
    }
  }
  std::string data;
  std::string_view raw = data_node.wholeText();
  if (raw.empty()) {
    // A reference to content sent elsewhere: the type is all there is.
  } else if (encoding == "Base64" || encoding == "BASE64" || encoding == "base64") {
    for (char c : raw) {
      if (c != '\r' && c != '\n' && c != ' ' && c != '\\') {
        data += c;
      }
    }
    if (!isBase64(data)) {
      data_node.markUnconverted();
      return std::nullopt;
    }
  } else if (encoding == "A" || encoding.empty()) {
    data = base64Encode(raw);
  } else {
    data_node.markUnconverted();
    return std::nullopt;
  }
  JsonValue result = JsonValue::makeObject();
  if (!top.empty() && !subtype.empty() && subtype.find_first_of(" /;") == std::string::npos) {
    result.add("contentType", str(top + "/" + subtype));
    node.child(2).text();
    node.child(3).text();
  } else if (top == "text" && subtype.empty()) {
    result.add("contentType", str("text/plain"));
    node.child(2).text();
  }
  if (data.empty()) {
    return result.members().empty() ? std::nullopt : std::optional<JsonValue>(std::move(result));
  }
  node.child(4).text();
  result.add("data", str(std::move(data)));
  return result;
}

std::optional<JsonValue> range(const Node& node) {
  auto low = number(node.child(1), ValueKind::Decimal);
  auto high = number(node.child(2), ValueKind::Decimal);
  if (!low && !high) {
    return std::nullopt;
  }
  JsonValue result = JsonValue::makeObject();
  if (low) {
    JsonValue quantity_value = JsonValue::makeObject();
    quantity_value.add("value", std::move(*low));
    result.add("low", std::move(quantity_value));
  }
  if (high) {
    JsonValue quantity_value = JsonValue::makeObject();
    quantity_value.add("value", std::move(*high));
    result.add("high", std::move(quantity_value));
  }
  return result;
}

// Text values (ST, TX, FT) may repeat in OBX-5; value[x] holds one string, so the repetitions
// become lines.
std::optional<JsonValue> joinedText(const Node& node) {
  const SegmentView& segment = node.segment();
  std::size_t field = node.fieldNumber();
  std::string text(node.wholeText());
  for (std::size_t rep = node.repetitionNumber() + 1; rep <= segment.repetitionCount(field);
       ++rep) {
    text += '\n';
    text += segment.field(field, rep).wholeText();
  }
  if (text.empty()) {
    return std::nullopt;
  }
  return str(std::move(text));
}

// XTN: the number as sent in XTN.1, else the e-mail address, else the number built from its
// parts (+country (area) local ext. extension), else the unformatted XTN.12.
std::optional<JsonValue> phoneNumber(const Node& node) {
  std::string value(trim(node.child(1).text()));
  if (value.empty()) {
    value = trim(node.child(4).text());
  }
  if (value.empty()) {
    std::string country(trim(node.child(5).peek()));
    std::string area(trim(node.child(6).peek()));
    std::string local(trim(node.child(7).peek()));
    std::string extension(trim(node.child(8).peek()));
    if (!local.empty()) {
      value = (country.empty() ? "" : "+" + country + " ") +
              (area.empty() ? "" : "(" + area + ") ") + local +
              (extension.empty() ? "" : " ext. " + extension);
      for (std::size_t part = 5; part <= 8; ++part) {
        node.child(part).text();
      }
    }
  }
  if (value.empty()) {
    value = trim(node.child(12).text());
  }
  if (value.empty()) {
    return std::nullopt;
  }
  // Parts that repeat the number given in XTN.1 or XTN.4 say nothing new.
  for (std::size_t part = 5; part <= 8; ++part) {
    node.child(part).markUsed();
  }
  return str(std::move(value));
}

std::optional<JsonValue> observationAttachment(const Rule& rule, const Node& node, bool text) {
  const SegmentView& segment = node.segment();
  Node type_node = segment.field(rule.type_field);
  std::string_view type = trim(type_node.peek());
  std::optional<JsonValue> result;
  if (type == "ED") {
    result = attachment(node);
  } else if (text && (type == "ST" || type == "TX" || type == "FT")) {
    auto joined = joinedText(node);
    if (joined) {
      result = JsonValue::makeObject();
      result->add("contentType", str("text/plain"));
      result->add("data", str(base64Encode(joined->text())));
    }
  }
  if (result) {
    type_node.text();
  }
  return result;
}

std::optional<BuiltValue> observationValue(const Rule& rule, const Node& node,
                                           const LeafContext& context) {
  const SegmentView& segment = node.segment();
  Node type_node = segment.field(rule.type_field);
  std::string_view type = trim(type_node.peek());
  auto wrap = [](std::string_view suffix, std::optional<JsonValue>&& value) {
    return built(suffix, std::move(value));
  };
  std::optional<BuiltValue> result;
  if (type == "NM") {
    Node units = rule.units_field != 0 ? segment.field(rule.units_field) : Node();
    result = wrap("Quantity", quantity(node, units, context));
  } else if (type == "ST" || type == "TX" || type == "FT") {
    // Text keeps its component delimiters as written (they are part of free text).
    result = wrap("String", joinedText(node));
  } else if (type == "CWE" || type == "CE" || type == "CNE" || type == "CF" || type == "ID" ||
             type == "IS") {
    result = wrap("CodeableConcept", codeableConcept(node, rule, context));
  } else if (type == "SN") {
    result = structuredNumeric(node);
  } else if (type == "DT" || type == "TS" || type == "DTM") {
    result = wrap("DateTime", timestamp(node, TimeTarget::DateTime, context));
  } else if (type == "TM") {
    result = wrap("Time", timestamp(node, TimeTarget::Time, context));
  } else if (type == "NR") {
    result = wrap("Range", range(node));
  } else {
    // Other value types (XPN, XAD, CX, RP, ...) have no value[x] form here: OBX-5 stays in the
    // coverage report, and OBX-2 with it. ED has none in R4 either; the OBX-ED rule puts it
    // in the R5 value extension, as the IG does.
    return std::nullopt;
  }
  if (result) {
    type_node.text();
  }
  return result;
}

}  // namespace

std::optional<std::string> decimalLiteral(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  auto digits = [&text](std::size_t from) {
    std::size_t end = from;
    while (end < text.size() && isDigit(text[end])) {
      ++end;
    }
    return end;
  };
  std::size_t whole_end = digits(0);
  std::string_view whole = text.substr(0, whole_end);
  std::string_view fraction;
  std::size_t end = whole_end;
  if (end < text.size() && text[end] == '.') {
    end = digits(whole_end + 1);
    fraction = text.substr(whole_end + 1, end - whole_end - 1);
  }
  if (end != text.size() || (whole.empty() && fraction.empty())) {
    return std::nullopt;
  }
  while (!whole.empty() && whole.front() == '0') {
    whole.remove_prefix(1);
  }
  std::string out;
  out.reserve(text.size() + 2);
  if (negative && !(whole.empty() && fraction.empty())) {
    out += '-';
  }
  if (whole.empty()) {
    out += '0';
  } else {
    out += whole;
  }
  if (!fraction.empty()) {
    out += '.';
    out += fraction;
  }
  return out;
}

std::string_view codingSystemUri(std::string_view name, const LeafContext& context,
                                 std::string& storage) {
  std::string_view key = trim(name);
  if (key.empty()) {
    return {};
  }
  if (context.coding_systems != nullptr) {
    auto found = context.coding_systems->codes.find(key);
    if (found != context.coding_systems->codes.end()) {
      return found->second.code;
    }
  }
  // HL7 tables: "HL70203", "HL7-0203"; user tables "99xxx" and local names have no URI.
  std::string_view digits;
  if (key.substr(0, 3) == "HL7") {
    digits = key.substr(key.size() >= 4 && key[3] == '-' ? 4 : 3);
  }
  if (digits.size() == 4 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return isDigit(c); })) {
    storage.assign("http://terminology.hl7.org/CodeSystem/v2-").append(digits);
    return storage;
  }
  if (key.find("://") != std::string_view::npos || key.substr(0, 4) == "urn:") {
    return key;
  }
  if (isOid(key)) {
    storage.assign("urn:oid:").append(key);
    return storage;
  }
  return {};
}

std::string codingSystemUri(std::string_view name, const LeafContext& context) {
  std::string storage;
  return std::string(codingSystemUri(name, context, storage));
}

std::optional<BuiltValue> buildLeaf(const Rule& rule, const Node& node,
                                    const LeafContext& context) {
  auto wrap = [](auto&& value) { return built({}, std::forward<decltype(value)>(value)); };
  switch (rule.kind) {
    case ValueKind::String: {
      std::string_view text = node.text();
      return text.empty() ? std::nullopt : wrap(str(text));
    }
    case ValueKind::Code:
    case ValueKind::Id:
      return wrap(code(node, rule));
    case ValueKind::Decimal:
    case ValueKind::Integer:
    case ValueKind::PositiveInt:
    case ValueKind::UnsignedInt:
      return wrap(number(node, rule.kind));
    case ValueKind::Boolean: {
      Node atom = node.firstAtom();
      std::string_view text = trim(atom.peek());
      if (text == "Y" || text == "N") {
        atom.text();
        return wrap(JsonValue::makeBool(text == "Y"));
      }
      if (!text.empty()) {
        atom.markUnconverted();
      }
      return std::nullopt;
    }
    case ValueKind::Date:
      return wrap(timestamp(node, TimeTarget::Date, context));
    case ValueKind::DateTime:
      return wrap(timestamp(node, TimeTarget::DateTime, context));
    case ValueKind::Instant:
      return wrap(timestamp(node, TimeTarget::Instant, context));
    case ValueKind::Time:
      return wrap(timestamp(node, TimeTarget::Time, context));
    case ValueKind::Uri: {
      std::string_view text = trim(node.text());
      if (text.empty()) {
        return std::nullopt;
      }
      return wrap(isOid(text) ? str("urn:oid:" + std::string(text)) : str(text));
    }
    case ValueKind::HdUri:
      return wrap(hdUri(node));
    case ValueKind::CodeableConcept:
      return wrap(codeableConcept(node, rule, context));
    case ValueKind::Coding:
      return wrap(coding(node, rule, context));
    case ValueKind::Quantity: {
      Node units = rule.units_field != 0 ? node.segment().field(rule.units_field) : Node();
      return wrap(quantity(node, units, context));
    }
    case ValueKind::CqQuantity:
      return wrap(quantity(node.child(1), node.child(2), context));
    case ValueKind::StructuredNumeric:
      return structuredNumeric(node);
    case ValueKind::Attachment:
      return wrap(attachment(node));
    case ValueKind::ObservationValue:
      return observationValue(rule, node, context);
    case ValueKind::ObservationAttachment:
      return wrap(observationAttachment(rule, node, true));
    case ValueKind::ObservationEd:
      return wrap(observationAttachment(rule, node, false));
    case ValueKind::PhoneNumber:
      return wrap(phoneNumber(node));
    case ValueKind::EiUri:
      return wrap(hdUri(node, 3));
    case ValueKind::SystemName: {
      Node atom = node.firstAtom();
      std::string storage;
      std::string_view uri = codingSystemUri(atom.peek(), context, storage);
      if (uri.empty()) {
        atom.markUnconverted();
        return std::nullopt;
      }
      atom.text();
      return wrap(str(uri));
    }
    case ValueKind::DateTimeIfTime: {
      std::string_view text = trim(node.firstAtom().peek());
      if (text.size() <= 8 || text.find_first_of("+-") <= 8) {
        return std::nullopt;
      }
      return wrap(timestamp(node, TimeTarget::DateTime, context));
    }
    case ValueKind::Constant:
      node.markUsed();
      return wrap(JsonValue(rule.constant));
    case ValueKind::Ignore:
    case ValueKind::Datatype:
    case ValueKind::Resource:
      break;
  }
  return std::nullopt;
}

}  // namespace ferry::mappings::v2fhir
