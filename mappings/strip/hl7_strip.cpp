#include "mappings/strip/hl7_strip.h"

#include <string>
#include <utility>

#include "engine/hl7/path.h"
#include "mappings/strip/hl7_raw.h"

namespace ferry::mappings::strip {

namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::hl7::kEveryRepetition;

// Header fields that keep the message parseable (1, 2), routable (9, 12) and acknowledgeable
// (10) whatever a profile says.
constexpr std::size_t kKeptHeaderFields[] = {1, 2, 9, 10, 12};

bool isKeptHeaderField(std::size_t field) {
  for (std::size_t kept : kKeptHeaderFields) {
    if (field == kept) {
      return true;
    }
  }
  return false;
}

enum class Decision { Keep, Remove, Descend };

// `any`: some entry reaches this piece; `ends`: some entry stops exactly here (covers all of it).
Decision decide(StripMode mode, bool any, bool ends) {
  if (mode == StripMode::Allow) {
    return !any ? Decision::Remove : (ends ? Decision::Keep : Decision::Descend);
  }
  return !any ? Decision::Keep : (ends ? Decision::Remove : Decision::Descend);
}

using Candidates = std::vector<const Hl7StripPath*>;

// Working state of one apply() call.
class Stripper {
 public:
  Stripper(StripMode mode, const RawDelimiters& delimiters, ActionList& actions)
      : mode_(mode), delimiters_(delimiters), actions_(actions) {}

  // Appends the kept part of `field` (HL7 field `label`) to `out`.
  void stripField(std::string& out, std::string_view field, const Candidates& candidates,
                  const std::string& label) {
    splitPieces(field, delimiters_.repetition, repetitions_);
    std::size_t written = 0;
    for (std::size_t r = 1; r <= repetitions_.size(); ++r) {
      const std::string_view repetition = repetitions_[r - 1];
      if (repetition.empty()) {
        continue;
      }
      Candidates matching;
      bool ends = false;
      for (const Hl7StripPath* path : candidates) {
        if (path->repetition == 0 || path->repetition == r) {
          matching.push_back(path);
          ends = ends || path->component == 0;
        }
      }
      const Decision decision = decide(mode_, !matching.empty(), ends);
      if (decision == Decision::Remove) {
        if (hasContent(repetition, delimiters_)) {
          actions_.add("removed", label, "[" + std::to_string(r) + "]");
        }
        continue;
      }
      const std::size_t mark = out.size();
      if (written > 0) {
        out.push_back(static_cast<char>(delimiters_.repetition));
      }
      const std::size_t start = out.size();
      if (decision == Decision::Keep) {
        out.append(repetition);
      } else {
        stripRepetition(out, repetition, matching, label);
      }
      if (out.size() == start) {
        out.resize(mark);
      } else {
        ++written;
      }
    }
  }

 private:
  void stripRepetition(std::string& out, std::string_view repetition, const Candidates& candidates,
                       const std::string& label) {
    splitPieces(repetition, delimiters_.component, components_);
    const std::size_t start = out.size();
    for (std::size_t c = 1; c <= components_.size(); ++c) {
      if (c > 1) {
        out.push_back(static_cast<char>(delimiters_.component));
      }
      const std::string_view component = components_[c - 1];
      if (component.empty()) {
        continue;
      }
      Candidates matching;
      bool ends = false;
      for (const Hl7StripPath* path : candidates) {
        if (path->component == c) {
          matching.push_back(path);
          ends = ends || path->subcomponent == 0;
        }
      }
      const std::string component_label = label + "." + std::to_string(c);
      switch (decide(mode_, !matching.empty(), ends)) {
        case Decision::Keep:
          out.append(component);
          break;
        case Decision::Remove:
          if (hasContent(component, delimiters_)) {
            actions_.add("removed", component_label);
          }
          break;
        case Decision::Descend:
          stripComponent(out, component, matching, component_label);
          break;
      }
    }
    trimTrailing(out, start, delimiters_.component);
  }

  void stripComponent(std::string& out, std::string_view component, const Candidates& candidates,
                      const std::string& label) {
    splitPieces(component, delimiters_.subcomponent, subcomponents_);
    const std::size_t start = out.size();
    for (std::size_t s = 1; s <= subcomponents_.size(); ++s) {
      if (s > 1) {
        out.push_back(static_cast<char>(delimiters_.subcomponent));
      }
      const std::string_view sub = subcomponents_[s - 1];
      bool listed = false;
      for (const Hl7StripPath* path : candidates) {
        listed = listed || path->subcomponent == s;
      }
      const bool keep = mode_ == StripMode::Allow ? listed : !listed;
      if (keep) {
        out.append(sub);
      } else if (!sub.empty()) {
        actions_.add("removed", label + "." + std::to_string(s));
      }
    }
    trimTrailing(out, start, delimiters_.subcomponent);
  }

  StripMode mode_;
  const RawDelimiters& delimiters_;
  ActionList& actions_;
  std::vector<std::string_view> repetitions_;
  std::vector<std::string_view> components_;
  std::vector<std::string_view> subcomponents_;
};

Status refused(const Hl7StripPath& path, std::string_view why) {
  return Status(ErrorCode::ConfigError, "strip path '" + path.text + "' " + std::string(why));
}

}  // namespace

Result<Hl7StripPath> parseHl7StripPath(std::string_view text) {
  Hl7StripPath path;
  path.text = std::string(text);
  const bool whole_segment = text.find('-') == std::string_view::npos;
  // A whole segment has no field: borrow field 1 to reuse the engine's path grammar.
  auto parsed = engine::hl7::parsePath(whole_segment ? std::string(text) + "-1" : text);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  const engine::hl7::Path& p = parsed.value();
  path.segment = p.segment;

  // Without brackets the engine reads "occurrence 1"; here it means every occurrence.
  const bool segment_bracket = text.size() > 3 && text[3] == '[';
  path.segment_occurrence =
      (!segment_bracket || p.segment_repetition == kEveryRepetition) ? 0 : p.segment_repetition;
  if (whole_segment) {
    return path;
  }
  path.field = p.field;
  const std::size_t dash = text.find('-');
  std::size_t after_field = dash + 1;
  while (after_field < text.size() && text[after_field] >= '0' && text[after_field] <= '9') {
    ++after_field;
  }
  const bool field_bracket = after_field < text.size() && text[after_field] == '[';
  path.repetition = (!field_bracket || p.repetition == kEveryRepetition) ? 0 : p.repetition;
  path.component = p.component;
  path.subcomponent = p.subcomponent;
  return path;
}

Result<Hl7StripProfile> Hl7StripProfile::create(StripMode mode, std::vector<Hl7StripPath> paths) {
  for (const Hl7StripPath& path : paths) {
    if (mode != StripMode::Deny || path.segment != "MSH") {
      continue;
    }
    if (path.field == 0) {
      return refused(path, "removes MSH, which every message needs");
    }
    if (isKeptHeaderField(path.field)) {
      return refused(path,
                     "removes a header field that is always kept (MSH-1 and MSH-2 hold the "
                     "delimiters, MSH-9, MSH-10 and MSH-12 let the receiver route and "
                     "acknowledge the message)");
    }
  }
  if (mode == StripMode::Allow) {
    for (std::size_t field : kKeptHeaderFields) {
      Hl7StripPath kept;
      kept.text = "MSH-" + std::to_string(field);
      kept.segment = "MSH";
      kept.field = field;
      paths.push_back(std::move(kept));
    }
  }

  Hl7StripProfile profile;
  profile.mode_ = mode;
  profile.paths_ = std::move(paths);
  for (std::size_t i = 0; i < profile.paths_.size(); ++i) {
    profile.by_segment_[profile.paths_[i].segment].push_back(i);
  }
  return profile;
}

std::string Hl7StripProfile::apply(const engine::hl7::Message& message, ActionList& actions) const {
  RawMessage raw(message);
  const RawDelimiters& delimiters = raw.delimiters();
  Stripper stripper(mode_, delimiters, actions);
  std::string out;
  out.reserve(message.raw().size());
  out.append(raw.prefix());

  std::vector<std::string_view> fields;
  Candidates segment_paths;
  Candidates field_paths;
  std::string piece;
  for (std::size_t index = 0; index < raw.segments().size(); ++index) {
    const RawSegment& segment = raw.segments()[index];
    const bool header = index == 0;
    segment_paths.clear();
    bool whole = false;
    if (auto found = by_segment_.find(segment.id); found != by_segment_.end()) {
      for (std::size_t i : found->second) {
        const Hl7StripPath& path = paths_[i];
        if (path.segment_occurrence == 0 || path.segment_occurrence == segment.occurrence) {
          segment_paths.push_back(&path);
          whole = whole || path.field == 0;
        }
      }
    }
    Decision decision = decide(mode_, !segment_paths.empty(), whole);
    if (header && decision == Decision::Remove) {
      decision = Decision::Descend;
    }
    if (decision == Decision::Keep) {
      out.append(segment.bytes).append(segment.gap);
      continue;
    }
    if (decision == Decision::Remove) {
      actions.add("removed", segment.id);
      continue;
    }

    raw.fields(segment, fields);
    SegmentWriter writer(out, delimiters);
    writer.begin(segment.id, header && fields.size() > 2 ? fields[2] : std::string_view());
    for (std::size_t f = header ? 3 : 1; f < fields.size(); ++f) {
      const std::string_view value = fields[f];
      if (value.empty()) {
        continue;
      }
      field_paths.clear();
      bool ends = false;
      for (const Hl7StripPath* path : segment_paths) {
        if (path->field == f) {
          field_paths.push_back(path);
          ends = ends || (path->repetition == 0 && path->component == 0);
        }
      }
      auto label = [&] { return std::string(segment.id) + "-" + std::to_string(f); };
      switch (decide(mode_, !field_paths.empty(), ends)) {
        case Decision::Keep:
          writer.field(f, value);
          break;
        case Decision::Remove:
          if (hasContent(value, delimiters)) {
            actions.add("removed", label());
          }
          break;
        case Decision::Descend:
          piece.clear();
          stripper.stripField(piece, value, field_paths, label());
          writer.field(f, piece);
          break;
      }
    }
    out.append(segment.gap);
  }
  return out;
}

}  // namespace ferry::mappings::strip
