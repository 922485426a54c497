#include "mappings/deid/hl7_deidentifier.h"

#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/crypto/digest.h"
#include "mappings/deid/generalise.h"
#include "mappings/deid/safe_harbor_hl7.h"
#include "mappings/strip/hl7_raw.h"

namespace ferry::mappings::deid {

namespace {

using strip::ActionList;
using strip::RawDelimiters;
using strip::RawMessage;
using strip::RawSegment;

// LOINC codes of a person's age: Age, Age - reported, Age - calculated, Age - estimated.
constexpr std::array<std::string_view, 4> kAgeCodes = {"30525-0", "21612-7", "29553-5", "21611-9"};

// CE/CWE components kept: identifier, text, coding system and their alternates.
constexpr std::size_t kCodedComponents = 6;

// What identifies a pseudonymised patient identifier in the output (HL7 table 0203, "ANON").
constexpr std::string_view kPseudonymAuthority = "FERRY";
constexpr std::string_view kPseudonymType = "ANON";

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  return text;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// True when `text` has "age" as a whole word ("Age", "Patient age"; not "Dosage", "Page").
bool mentionsAge(std::string_view text) {
  for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
    if (lower(text[i]) == 'a' && lower(text[i + 1]) == 'g' && lower(text[i + 2]) == 'e' &&
        (i == 0 || !isLetter(text[i - 1])) && (i + 3 == text.size() || !isLetter(text[i + 3]))) {
      return true;
    }
  }
  return false;
}

// The `n`th (1-based) piece of `text` cut at `delimiter`; empty when there is none.
std::string_view nthPiece(std::string_view text, int delimiter, std::size_t n) {
  if (delimiter < 0) {
    return n == 1 ? text : std::string_view();
  }
  const char c = static_cast<char>(delimiter);
  std::size_t start = 0;
  for (std::size_t index = 1;; ++index) {
    std::size_t end = text.find(c, start);
    if (index == n) {
      return text.substr(start,
                         end == std::string_view::npos ? std::string_view::npos : end - start);
    }
    if (end == std::string_view::npos) {
      return {};
    }
    start = end + 1;
  }
}

std::string_view fieldAt(const std::vector<std::string_view>& fields, std::size_t number) {
  return number < fields.size() ? fields[number] : std::string_view();
}

bool isPlain(std::string_view value, const RawDelimiters& d) {
  for (char c : value) {
    const int byte = static_cast<unsigned char>(c);
    if (byte == d.component || byte == d.repetition || byte == d.subcomponent) {
      return false;
    }
  }
  return true;
}

// The identifier a CX list is known by: the first repetition typed "MR" (medical record
// number), else the first with a value.
std::string_view chooseIdentifier(std::string_view cx_list, const RawDelimiters& d) {
  std::string_view first;
  std::size_t start = 0;
  while (start <= cx_list.size()) {
    std::size_t end = d.repetition < 0 ? std::string_view::npos
                                       : cx_list.find(static_cast<char>(d.repetition), start);
    if (end == std::string_view::npos) {
      end = cx_list.size();
    }
    const std::string_view repetition = cx_list.substr(start, end - start);
    const std::string_view value =
        trim(nthPiece(nthPiece(repetition, d.component, 1), d.subcomponent, 1));
    if (!value.empty()) {
      if (trim(nthPiece(repetition, d.component, 5)) == "MR") {
        return value;
      }
      if (first.empty()) {
        first = value;
      }
    }
    start = end + 1;
  }
  return first;
}

// A segment id as a number (parsed ids are always three characters).
constexpr std::uint32_t pack(std::string_view id) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(id[0])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(id[1])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(id[2]));
}

struct IdentifierField {
  std::uint32_t segment;
  std::size_t field;
};

// Fields whose first component is an identifier of a person or of a record about them.
constexpr IdentifierField kIdentifierFields[] = {
    {pack("PID"), 2},  {pack("PID"), 3},  {pack("PID"), 4},  {pack("PID"), 18}, {pack("PID"), 19},
    {pack("PID"), 20}, {pack("PID"), 21}, {pack("NK1"), 33}, {pack("NK1"), 37}, {pack("PV1"), 5},
    {pack("PV1"), 19}, {pack("PV1"), 50}, {pack("MRG"), 1},  {pack("MRG"), 2},  {pack("MRG"), 3},
    {pack("MRG"), 4},  {pack("MRG"), 5},  {pack("MRG"), 6},  {pack("IN1"), 36}, {pack("IN1"), 49},
    {pack("IN2"), 1},  {pack("IN2"), 2},  {pack("IN2"), 6},  {pack("IN2"), 8},  {pack("IN2"), 61},
    {pack("GT1"), 2},  {pack("GT1"), 12}, {pack("ORC"), 2},  {pack("ORC"), 3},  {pack("ORC"), 4},
    {pack("OBR"), 2},  {pack("OBR"), 3},  {pack("SPM"), 2}};

// Shorter identifiers ("1", "123") are too common to look for elsewhere.
constexpr std::size_t kMinRepeatedIdentifier = 4;

bool holdsIdentifiers(std::uint32_t segment) {
  for (const IdentifierField& entry : kIdentifierFields) {
    if (entry.segment == segment) {
      return true;
    }
  }
  return false;
}

void collectIdentifiers(std::uint32_t segment, const std::vector<std::string_view>& fields,
                        const RawDelimiters& d, std::vector<std::string_view>& identifiers) {
  for (const IdentifierField& entry : kIdentifierFields) {
    if (entry.segment != segment) {
      continue;
    }
    const std::string_view field = fieldAt(fields, entry.field);
    std::size_t start = 0;
    while (!field.empty() && start <= field.size()) {
      std::size_t end = d.repetition < 0 ? std::string_view::npos
                                         : field.find(static_cast<char>(d.repetition), start);
      if (end == std::string_view::npos) {
        end = field.size();
      }
      const std::string_view repetition = field.substr(start, end - start);
      // SPM-2 (EIP) holds two: the placer's and the filler's.
      const std::size_t components = segment == pack("SPM") ? 2 : 1;
      for (std::size_t component = 1; component <= components; ++component) {
        const std::string_view value =
            trim(nthPiece(nthPiece(repetition, d.component, component), d.subcomponent, 1));
        if (value.size() >= kMinRepeatedIdentifier) {
          identifiers.push_back(value);
        }
      }
      start = end + 1;
    }
  }
}

enum class ObxKind { Keep, Coded, Date, Text, Remove };

ObxKind obxKindOf(std::string_view type) {
  static constexpr std::array<std::string_view, 12> kKept = {"NM", "SN", "NA", "MA", "CQ", "NR",
                                                             "TM", "ID", "IS", "CP", "MO", "SI"};
  static constexpr std::array<std::string_view, 4> kCoded = {"CE", "CWE", "CNE", "CF"};
  static constexpr std::array<std::string_view, 4> kDates = {"DT", "DTM", "TS", "DR"};
  static constexpr std::array<std::string_view, 3> kText = {"ST", "TX", "FT"};
  for (std::string_view kept : kKept) {
    if (type == kept) {
      return ObxKind::Keep;
    }
  }
  for (std::string_view coded : kCoded) {
    if (type == coded) {
      return ObxKind::Coded;
    }
  }
  for (std::string_view date : kDates) {
    if (type == date) {
      return ObxKind::Date;
    }
  }
  for (std::string_view text : kText) {
    if (type == text) {
      return ObxKind::Text;
    }
  }
  // ED and RP (attachments: images, scans, waveforms), person, address, telecom and id types,
  // and anything unknown or missing.
  return ObxKind::Remove;
}

struct ObxPlan {
  ObxKind kind = ObxKind::Remove;
  bool fold_age = false;
};

bool isAgeObservation(std::string_view obx3, const RawDelimiters& d) {
  const std::string_view first = nthPiece(obx3, d.repetition, 1);
  const std::string_view code = trim(nthPiece(first, d.component, 1));
  for (std::string_view age : kAgeCodes) {
    if (code == age) {
      return true;
    }
  }
  return mentionsAge(nthPiece(first, d.component, 2)) ||
         mentionsAge(nthPiece(first, d.component, 5));
}

ObxPlan planObx(const std::vector<std::string_view>& fields, const RawDelimiters& d) {
  ObxPlan plan;
  const std::string_view type = trim(nthPiece(fieldAt(fields, 2), d.component, 1));
  plan.kind = obxKindOf(type);
  if ((plan.kind != ObxKind::Keep && plan.kind != ObxKind::Text) ||
      !isAgeObservation(fieldAt(fields, 3), d)) {
    return plan;
  }
  const std::string_view value = nthPiece(fieldAt(fields, 5), d.repetition, 1);
  const std::string_view number = type == "SN" ? nthPiece(value, d.component, 2) : value;
  const std::string_view units = nthPiece(fieldAt(fields, 6), d.repetition, 1);
  std::string_view unit = trim(nthPiece(units, d.component, 1));
  if (unit.empty()) {
    unit = trim(nthPiece(units, d.component, 2));
  }
  auto parsed = parseNumber(number);
  auto years = parsed ? ageInYears(*parsed, unit) : std::nullopt;
  plan.fold_age = years && *years > 89.0;
  return plan;
}

// What was done to a path, for the action list.
enum class Did : std::uint8_t {
  Removed,
  RemovedAgeOver89,
  RemovedHoldsDate,
  RemovedRepeatsIdentifier,
  RemovedTextWithoutCode,
  GeneralisedToYear,
  GeneralisedZip,
  GeneralisedAge,
  Shifted,
  Pseudonymised,
  Replaced,
};

// Records "<verb> SEG[-field[.component]]<suffix>" once per message. Most removed fields repeat
// (forty OBX segments), so the text is built only the first time a path is seen.
void note(ActionList& actions, Did what, std::string_view segment, std::size_t field = 0,
          std::size_t component = 0) {
  const std::uint64_t key = (static_cast<std::uint64_t>(what) << 56) |
                            (static_cast<std::uint64_t>(pack(segment)) << 32) |
                            (static_cast<std::uint64_t>(field & 0xffffff) << 8) |
                            static_cast<std::uint64_t>(component & 0xff);
  if (!actions.firstTime(key)) {
    return;
  }
  std::string_view verb = "removed ";
  std::string_view suffix;
  switch (what) {
    case Did::Removed:
      break;
    case Did::RemovedAgeOver89:
      suffix = " (age over 89)";
      break;
    case Did::RemovedHoldsDate:
      suffix = " (holds a date)";
      break;
    case Did::RemovedRepeatsIdentifier:
      suffix = " (repeats an identifier)";
      break;
    case Did::RemovedTextWithoutCode:
      suffix = " (text without a code)";
      break;
    case Did::GeneralisedToYear:
      verb = "generalised ";
      suffix = " to year";
      break;
    case Did::GeneralisedZip:
      verb = "generalised ";
      suffix = " to 3-digit ZIP";
      break;
    case Did::GeneralisedAge:
      verb = "generalised ";
      suffix = " to 90+ (age over 89)";
      break;
    case Did::Shifted:
      verb = "shifted ";
      suffix = " by the patient's date offset";
      break;
    case Did::Pseudonymised:
      verb = "pseudonymised ";
      break;
    case Did::Replaced:
      verb = "replaced ";
      break;
  }
  std::string entry;
  entry.reserve(verb.size() + segment.size() + 12 + suffix.size());
  entry.append(verb).append(segment);
  char digits[24];
  if (field > 0) {
    entry.push_back('-');
    entry.append(digits, std::to_chars(digits, digits + sizeof digits, field).ptr);
    if (component > 0) {
      entry.push_back('.');
      entry.append(digits, std::to_chars(digits, digits + sizeof digits, component).ptr);
    }
  }
  entry.append(suffix);
  actions.append(std::move(entry));
}

// The working state of one apply() call.
class Rewriter {
 public:
  Rewriter(const RawDelimiters& delimiters, int shift_days,
           const std::vector<std::string_view>& identifiers, ActionList& actions)
      : d_(delimiters), shift_days_(shift_days), identifiers_(identifiers), actions_(actions) {}

  // Codes stay; a repetition whose identifier is not a code (empty, or with white space, as
  // free text is) goes, and so does one holding a date. The text components (2, 5) and those
  // past 6 (code system versions, which are often dates, original text, v2.7 extras) are
  // removed.
  void coded(std::string& out, std::string_view segment, std::size_t field,
             std::string_view value) {
    if (isPlain(value, d_)) {
      if (keepCode(segment, field, value, value)) {
        out.append(value);
      }
      return;
    }
    strip::splitPieces(value, d_.repetition, repetitions_);
    std::size_t written = 0;
    for (std::string_view repetition : repetitions_) {
      if (!strip::hasContent(repetition, d_)) {
        continue;
      }
      strip::splitPieces(repetition, d_.component, components_);
      std::string_view identifier = components_[0];
      if (identifier.empty() && components_.size() > 3) {
        identifier = components_[3];
      }
      // Only what is kept is checked for dates (a code system version in component 7 goes
      // anyway).
      std::string_view kept_part = repetition;
      if (components_.size() > kCodedComponents) {
        const std::string_view last = components_[kCodedComponents - 1];
        kept_part = repetition.substr(
            0, static_cast<std::size_t>(last.data() + last.size() - repetition.data()));
      }
      if (!keepCode(segment, field, identifier, kept_part)) {
        continue;
      }
      if (written++ > 0) {
        out.push_back(static_cast<char>(d_.repetition));
      }
      const std::size_t start = out.size();
      for (std::size_t c = 1; c <= components_.size(); ++c) {
        const std::string_view component = components_[c - 1];
        if (c > kCodedComponents) {
          if (!component.empty()) {
            note(actions_, Did::Removed, segment, field, c);
          }
          continue;
        }
        if (c > 1) {
          out.push_back(static_cast<char>(d_.component));
        }
        // The text components (2 and 5) are whatever a person typed beside the code, and a
        // name typed there would survive: only codes and their systems are kept.
        if (c == 2 || c == 5) {
          if (!component.empty()) {
            note(actions_, Did::Removed, segment, field, c);
          }
          continue;
        }
        out.append(component);
      }
      strip::trimTrailing(out, start, d_.component);
    }
  }

  // A field kept as it is, unless it holds a date (a misplaced timestamp).
  void kept(std::string& out, std::string_view segment, std::size_t field, std::string_view value) {
    if (containsDate(value)) {
      note(actions_, Did::RemovedHoldsDate, segment, field);
      return;
    }
    if (repeatsIdentifier(value)) {
      note(actions_, Did::RemovedRepeatsIdentifier, segment, field);
      return;
    }
    out.append(value);
  }

  void date(std::string& out, std::string_view segment, std::size_t field, std::string_view value) {
    if (isPlain(value, d_)) {
      dateLeaf(out, segment, field, 0, value);
      return;
    }
    strip::rewriteLeaves(out, value, d_,
                         [&](std::size_t, std::size_t component, std::size_t, std::string_view leaf,
                             std::string& o) { dateLeaf(o, segment, field, component, leaf); });
  }

  // A birth date; removed whole when its year reveals an age over 89.
  void birthDate(std::string& out, std::string_view segment, std::size_t field,
                 std::string_view value, int current_year) {
    const std::string_view first =
        nthPiece(nthPiece(nthPiece(value, d_.repetition, 1), d_.component, 1), d_.subcomponent, 1);
    if (auto year = hl7Year(first)) {
      const int born = (year->at(0) - '0') * 1000 + (year->at(1) - '0') * 100 +
                       (year->at(2) - '0') * 10 + (year->at(3) - '0');
      if (birthYearRevealsAgeOver89(born, current_year)) {
        note(actions_, Did::RemovedAgeOver89, segment, field);
        return;
      }
    }
    date(out, segment, field, value);
  }

  void address(std::string& out, std::string_view segment, std::size_t field,
               std::string_view value) {
    strip::rewriteLeaves(out, value, d_,
                         [&](std::size_t, std::size_t component, std::size_t sub,
                             std::string_view leaf, std::string& o) {
                           if (leaf.empty()) {
                             return;
                           }
                           switch (component) {
                             case 4:   // state or province
                             case 6:   // country
                             case 7:   // address type
                             case 11:  // address representation code
                               o.append(leaf);
                               return;
                             case 5:
                               if (sub == 1) {
                                 if (auto zip = generaliseZip(leaf)) {
                                   o.append(*zip);
                                   note(actions_, Did::GeneralisedZip, segment, field, 5);
                                   return;
                                 }
                               }
                               note(actions_, Did::Removed, segment, field, 5);
                               return;
                             default:
                               note(actions_, Did::Removed, segment, field, component);
                               return;
                           }
                         });
  }

 private:
  bool keepCode(std::string_view segment, std::size_t field, std::string_view identifier,
                std::string_view whole) {
    const std::string_view code = trim(identifier);
    if (code.empty() || code.find_first_of(" \t") != std::string_view::npos) {
      note(actions_, Did::RemovedTextWithoutCode, segment, field);
      return false;
    }
    if (containsDate(whole)) {
      note(actions_, Did::RemovedHoldsDate, segment, field);
      return false;
    }
    if (repeatsIdentifier(whole)) {
      note(actions_, Did::RemovedRepeatsIdentifier, segment, field);
      return false;
    }
    return true;
  }

  // True when a piece of `value` (between delimiters) equals an identifier of the message: a
  // sender that uses an account number as an observation code, or an MRN as a patient type.
  bool repeatsIdentifier(std::string_view value) const {
    auto delimiter = [&](char c) {
      const int byte = static_cast<unsigned char>(c);
      return byte == d_.component || byte == d_.subcomponent || byte == d_.repetition;
    };
    for (std::string_view identifier : identifiers_) {
      if (identifier.size() > value.size()) {
        continue;
      }
      for (std::size_t at = value.find(identifier); at != std::string_view::npos;
           at = value.find(identifier, at + 1)) {
        const std::size_t end = at + identifier.size();
        if ((at == 0 || delimiter(value[at - 1])) &&
            (end == value.size() || delimiter(value[end]))) {
          return true;
        }
      }
    }
    return false;
  }

  void dateLeaf(std::string& out, std::string_view segment, std::size_t field,
                std::size_t component, std::string_view leaf) {
    if (leaf.empty()) {
      return;
    }
    auto year = hl7Year(leaf);
    if (!year) {
      note(actions_, Did::Removed, segment, field, component > 1 ? component : 0);
      return;
    }
    if (shift_days_ != 0) {
      if (auto shifted = shiftHl7Date(leaf, shift_days_)) {
        out.append(*shifted);
        note(actions_, Did::Shifted, segment, field);
        return;
      }
    }
    out.append(*year);
    if (leaf.size() > 4) {
      note(actions_, Did::GeneralisedToYear, segment, field);
    }
  }

  const RawDelimiters& d_;
  int shift_days_;
  const std::vector<std::string_view>& identifiers_;
  ActionList& actions_;
  std::vector<std::string_view> repetitions_;
  std::vector<std::string_view> components_;
};

}  // namespace

bool isHl7FreeTextField(std::string_view segment, std::size_t field) {
  const SegmentRules* rules = safeHarborRules(segment);
  if (rules == nullptr) {
    return false;
  }
  const FieldRule rule = rules->rule(field);
  return rule == FieldRule::FreeText || rule == FieldRule::ObxValue;
}

Hl7Deidentifier::Hl7Deidentifier(DeidOptions options, const Pseudonymizer* pseudonymizer)
    : options_(std::move(options)), pseudonymizer_(pseudonymizer) {}

bool Hl7Deidentifier::allowsFreeText(std::string_view segment, std::size_t field) const {
  for (const AllowedHl7Field& allowed : options_.hl7_free_text) {
    if (allowed.field == field && allowed.segment == segment) {
      return true;
    }
  }
  return false;
}

std::string Hl7Deidentifier::apply(const engine::hl7::Message& message, int current_year,
                                   ActionList& actions) const {
  RawMessage raw(message);
  const RawDelimiters& d = raw.delimiters();
  std::vector<std::string_view> fields;

  // First pass: the identifiers of the message (which kept fields must not repeat), and the
  // patient's identifier, which seeds the date offset.
  std::vector<std::string_view> identifiers;
  std::string_view patient;
  for (const RawSegment& segment : raw.segments()) {
    const std::uint32_t id = pack(segment.id);
    if (!holdsIdentifiers(id)) {
      continue;
    }
    raw.fields(segment, fields);
    collectIdentifiers(id, fields, d, identifiers);
    if (segment.id == "PID" && patient.empty()) {
      patient = chooseIdentifier(fieldAt(fields, 3), d);
    }
  }
  int shift_days = 0;
  if (options_.date_shift_days > 0 && pseudonymizer_ != nullptr && !patient.empty()) {
    shift_days = pseudonymizer_->dateShiftDays(patient, options_.date_shift_days);
  }

  Rewriter rewriter(d, shift_days, identifiers, actions);
  std::string out;
  out.reserve(message.raw().size());
  out.append(raw.prefix());
  std::string piece;
  for (std::size_t index = 0; index < raw.segments().size(); ++index) {
    const RawSegment& segment = raw.segments()[index];
    const bool header = index == 0;
    const SegmentRules* rules = safeHarborRules(segment.id);
    if (rules == nullptr && !header) {
      note(actions, Did::Removed, segment.id);
      continue;
    }
    raw.fields(segment, fields);
    const ObxPlan obx = segment.id == "OBX" ? planObx(fields, d) : ObxPlan();
    strip::SegmentWriter writer(out, d);
    writer.begin(segment.id, header ? fieldAt(fields, 2) : std::string_view());

    for (std::size_t f = header ? 3 : 1; f < fields.size(); ++f) {
      const std::string_view value = fields[f];
      if (value.empty()) {
        continue;
      }
      const FieldRule rule = rules != nullptr ? rules->rule(f) : FieldRule::Remove;
      piece.clear();
      switch (rule) {
        case FieldRule::Keep:
          rewriter.kept(piece, segment.id, f, value);
          writer.field(f, piece);
          continue;
        case FieldRule::Remove:
          break;
        case FieldRule::FreeText:
          if (allowsFreeText(segment.id, f)) {
            writer.field(f, value);
            continue;
          }
          break;
        case FieldRule::Coded:
          rewriter.coded(piece, segment.id, f, value);
          writer.field(f, piece);
          continue;
        case FieldRule::Date:
          rewriter.date(piece, segment.id, f, value);
          writer.field(f, piece);
          continue;
        case FieldRule::BirthDate:
          rewriter.birthDate(piece, segment.id, f, value, current_year);
          writer.field(f, piece);
          continue;
        case FieldRule::Address:
          rewriter.address(piece, segment.id, f, value);
          writer.field(f, piece);
          continue;
        case FieldRule::PatientId:
          if (options_.pseudonyms && pseudonymizer_ != nullptr) {
            const std::string_view identifier = chooseIdentifier(value, d);
            if (!identifier.empty()) {
              piece = pseudonymizer_->patientPseudonym(identifier);
              if (d.component >= 0) {
                piece.append(3, static_cast<char>(d.component));
                piece.append(kPseudonymAuthority);
                piece.push_back(static_cast<char>(d.component));
                piece.append(kPseudonymType);
              }
              writer.field(f, piece);
              note(actions, Did::Pseudonymised, segment.id, f);
              continue;
            }
          }
          break;
        case FieldRule::ControlId:
          piece = pseudonymizer_ != nullptr
                      ? pseudonymizer_->controlId(value)
                      : engine::crypto::sha256Hex(message.raw()).substr(0, 20);
          writer.field(f, piece);
          note(actions, Did::Replaced, segment.id, f);
          continue;
        case FieldRule::ObxValueType:
          if (obx.fold_age) {
            writer.field(f, "ST");
          } else {
            rewriter.kept(piece, segment.id, f, value);
            writer.field(f, piece);
          }
          continue;
        case FieldRule::ObxValue:
          if (obx.fold_age) {
            writer.field(f, "90+");
            note(actions, Did::GeneralisedAge, segment.id, f);
            continue;
          }
          switch (obx.kind) {
            case ObxKind::Keep:
              rewriter.kept(piece, segment.id, f, value);
              writer.field(f, piece);
              continue;
            case ObxKind::Coded:
              rewriter.coded(piece, segment.id, f, value);
              writer.field(f, piece);
              continue;
            case ObxKind::Date:
              rewriter.date(piece, segment.id, f, value);
              writer.field(f, piece);
              continue;
            case ObxKind::Text:
              if (allowsFreeText(segment.id, f)) {
                writer.field(f, value);
                continue;
              }
              break;
            case ObxKind::Remove:
              break;
          }
          break;
      }
      if (strip::hasContent(value, d)) {
        note(actions, Did::Removed, segment.id, f);
      }
    }
    out.append(segment.gap);
  }
  return out;
}

}  // namespace ferry::mappings::deid
