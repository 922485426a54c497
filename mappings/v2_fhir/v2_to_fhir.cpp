#include "mappings/v2_fhir/v2_to_fhir.h"

#include <algorithm>
#include <array>
#include <deque>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "mappings/v2_fhir/json_paths.h"
#include "mappings/v2_fhir/segment_view.h"
#include "mappings/v2_fhir/stable_id.h"
#include "mappings/v2_fhir/value_builders.h"

namespace ferry::mappings::v2fhir {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::fhir::JsonValue;

namespace {

// A resource id: a name-based UUID, kept in place (a message makes a dozen ids or more).
struct ResourceId {
  UuidText text{};
  std::string_view view() const { return {text.data(), text.size()}; }
};

// "urn:uuid:" and a resource id, the fullUrl of an entry and the target of each reference to
// it, made in place.
class Urn {
 public:
  explicit Urn(const ResourceId& id) {
    auto end = std::copy(kPrefix.begin(), kPrefix.end(), text_.begin());
    std::copy(id.text.begin(), id.text.end(), end);
  }
  std::string_view view() const { return {text_.data(), text_.size()}; }

 private:
  static constexpr std::string_view kPrefix = "urn:uuid:";
  std::array<char, kPrefix.size() + std::tuple_size_v<UuidText>> text_;
};

struct BuiltResource {
  std::string_view type;  // the map's resource type (the MappingSet outlives the mapping call)
  ResourceId id;
  JsonValue resource;
  bool dropped = false;
  const SegmentMap* map = nullptr;  // the map that made it (for "required"), if a segment did
};

// A segment that made or filled a resource (for "merge": one segment fills a resource once).
struct Fill {
  std::size_t slot;
  std::string_view segment;
};

struct PendingReference {
  std::size_t slot;
  const ReferenceRule* rule;
};

JsonValue referenceTo(const ResourceId& id) {
  JsonValue reference = JsonValue::makeObject();
  // Exactly one member: a small block, which the allocator recycles cheaply.
  reference.members().reserve(1);
  reference.addString("reference", Urn(id).view());
  return reference;
}

// `parts` joined with no separator, in one allocation.
std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view part : parts) {
    size += part.size();
  }
  std::string out;
  out.reserve(size);
  for (std::string_view part : parts) {
    out.append(part);
  }
  return out;
}

// Typical longest name a resource id is made from ("Type|message|" and the message key).
constexpr std::size_t kScratchRoom = 128;

// One mapping call: the segment views, the resources made so far and the names given to them.
class MappingRun {
 public:
  MappingRun(const MappingSet& set, const MessageMap& map, const engine::hl7::Message& message,
             const MapOptions& options, std::string event)
      : set_(set), map_(map), message_(message), options_(options), event_(std::move(event)) {
    leaf_.zone = &options_.zone;
    leaf_.coding_systems = set_.findVocabulary("CodingSystem");
  }

  Result<MapOutput> run() {
    std::size_t count = message_.segmentCount();
    // Nodes point at their view, so the views must not move once made.
    views_.reserve(count);
    // Room for the fields of most messages (a message rarely has more than 20 fields a segment).
    field_store_.reserve(count * 20);
    by_identity_.reserve(count);
    // About one resource per segment; and room for the longest id names once.
    fills_.reserve(count);
    scratch_.reserve(kScratchRoom);
    std::vector<std::pair<std::string_view, std::size_t>> occurrences;
    for (std::size_t index = 0; index < count; ++index) {
      std::string_view id = message_.segmentId(index);
      auto seen = std::find_if(occurrences.begin(), occurrences.end(),
                               [id](const auto& entry) { return entry.first == id; });
      if (seen == occurrences.end()) {
        seen = occurrences.emplace(occurrences.end(), id, 0);
      }
      views_.emplace_back(message_, index, ++seen->second, field_store_);
    }
    if (!views_.empty()) {
      const SegmentView& header = views_[0];
      message_key_ = concat({header.rawField(3), "|", header.rawField(4), "|", header.rawField(7),
                             "|", header.rawField(10)});
    } else {
      message_key_ = "|||";
    }
    bundle_fields_ = JsonValue::makeObject();

    std::vector<bool> mapped(count, false);
    std::string_view last_other;
    for (std::size_t index = 0; index < count; ++index) {
      const SegmentView& view = views_[index];
      auto found = map_.by_segment.find(view.id());
      if (found != map_.by_segment.end()) {
        for (const Entry* entry : found->second) {
          if (applies(*entry, last_other)) {
            mapped[index] = applyEntry(*entry, view) || mapped[index];
          }
        }
      }
      if (index + 1 < count && message_.segmentId(index + 1) != view.id()) {
        last_other = view.id();
      }
    }
    if (failed_) {
      return Status(ErrorCode::Internal, "resource ids could not be made (SHA-1 unavailable)");
    }
    resolvePending();
    checkRequired();

    MapOutput output;
    output.message_map = map_.name;
    collectCoverage(mapped, output.coverage);
    output.bundle = assemble(output.entries);
    output.coverage.notes = std::move(notes_);
    return output;
  }

 private:
  bool applies(const Entry& entry, std::string_view last_other) const {
    if (!entry.events.empty() &&
        std::find(entry.events.begin(), entry.events.end(), event_) == entry.events.end()) {
      return false;
    }
    if (!entry.after.empty() &&
        std::find(entry.after.begin(), entry.after.end(), last_other) == entry.after.end()) {
      return false;
    }
    return true;
  }

  // Applies one entry to one segment; false when it had nothing to fill.
  bool applyEntry(const Entry& entry, const SegmentView& view) {
    const SegmentMap& map = *entry.map;
    if (entry.bundle) {
      applySegmentRules(map, view, bundle_fields_);
      return true;
    }
    const std::string& fill_name = !entry.into.empty() ? entry.into : entry.merge;
    if (!fill_name.empty()) {
      const std::size_t* named = findNamed(fill_name);
      bool can_fill = named != nullptr;
      if (can_fill && !entry.merge.empty()) {
        can_fill = std::none_of(fills_.begin(), fills_.end(), [&](const Fill& fill) {
          return fill.slot == *named && fill.segment == view.id();
        });
      }
      if (can_fill) {
        std::size_t slot = *named;
        BuiltResource& target = resources_[slot];
        fills_.push_back({slot, view.id()});
        applySegmentRules(map, view, target.resource);
        applyFixed(entry.fixed, target.resource);
        applyReferences(entry.references, slot);
        return true;
      }
      if (!entry.into.empty()) {
        notes_.push_back(std::string(view.id()) + ": nothing to fill (no " + entry.into + ")");
        return false;
      }
    }
    createResource(entry, view);
    return true;
  }

  void createResource(const Entry& entry, const SegmentView& view) {
    const SegmentMap& map = *entry.map;
    std::size_t slot = resources_.size();
    resources_.emplace_back();
    BuiltResource& built = resources_.back();
    built.type = map.resource;
    built.id = segmentId(map, view);
    fills_.push_back({slot, view.id()});
    built.map = &map;
    built.resource = JsonValue::makeObject();
    // A resource collects a dozen members or so; room for them up front saves regrowing.
    built.resource.members().reserve(16);
    built.resource.addString("resourceType", map.resource);
    built.resource.addString("id", built.id.view());

    // The entry's fixed values (the event's Encounter.status) come before the segment's own
    // fields and win; the segment map's fixed values are defaults applied after them.
    applyFixed(entry.fixed, built.resource);
    applySegmentRules(map, view, built.resource);
    applyFixed(map.fixed, built.resource);
    applyReferences(entry.references, slot);

    auto [existing, added] = by_identity_.emplace(built.id.view(), slot);
    if (!added) {
      // The same thing twice in one message (one patient in PID and MRG, say): keep the first.
      built.dropped = true;
      slot = existing->second;
    }
    if (!entry.as.empty()) {
      setNamed(entry.as, slot);
    }
    for (const ReferenceRule& rule : entry.add_to) {
      const std::size_t* named = findNamed(rule.name);
      if (named != nullptr && *named != slot) {
        placeValue(resources_[*named].resource, rule.to, "", rule.with,
                   referenceTo(resources_[slot].id));
      }
    }
  }

  void applySegmentRules(const SegmentMap& map, const SegmentView& view, JsonValue& target) {
    for (const Rule& rule : map.rules) {
      if (view.rawField(rule.position).empty()) {
        // Most fields a map knows are absent from any one message.
        continue;
      }
      bool all_repetitions = rule.kind == ValueKind::Ignore || rule.every_repetition;
      std::size_t repetitions = all_repetitions ? view.repetitionCount(rule.position) : 1;
      auto node = [&](std::size_t rep) {
        Node field = view.field(rule.position, rep);
        return rule.component != 0 ? field.child(rule.component) : field;
      };
      if (rule.kind == ValueKind::Ignore) {
        for (std::size_t rep = 1; rep <= repetitions; ++rep) {
          node(rep).markUsed();
        }
        continue;
      }
      for (std::size_t rep = 1; rep <= repetitions; ++rep) {
        applyRule(rule, node(rep), target);
      }
    }
  }

  void applyDatatype(const DatatypeMap& map, const Node& node, JsonValue& target) {
    for (const Rule& rule : map.rules) {
      Node child = rule.position == 0 ? node : node.child(rule.position);
      if (rule.kind == ValueKind::Ignore) {
        child.markUsed();
        continue;
      }
      applyRule(rule, child, target);
    }
    pruneEmpty(target);
    if (!isEmptyValue(target)) {
      applyFixed(map.fixed, target);
    }
  }

  void applyRule(const Rule& rule, const Node& node, JsonValue& target) {
    if (node.empty()) {
      return;
    }
    if (node.isNull() || (!rule.unless.empty() && pathExists(target, rule.unless))) {
      // "" asks the receiver to delete the value, which a new resource has nothing to delete;
      // an "unless" element already says what this part would.
      node.markUsed();
      return;
    }
    if (rule.kind == ValueKind::Datatype) {
      JsonValue element = JsonValue::makeObject();
      applyDatatype(*rule.datatype, node, element);
      if (!isEmptyValue(element)) {
        placeValue(target, rule.to, {}, rule.with, std::move(element));
      }
    } else if (rule.kind == ValueKind::Resource) {
      if (std::optional<ResourceId> id = datatypeResource(*rule.datatype, node)) {
        placeValue(target, rule.to, {}, rule.with, referenceTo(*id));
      }
    } else if (std::optional<BuiltValue> value = buildLeaf(rule, node, leaf_)) {
      placeValue(target, rule.to, value->suffix, rule.with, std::move(value->value));
    }
  }

  // Builds the resource a datatype map makes (Practitioner from XCN, Location from PL) and
  // returns its id; the same thing twice in a message is one resource.
  std::optional<ResourceId> datatypeResource(const DatatypeMap& map, const Node& node) {
    std::string& name = scratch_;
    name.assign(map.resource);
    bool have_part = false;
    for (std::size_t index = 0; index < map.id.size(); ++index) {
      Node part = node.child(map.id[index].component);
      if (map.id[index].subcomponent != 0) {
        part = part.child(map.id[index].subcomponent);
      }
      have_part = have_part || (index == 0 && !part.empty());
      name.append("|").append(part.raw());
    }
    if (!have_part) {
      name.assign(map.resource).append("|value|").append(node.raw());
    }
    ResourceId id = makeId(name);
    JsonValue resource = JsonValue::makeObject();
    resource.addString("resourceType", map.resource);
    resource.addString("id", id.view());
    applyDatatype(map, node, resource);
    if (resource.members().size() <= 2) {
      return std::nullopt;
    }
    if (by_identity_.find(id.view()) == by_identity_.end()) {
      resources_.push_back(BuiltResource{map.resource, id, std::move(resource), false, nullptr});
      by_identity_.emplace(resources_.back().id.view(), resources_.size() - 1);
    }
    return id;
  }

  ResourceId segmentId(const SegmentMap& map, const SegmentView& view) {
    std::string& name = scratch_;
    name.assign(map.resource);
    bool have_part = false;
    for (std::size_t index = 0; index < map.id.size(); ++index) {
      const IdPart& id_part = map.id[index];
      Node part = view.field(id_part.field, 1);
      if (id_part.component != 0) {
        part = part.child(id_part.component);
      }
      if (id_part.subcomponent != 0) {
        part = part.child(id_part.subcomponent);
      }
      have_part = have_part || (index == 0 && !part.empty() && !part.isNull());
      name.append("|").append(part.raw());
    }
    if (!have_part) {
      // Nothing identifies it beyond this message: the id is stable for this message only
      // (a resend of the same message maps to the same ids).
      name.assign(map.resource)
          .append("|message|")
          .append(message_key_)
          .append("|")
          .append(std::to_string(view.index()))
          .append("|")
          .append(map.name);
    }
    return makeId(name);
  }

  ResourceId makeId(std::string_view name) {
    ResourceId id;
    if (!writeNameBasedUuid(name, id.text)) {
      failed_ = true;
      std::string_view nil = "00000000-0000-0000-0000-000000000000";
      std::copy(nil.begin(), nil.end(), id.text.begin());
    }
    return id;
  }

  void applyFixed(const std::vector<FixedValue>& fixed, JsonValue& target) {
    for (const FixedValue& value : fixed) {
      if ((!value.unless.empty() && pathExists(target, value.unless)) ||
          (!value.when.empty() && !pathExists(target, value.when))) {
        continue;
      }
      if (!pathExists(target, value.to)) {
        placeValue(target, value.to, "", JsonValue(), JsonValue(value.value));
      }
    }
  }

  const std::size_t* findNamed(std::string_view name) const {
    for (const auto& [known, slot] : named_) {
      if (known == name) {
        return &slot;
      }
    }
    return nullptr;
  }

  void setNamed(std::string_view name, std::size_t slot) {
    for (auto& [known, known_slot] : named_) {
      if (known == name) {
        known_slot = slot;
        return;
      }
    }
    named_.emplace_back(name, slot);
  }

  // References to resources named so far; names not yet seen are resolved once the whole
  // message is read (SIU has SCH before PID), to the last resource of that name.
  void applyReferences(const std::vector<ReferenceRule>& references, std::size_t slot) {
    for (const ReferenceRule& rule : references) {
      const std::size_t* named = findNamed(rule.name);
      if (named == nullptr) {
        pending_.push_back({slot, &rule});
        continue;
      }
      placeReference(slot, rule, *named);
    }
  }

  void placeReference(std::size_t slot, const ReferenceRule& rule, std::size_t referenced) {
    if (referenced == slot || resources_[referenced].dropped) {
      return;
    }
    JsonValue& target = resources_[slot].resource;
    if (rule.to.appends() || !pathExists(target, rule.to)) {
      placeValue(target, rule.to, "", rule.with, referenceTo(resources_[referenced].id));
    }
  }

  void resolvePending() {
    for (const PendingReference& pending : pending_) {
      if (const std::size_t* named = findNamed(pending.rule->name)) {
        placeReference(pending.slot, *pending.rule, *named);
      }
    }
  }

  // Elements FHIR requires that the message did not supply: such a resource is left out (and
  // noted) rather than sent invalid.
  void checkRequired() {
    for (BuiltResource& built : resources_) {
      if (built.dropped || built.map == nullptr) {
        continue;
      }
      for (const TargetPath& required : built.map->required) {
        if (!pathExists(built.resource, required)) {
          built.dropped = true;
          notes_.push_back(built.map->segment + ": " + std::string(built.type) +
                           " left out: " + required.text + " missing");
          break;
        }
      }
    }
  }

  void collectCoverage(const std::vector<bool>& mapped, CoverageReport& coverage) const {
    std::vector<std::string> unmapped;
    std::vector<std::string> unconverted;
    for (std::size_t index = 0; index < views_.size(); ++index) {
      views_[index].collectUnread(!mapped[index], unmapped, unconverted);
    }
    auto unique = [](std::vector<std::string>& paths, std::vector<std::string>& out) {
      std::unordered_set<std::string> seen;
      for (std::string& path : paths) {
        if (seen.insert(path).second) {
          out.push_back(std::move(path));
        }
      }
    };
    unique(unmapped, coverage.unmapped);
    unique(unconverted, coverage.unconverted);
  }

  JsonValue assemble(std::size_t& entries) {
    JsonValue bundle = JsonValue::makeObject();
    bundle.addString("resourceType", "Bundle");
    scratch_.assign("Bundle|").append(message_key_);
    bundle.addString("id", makeId(scratch_).view());
    pruneEmpty(bundle_fields_);
    for (auto& member : bundle_fields_.members()) {
      if (member.first == "identifier" || member.first == "meta") {
        bundle.add(member.first, std::move(member.second));
      }
    }
    bool transaction = options_.bundle_type == BundleType::Transaction;
    bundle.addString("type", transaction ? "transaction" : "collection");
    if (JsonValue* timestamp = bundle_fields_.find("timestamp")) {
      bundle.add("timestamp", std::move(*timestamp));
    }
    JsonValue& list = bundle.addArray("entry");
    list.elements().reserve(resources_.size());
    for (BuiltResource& built : resources_) {
      if (built.dropped) {
        continue;
      }
      pruneEmpty(built.resource);
      JsonValue& entry = list.pushObject();
      entry.addString("fullUrl", Urn(built.id).view());
      entry.add("resource", std::move(built.resource));
      if (transaction) {
        JsonValue& request = entry.addObject("request");
        request.addString("method", "PUT");
        scratch_.assign(built.type).append("/").append(built.id.view());
        request.addString("url", scratch_);
      }
    }
    entries = list.elements().size();
    if (entries == 0) {
      bundle.remove("entry");
    }
    return bundle;
  }

  const MappingSet& set_;
  const MessageMap& map_;
  const engine::hl7::Message& message_;
  const MapOptions& options_;
  LeafContext leaf_;
  std::string event_;
  std::string message_key_;
  // Text made for one use at a time (the name a resource id is made from, a request url), in
  // one buffer whose room is kept.
  std::string scratch_;
  std::vector<std::string_view> field_store_;  // the fields of every view (SegmentView)
  std::vector<SegmentView> views_;
  std::deque<BuiltResource> resources_;
  // Resources by id, viewing the id kept in resources_ (a deque: its elements never move). An id
  // is enough to tell resources apart: the name it is made from starts with the resource type.
  std::unordered_map<std::string_view, std::size_t> by_identity_;
  // Slots of the resources named with "as", by name (a handful per message map: a list is
  // quicker to search than a hash). The names live in the MappingSet.
  std::vector<std::pair<std::string_view, std::size_t>> named_;
  std::vector<Fill> fills_;
  std::vector<PendingReference> pending_;
  JsonValue bundle_fields_;
  std::vector<std::string> notes_;
  bool failed_ = false;
};

}  // namespace

V2ToFhirMapper::V2ToFhirMapper(std::shared_ptr<const MappingSet> mappings)
    : mappings_(std::move(mappings)) {}

Result<std::shared_ptr<const V2ToFhirMapper>> V2ToFhirMapper::shared(
    const std::string& override_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const V2ToFhirMapper>> loaded;
  std::lock_guard lock(mutex);
  auto found = loaded.find(override_dir);
  if (found != loaded.end()) {
    return found->second;
  }
  auto set = MappingSet::load(override_dir);
  if (!set.isOk()) {
    return set.status();
  }
  auto mapper = std::make_shared<const V2ToFhirMapper>(std::move(set).value());
  loaded.emplace(override_dir, mapper);
  return std::shared_ptr<const V2ToFhirMapper>(mapper);
}

Result<MapOutput> V2ToFhirMapper::map(const engine::hl7::Message& message,
                                      const MapOptions& options) const {
  std::string event = message.messageCode() + "^" + message.triggerEvent();
  const MessageMap* map = mappings_->findMessage(event, message.messageStructure());
  if (map == nullptr) {
    return Status(ErrorCode::Unsupported, "MSH-9: no mapping for message type " + event +
                                              " (structure " + message.messageStructure() + ")");
  }
  MappingRun run(*mappings_, *map, message, options, std::move(event));
  return run.run();
}

}  // namespace ferry::mappings::v2fhir
