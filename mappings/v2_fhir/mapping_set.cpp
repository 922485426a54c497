#include "mappings/v2_fhir/mapping_set.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/config/config_node.h"

namespace ferry::mappings::v2fhir {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::config::ConfigErrors;
using engine::config::ConfigNode;
using engine::fhir::JsonValue;

bool TargetPath::appends() const {
  return std::any_of(steps.begin(), steps.end(),
                     [](const PathStep& step) { return step.kind == PathStep::Kind::Append; });
}

namespace {

struct Builtin {
  std::string_view name;
  ValueKind kind;
};

constexpr Builtin kBuiltins[] = {
    {"string", ValueKind::String},
    {"code", ValueKind::Code},
    {"id", ValueKind::Id},
    {"decimal", ValueKind::Decimal},
    {"integer", ValueKind::Integer},
    {"positiveInt", ValueKind::PositiveInt},
    {"unsignedInt", ValueKind::UnsignedInt},
    {"boolean", ValueKind::Boolean},
    {"date", ValueKind::Date},
    {"dateTime", ValueKind::DateTime},
    {"instant", ValueKind::Instant},
    {"time", ValueKind::Time},
    {"uri", ValueKind::Uri},
    {"HD-uri", ValueKind::HdUri},
    {"CodeableConcept", ValueKind::CodeableConcept},
    {"Coding", ValueKind::Coding},
    {"Quantity", ValueKind::Quantity},
    {"CQ-Quantity", ValueKind::CqQuantity},
    {"SN", ValueKind::StructuredNumeric},
    {"ED-Attachment", ValueKind::Attachment},
    {"OBX-value", ValueKind::ObservationValue},
    {"OBX-attachment", ValueKind::ObservationAttachment},
    {"OBX-ED", ValueKind::ObservationEd},
    {"XTN-value", ValueKind::PhoneNumber},
    {"EI-uri", ValueKind::EiUri},
    {"system", ValueKind::SystemName},
    {"dateTime-if-time", ValueKind::DateTimeIfTime},
};

bool validName(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Parses "name[0].given[]", "value[x]". Empty optional-like result (no steps) on error.
bool parseTargetPath(std::string_view text, TargetPath& path) {
  path.text = std::string(text);
  path.steps.clear();
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t dot = text.find('.', start);
    std::string_view piece =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    PathStep step;
    std::size_t bracket = piece.find('[');
    step.name = std::string(piece.substr(0, bracket));
    if (bracket != std::string_view::npos) {
      if (piece.back() != ']') {
        return false;
      }
      std::string_view inside = piece.substr(bracket + 1, piece.size() - bracket - 2);
      if (inside.empty()) {
        step.kind = PathStep::Kind::Append;
      } else if (inside == "x") {
        step.choice = true;
      } else if (std::all_of(inside.begin(), inside.end(),
                             [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
                 inside.size() < 4) {
        step.kind = PathStep::Kind::Index;
        step.index = static_cast<std::size_t>(std::stoul(std::string(inside)));
      } else {
        return false;
      }
    }
    if (!validName(step.name)) {
      return false;
    }
    path.steps.push_back(std::move(step));
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  for (std::size_t index = 0; index + 1 < path.steps.size(); ++index) {
    if (path.steps[index].choice) {
      return false;
    }
  }
  return !path.steps.empty();
}

JsonValue toJson(const ConfigNode& node) {
  switch (node.type()) {
    case ConfigNode::Type::Null:
      return JsonValue();
    case ConfigNode::Type::Bool:
      return JsonValue::makeBool(node.asBool());
    case ConfigNode::Type::Number: {
      std::ostringstream text;
      if (node.isInteger()) {
        text << static_cast<long long>(node.asNumber());
      } else {
        text << node.asNumber();
      }
      return JsonValue::makeNumber(text.str());
    }
    case ConfigNode::Type::String:
      return JsonValue::makeString(node.asString());
    case ConfigNode::Type::Array: {
      JsonValue array = JsonValue::makeArray();
      for (const ConfigNode& element : node.elements()) {
        array.push(toJson(element));
      }
      return array;
    }
    case ConfigNode::Type::Object: {
      JsonValue object = JsonValue::makeObject();
      for (const auto& [name, member] : node.members()) {
        object.add(name, toJson(member));
      }
      return object;
    }
  }
  return JsonValue();
}

std::string tableSystem(std::string_view table) {
  return "http://terminology.hl7.org/CodeSystem/v2-" + std::string(table);
}

}  // namespace

// Builds a MappingSet from parsed files; collects every error before giving up.
class MappingLoader {
 public:
  explicit MappingLoader(MappingSet& set) : set_(set) {}

  void load(const std::vector<std::pair<std::string, ConfigNode>>& files) {
    std::vector<const ConfigNode*> vocabularies;
    std::vector<const ConfigNode*> datatypes;
    std::vector<const ConfigNode*> segments;
    std::vector<const ConfigNode*> messages;
    for (const auto& [path, node] : files) {
      if (!node.requireObject(errors_)) {
        continue;
      }
      std::string folder = path.substr(0, path.find('/'));
      if (folder == "vocabulary") {
        vocabularies.push_back(&node);
      } else if (folder == "datatypes") {
        datatypes.push_back(&node);
      } else if (folder == "segments") {
        segments.push_back(&node);
      } else if (folder == "messages") {
        messages.push_back(&node);
      } else {
        errors_.add(node,
                    "mapping files belong in vocabulary/, datatypes/, segments/ or messages/");
      }
    }
    for (const ConfigNode* node : vocabularies) {
      loadVocabulary(*node);
    }
    // Datatype maps may use each other, so all are named before any rule is compiled.
    for (const ConfigNode* node : datatypes) {
      std::string name = node->getString("name", errors_);
      if (set_.datatypes_.count(name) != 0) {
        errors_.add(*node, "datatype map '" + name + "' defined twice");
        continue;
      }
      DatatypeMap& map = set_.datatypes_[name];
      map.name = name;
      map.resource = node->getString("resource", errors_, std::string());
    }
    for (const ConfigNode* node : datatypes) {
      loadDatatype(*node);
    }
    for (const ConfigNode* node : segments) {
      loadSegment(*node);
    }
    for (const ConfigNode* node : messages) {
      loadMessage(*node);
    }
    index();
  }

  const ConfigErrors& errors() const { return errors_; }

 private:
  void loadVocabulary(const ConfigNode& node) {
    node.rejectUnknownKeys({"vocabulary", "source_table", "source_system", "target_system", "codes",
                            "skipped_conditional_rows", "note"},
                           errors_);
    Vocabulary vocabulary;
    vocabulary.name = node.getString("vocabulary", errors_);
    vocabulary.source_system = node.getString("source_system", errors_, std::string());
    std::string target_system = node.getString("target_system", errors_, std::string());
    auto codes = node.member("codes");
    if (!codes || !codes->requireObject(errors_)) {
      if (!codes) {
        errors_.add(node, "required key missing: codes");
      }
      return;
    }
    for (const auto& [code, entry] : codes->members()) {
      if (!entry.requireObject(errors_)) {
        continue;
      }
      entry.rejectUnknownKeys({"code", "display", "system", "v2_display"}, errors_);
      Concept concept_entry;
      concept_entry.code = entry.getString("code", errors_);
      concept_entry.display = entry.getString("display", errors_, std::string());
      concept_entry.system = entry.getString("system", errors_, target_system);
      concept_entry.v2_display = entry.getString("v2_display", errors_, std::string());
      vocabulary.codes.emplace(code, std::move(concept_entry));
    }
    if (set_.vocabularies_.count(vocabulary.name) != 0) {
      errors_.add(node, "vocabulary '" + vocabulary.name + "' defined twice");
      return;
    }
    set_.vocabularies_.emplace(vocabulary.name, std::move(vocabulary));
  }

  bool readPath(const ConfigNode& node, std::string_view key, TargetPath& path, bool required) {
    auto member = node.member(key);
    if (!member) {
      if (required) {
        errors_.add(node, "required key missing: " + std::string(key));
      }
      return false;
    }
    if (!member->isString() || !parseTargetPath(member->asString(), path)) {
      errors_.add(*member, "not a FHIR element path (name, name[], name[0], value[x])");
      return false;
    }
    return true;
  }

  std::vector<FixedValue> readFixed(const ConfigNode& node) {
    std::vector<FixedValue> fixed;
    auto list = node.member("fixed");
    if (!list) {
      return fixed;
    }
    if (!list->isArray()) {
      errors_.add(*list, "must be an array of {to, value}");
      return fixed;
    }
    for (const ConfigNode& element : list->elements()) {
      if (!element.requireObject(errors_)) {
        continue;
      }
      element.rejectUnknownKeys({"to", "value", "unless", "when", "note"}, errors_);
      FixedValue value;
      readPath(element, "to", value.to, true);
      readPath(element, "unless", value.unless, false);
      readPath(element, "when", value.when, false);
      if (auto member = element.member("value")) {
        value.value = toJson(*member);
      } else {
        errors_.add(element, "required key missing: value");
      }
      fixed.push_back(std::move(value));
    }
    return fixed;
  }

  std::vector<IdPart> readId(const ConfigNode& node, bool segment) {
    std::vector<IdPart> parts;
    auto list = node.member("id");
    if (!list) {
      return parts;
    }
    for (const std::string& text : node.getStringList("id", errors_)) {
      std::vector<std::size_t> numbers;
      std::stringstream stream(text);
      std::string piece;
      bool ok = !text.empty();
      while (std::getline(stream, piece, '.')) {
        ok = ok && !piece.empty() && piece.size() < 4 &&
             std::all_of(piece.begin(), piece.end(),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        numbers.push_back(ok ? std::stoul(piece) : 0);
      }
      std::size_t limit = segment ? 3 : 2;
      if (!ok || numbers.size() > limit ||
          std::find(numbers.begin(), numbers.end(), 0) != numbers.end()) {
        errors_.add(*list, "id part '" + text + "' is not " +
                               (segment ? "FIELD[.COMPONENT[.SUB]]" : "COMPONENT[.SUB]"));
        continue;
      }
      IdPart part;
      std::size_t at = 0;
      if (segment) {
        part.field = numbers[at++];
      }
      part.component = at < numbers.size() ? numbers[at++] : 0;
      part.subcomponent = at < numbers.size() ? numbers[at] : 0;
      parts.push_back(part);
    }
    return parts;
  }

  std::vector<Rule> readRules(const ConfigNode& node, std::string_view list_key,
                              std::string_view position_key) {
    std::vector<Rule> rules;
    auto list = node.member(list_key);
    if (!list) {
      return rules;
    }
    if (!list->isArray()) {
      errors_.add(*list, "must be an array of rules");
      return rules;
    }
    for (const ConfigNode& element : list->elements()) {
      if (!element.requireObject(errors_)) {
        continue;
      }
      bool segment = position_key == "field";
      if (segment) {
        element.rejectUnknownKeys(
            {"field", "component", "to", "type", "vocabulary", "table", "with", "units_field",
             "type_field", "ignore", "unless", "value", "note"},
            errors_);
      } else {
        element.rejectUnknownKeys(
            {"component", "to", "type", "vocabulary", "table", "with", "units_field", "type_field",
             "ignore", "unless", "value", "note"},
            errors_);
      }
      Rule rule;
      rule.position = static_cast<std::size_t>(
          element.getInt(position_key, errors_, std::nullopt, segment ? 1 : 0, 999));
      if (segment) {
        rule.component = static_cast<std::size_t>(element.getInt("component", errors_, 0, 0, 999));
      }
      readPath(element, "unless", rule.unless, false);
      if (element.member("ignore")) {
        element.getString("ignore", errors_);
        rule.kind = ValueKind::Ignore;
        rules.push_back(std::move(rule));
        continue;
      }
      readPath(element, "to", rule.to, true);
      std::string type = element.getString("type", errors_, std::string("string"));
      if (auto constant = element.member("value")) {
        rule.kind = ValueKind::Constant;
        rule.constant = toJson(*constant);
      } else {
        resolveType(element, type, rule);
      }
      if (auto vocabulary = element.member("vocabulary")) {
        std::string name = element.getString("vocabulary", errors_);
        auto found = set_.vocabularies_.find(name);
        if (found == set_.vocabularies_.end()) {
          errors_.add(*vocabulary, "unknown vocabulary '" + name + "'");
        } else {
          rule.vocabulary = &found->second;
        }
      }
      if (element.member("table")) {
        std::string table = element.getString("table", errors_);
        if (table.size() != 4 || !std::all_of(table.begin(), table.end(), [](char c) {
              return std::isdigit(static_cast<unsigned char>(c));
            })) {
          errors_.add(*element.member("table"), "table must be four digits, e.g. \"0203\"");
        }
        rule.table_system = tableSystem(table);
      }
      if (auto with = element.member("with")) {
        if (!with->requireObject(errors_)) {
          continue;
        }
        rule.with = toJson(*with);
      }
      rule.units_field =
          static_cast<std::size_t>(element.getInt("units_field", errors_, 0, 0, 999));
      rule.type_field = static_cast<std::size_t>(element.getInt("type_field", errors_, 0, 0, 999));
      bool choice = !rule.to.empty() && rule.to.steps.back().choice;
      bool chooses =
          rule.kind == ValueKind::ObservationValue || rule.kind == ValueKind::StructuredNumeric;
      if (!rule.to.empty() && choice != chooses) {
        errors_.add(element, chooses ? "type '" + type + "' needs a value[x] target"
                                     : "a value[x] target needs type OBX-value or SN");
      }
      if (rule.kind == ValueKind::ObservationValue && rule.type_field == 0) {
        errors_.add(element, "OBX-value needs type_field (the field holding OBX-2)");
      }
      rule.every_repetition = rule.to.appends();
      rules.push_back(std::move(rule));
    }
    return rules;
  }

  void resolveType(const ConfigNode& element, const std::string& type, Rule& rule) {
    for (const Builtin& builtin : kBuiltins) {
      if (builtin.name == type) {
        rule.kind = builtin.kind;
        return;
      }
    }
    auto found = set_.datatypes_.find(type);
    if (found == set_.datatypes_.end()) {
      errors_.add(element, "unknown type '" + type + "' (neither built in nor a datatype map)");
      return;
    }
    rule.datatype = &found->second;
    rule.kind = found->second.resource.empty() ? ValueKind::Datatype : ValueKind::Resource;
  }

  void loadDatatype(const ConfigNode& node) {
    node.rejectUnknownKeys(
        {"name", "datatype", "fhir", "resource", "id", "components", "fixed", "note"}, errors_);
    std::string name = node.getString("name", errors_);
    auto found = set_.datatypes_.find(name);
    if (found == set_.datatypes_.end()) {
      return;
    }
    DatatypeMap& map = found->second;
    map.rules = readRules(node, "components", "component");
    map.id = readId(node, false);
    map.fixed = readFixed(node);
  }

  void loadSegment(const ConfigNode& node) {
    node.rejectUnknownKeys(
        {"name", "segment", "resource", "id", "fields", "fixed", "required", "note"}, errors_);
    SegmentMap map;
    map.name = node.getString("name", errors_);
    map.segment = node.getString("segment", errors_);
    map.resource = node.getString("resource", errors_, std::string());
    map.rules = readRules(node, "fields", "field");
    map.id = readId(node, true);
    map.fixed = readFixed(node);
    for (const std::string& text : node.getStringList("required", errors_)) {
      TargetPath path;
      if (!parseTargetPath(text, path)) {
        errors_.add(node, "required path '" + text + "' is not a FHIR element path");
        continue;
      }
      map.required.push_back(std::move(path));
    }
    if (map.segment.size() != 3) {
      errors_.add(node, "segment must be a three-character segment id");
    }
    if (set_.segments_.count(map.name) != 0) {
      errors_.add(node, "segment map '" + map.name + "' defined twice");
      return;
    }
    set_.segments_.emplace(map.name, std::move(map));
  }

  std::vector<ReferenceRule> readReferences(const ConfigNode& node, std::string_view key) {
    std::vector<ReferenceRule> references;
    auto object = node.member(key);
    if (!object || !object->requireObject(errors_)) {
      return references;
    }
    for (const auto& [path_text, name] : object->members()) {
      ReferenceRule rule;
      if (!parseTargetPath(path_text, rule.to)) {
        errors_.add(*object, "'" + path_text + "' is not a FHIR element path");
        continue;
      }
      if (name.isObject()) {
        name.rejectUnknownKeys({"name", "with"}, errors_);
        rule.name = name.getString("name", errors_);
        if (auto with = name.member("with"); with && with->requireObject(errors_)) {
          rule.with = toJson(*with);
        }
      } else if (name.isString()) {
        rule.name = name.asString();
      } else {
        errors_.add(name, "must name a resource given with \"as\" (or {name, with})");
        continue;
      }
      references.push_back(std::move(rule));
    }
    return references;
  }

  void loadMessage(const ConfigNode& node) {
    node.rejectUnknownKeys({"message", "events", "structures", "segments", "note"}, errors_);
    MessageMap map;
    map.name = node.getString("message", errors_);
    map.events = node.getStringList("events", errors_);
    if (node.member("structures")) {
      map.structures = node.getStringList("structures", errors_);
    }
    auto list = node.member("segments");
    if (!list || !list->isArray()) {
      errors_.add(node, "segments must be an array of entries");
      return;
    }
    std::set<std::string> names;
    for (const ConfigNode& element : list->elements()) {
      if (!element.requireObject(errors_)) {
        continue;
      }
      element.rejectUnknownKeys({"segment", "map", "as", "into", "merge", "bundle", "after",
                                 "events", "references", "add_to", "fixed", "note"},
                                errors_);
      Entry entry;
      entry.segment = element.getString("segment", errors_);
      std::string map_name = element.getString("map", errors_);
      auto found = set_.segments_.find(map_name);
      if (found == set_.segments_.end()) {
        errors_.add(element, "unknown segment map '" + map_name + "'");
        continue;
      }
      entry.map = &found->second;
      if (entry.map->segment != entry.segment) {
        errors_.add(element, "segment map '" + map_name + "' is for " + entry.map->segment);
      }
      entry.as = element.getString("as", errors_, std::string());
      entry.into = element.getString("into", errors_, std::string());
      entry.merge = element.getString("merge", errors_, std::string());
      entry.bundle = element.getBool("bundle", errors_, false);
      if (element.member("after")) {
        entry.after = element.getStringList("after", errors_);
      }
      if (element.member("events")) {
        entry.events = element.getStringList("events", errors_);
      }
      entry.references = readReferences(element, "references");
      entry.add_to = readReferences(element, "add_to");
      entry.fixed = readFixed(element);
      if (entry.map->resource.empty() && entry.into.empty() && !entry.bundle) {
        errors_.add(element, "map '" + map_name + "' makes no resource: give \"into\"");
      }
      for (const std::string* name : {&entry.into, &entry.merge}) {
        if (!name->empty() && names.count(*name) == 0 && *name != entry.as) {
          errors_.add(element, "'" + *name + "' is not named by an earlier entry's \"as\"");
        }
      }
      if (!entry.as.empty()) {
        names.insert(entry.as);
      }
      map.entries.push_back(std::move(entry));
    }
    for (const Entry& entry : map.entries) {
      for (const auto* refs : {&entry.references, &entry.add_to}) {
        for (const ReferenceRule& rule : *refs) {
          if (names.count(rule.name) == 0) {
            errors_.add(node, "entry for " + entry.segment + " refers to '" + rule.name +
                                  "', which no entry names with \"as\"");
          }
        }
      }
    }
    set_.messages_.push_back(std::move(map));
  }

  void index() {
    for (MessageMap& map : set_.messages_) {
      for (const Entry& entry : map.entries) {
        map.by_segment[entry.segment].push_back(&entry);
      }
      for (const std::string& event : map.events) {
        if (!set_.by_event_.emplace(event, &map).second) {
          errors_.add(
              engine::config::ConfigError{"mappings/data/messages", 0, "/events",
                                          "event '" + event + "' is claimed by two message maps"});
        }
      }
      for (const std::string& structure : map.structures) {
        set_.by_structure_.emplace(structure, &map);
      }
    }
  }

  MappingSet& set_;
  ConfigErrors errors_;
};

const MessageMap* MappingSet::findMessage(std::string_view event,
                                          std::string_view structure) const {
  auto found = by_event_.find(event);
  if (found != by_event_.end()) {
    return found->second;
  }
  auto by_structure = by_structure_.find(structure);
  return by_structure == by_structure_.end() ? nullptr : by_structure->second;
}

const Vocabulary* MappingSet::findVocabulary(std::string_view name) const {
  auto found = vocabularies_.find(name);
  return found == vocabularies_.end() ? nullptr : &found->second;
}

Result<std::shared_ptr<const MappingSet>> MappingSet::loadFiles(
    const std::vector<DataFile>& files) {
  std::vector<std::pair<std::string, ConfigNode>> parsed;
  ConfigErrors errors;
  for (const DataFile& file : files) {
    auto node = ConfigNode::parse(file.text, "mappings/data/" + file.path);
    if (!node.isOk()) {
      errors.add(engine::config::ConfigError{"mappings/data/" + file.path, 0, "",
                                             node.status().context()});
      continue;
    }
    parsed.emplace_back(file.path, std::move(node).value());
  }
  auto set = std::make_shared<MappingSet>();
  MappingLoader loader(*set);
  loader.load(parsed);
  for (const auto& error : loader.errors().all()) {
    errors.add(error);
  }
  if (!errors.empty()) {
    return Status(ErrorCode::ConfigError, "mapping files: " + errors.format());
  }
  set->file_count_ = files.size();
  return std::shared_ptr<const MappingSet>(std::move(set));
}

Result<std::shared_ptr<const MappingSet>> MappingSet::load(const std::string& override_dir) {
  std::vector<DataFile> files = embeddedDataFiles();
  if (!override_dir.empty()) {
    std::error_code error;
    std::filesystem::path root(override_dir);
    if (!std::filesystem::is_directory(root, error)) {
      return Status(ErrorCode::ConfigError,
                    "mapping override directory '" + override_dir + "' is not a directory");
    }
    for (const auto& item : std::filesystem::recursive_directory_iterator(root, error)) {
      if (!item.is_regular_file() || item.path().extension() != ".json") {
        continue;
      }
      std::string relative = std::filesystem::relative(item.path(), root).generic_string();
      std::ifstream in(item.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        return Status(ErrorCode::IoError, "cannot read mapping file '" + relative + "'");
      }
      auto same = std::find_if(files.begin(), files.end(),
                               [&](const DataFile& file) { return file.path == relative; });
      if (same != files.end()) {
        same->text = text.str();
      } else {
        files.push_back({relative, text.str()});
      }
    }
  }
  return loadFiles(files);
}

}  // namespace ferry::mappings::v2fhir
