#include "mappings/deid/safe_harbor_hl7.h"

#include <cstdlib>
#include <string>
#include <unordered_map>

namespace ferry::mappings::deid {

namespace {

struct SegmentSpec {
  std::string_view id;
  // "N[-M]L" tokens: field N (to M) gets rule letter L (see the header). Unlisted: removed.
  std::string_view rules;
};

// Field by field, what a de-identified copy may hold. Identifiers that the 18 Safe Harbor kinds
// name (names, addresses below state, dates, telecom, SSN, MRN, health plan, account, licence,
// device and vehicle ids, URLs, IPs, biometrics, photos, any other unique id) are left unlisted,
// so they go; so do providers, facilities inside addresses, order and visit numbers (all unique
// ids that link back to a person's record).
constexpr SegmentSpec kSpecs[] = {
    // Header: routing fields stay; MSH-7 is the date of an event in the patient's care.
    {"MSH", "1-6K 7D 9K 10M 11-13K 15K 16K 17C 18K 19C 20K 21K"},
    {"EVN", "1K 2D 3D 4C 6D"},
    {"PID",
     "1K 3I 7B 8K 10C 11A 15C 16C 17C 22C 24K 25K 26C 27C 28C 29D 30K 31K 32C 33D 35C 36C 38C "
     "39C"},
    {"PD1", "1C 2C 5K 6C 7C 8C 9K 11C 12K 13D 15C 16C 17D 18D 19C 20C 21C 22D"},
    // Relatives: only codes about them stay (relationship, sex, dates cut to the year).
    {"NK1",
     "1K 3C 7C 8D 9D 14C 15K 16B 17C 18C 19C 20C 21C 22C 23K 24C 25C 27C 28C 29C 34C 35C 36C"},
    {"PV1",
     "1K 2C 4C 10C 12C 13C 14C 15C 16C 18C 21C 22C 23C 24C 25D 26K 27K 28C 29C 30D 31C 32K 33K 34C "
     "35D 36C 38C 39C 40C 41C 44D 45D 46K 47K 48K 49K 51C"},
    {"PV2",
     "2C 3C 4C 7C 8D 9D 10K 11K 14D 15K 16C 17D 18C 19K 20K 21C 22K 24C 25C 26D 27C 28D 29D 30C "
     "31K 32C 33D 34K 35C 36K 37K 38C 39C 40C 41C 42C 43C 44C 45C 46D 47D 48D 49C 50D"},
    {"IN1",
     "1K 2C 12D 13D 15C 17C 18B 19A 20C 21C 22K 23K 24D 25K 26D 27C 29D 31C 32C 33K 34K 35C 37K "
     "38K 39K 40K 41K 42C 43K 45C 46C 47C 48C 50C 51D 53K 55C"},
    {"IN2",
     "4C 5C 11C 14C 15C 16C 17D 18K 19K 20K 21K 24C 27C 28K 29K 30K 31C 32C 33C 34C 35C 36C 37K "
     "38C 39C 41C 42C 43C 44D 45D 48C 51C 54C 55D 56D 57C 59C 60C 62C 65C 66K 67K 68K 71C 72C"},
    {"GT1",
     "1K 5A 8B 9K 10C 11C 13D 14D 15K 20C 22K 23C 24D 25K 26C 27K 28K 30C 31D 32D 33C 34C 35C "
     "36C 37C 38C 39K 40C 41C 43C 44C 47C 48C 52C 53C 55C 57C"},
    {"ORC", "1K 5K 6K 9D 15D 16C 20C 25C 26C 27D 28C 29C 30C 31C"},
    {"OBR",
     "1K 4C 5K 6D 7D 8D 9K 11K 12C 13T 14D 22D 24K 25K 30K 31C 36D 37K 38C 40C 41K 42K 43C 44C "
     "45C 46C 47C 48C 49K 50C 55K"},
    {"OBX", "1K 2Y 3C 4K 5V 6C 7K 8K 9K 10K 11K 12D 14D 17C 19D 20C 22K"},
    {"NTE", "1K 2K 3T 4C 6D 7D 8D"},
    {"SPM",
     "1K 4C 5C 6C 7C 8C 9C 10C 11C 12K 13K 15C 16C 17D 18D 19D 20K 21C 22C 23C 24C 25K 26K 27C "
     "28C 29C"},
    {"TQ1", "1K 2K 3K 4K 5K 6K 7D 8D 9C 12K 13K 14K"},
    {"PRT", "2K 3C 4C 6C 7C 11D 12D 13K 17D 18D"},
    {"ROL", "2K 3C 5D 6D 7C 8C 9C 10C"},
    {"DG1", "1K 2K 3C 5D 6K 7C 8C 9K 10K 11C 12K 13K 14K 15K 17C 18K 19D 21K 23C 24K 25K 26C"},
    {"AL1", "1K 2C 3C 4C 5T 6D"},
    {"PR1", "1K 2K 3C 5D 6C 7K 9C 10K 13C 14K 15C 16C 17K 18C 20K"},
    {"FT1", "1K 4D 5D 6K 7C 10K 11K 12K 13C 14C 15K 17C 18C 19C 22K 25C 26C 27C 28C 29C"},
    {"RXA", "1K 2K 3D 4D 5C 6K 7C 8C 9C 12K 13K 14C 16D 17C 18C 19C 20K 21K 22D 23K 24C 26K"},
    {"RXR", "1-6C"},
    {"RXO",
     "1C 2K 3K 4C 5C 6C 7C 9K 10C 11K 12C 13K 16K 17K 18K 19C 20C 21K 22C 23K 24C 25K 26C 27K 28K"},
    {"RXE",
     "2C 3K 4K 5C 6C 7C 9K 10K 11C 12K 16K 17K 18D 19K 20K 21C 22K 23K 24C 25K 26C 27C 28K 29C "
     "30C 31C 32D 33K 34C 35C 36K 37C 39K 44K"},
    {"RXC", "1K 2C 3K 4C 5K 6C 7C 8K 9C"},
    {"MSA", "1K 2M 4K 5K 6C"},
    {"ERR", "1K 2K 3C 4K 5C 9K 10C 11C"},
    {"QAK", "1K 2K 3C 4K 5K 6K"},
    {"SCH", "3K 5C 6C 7C 8C 9K 10C 25C"},
    {"RGS", "1K 2K 3C"},
    {"AIS", "1K 2K 3C 4D 5K 6C 7K 8C 9K 10C 11C 12C"},
    {"AIG", "1K 2K 4C 5C 6K 7C 8D 9K 10C 11K 12C 13K 14C"},
    {"AIL", "1K 2K 4C 5C 6D 7K 8C 9K 10C 11K 12C"},
    {"AIP", "1K 2K 4C 5C 6D 7K 8C 9K 10C 11K 12C"},
    // A merge names the prior identifiers of the same patient: pseudonymised like PID-3.
    {"MRG", "1I"},
    {"DB1", "1K 2C 4K 5D 6D 7D 8D"},
    {"ACC", "1D 2C 4C 5K 6K 10K 11A"},
    {"ODS", "1K 2C 3C"},
    {"TXA", "1K 2C 3K 4D 6D 7D 8D 17K 18K 19K 20K"},
    {"RF1", "1C 2C 3C 4C 5C 7D 8D 9D 10C 12C"},
    {"PDA", "1C 3K 4D 6K 7D 9K"},
    {"CTI", "1K 2C 3C"},
    {"BLG", "2K 4C"},
    {"SAC",
     "7D 8C 9C 11K 12C 14K 15C 16-19K 20C 21-23K 24-28C 29K 30C 31K 32K 33C 34K 35C 36K 37C 38K "
     "39C 40-44C"},
    {"PRB", "1K 2D 3C 6K 7D 8D 9D 10C 11C 12C 13C 14C 15D 16D 18C 19C 20K 21C 22C 23C 25C"},
    {"CON", "1K 2C 9C 10C 11D 12D 13D 14D 15K 16K 17C 18K 19C 20K 21C 22C 24C"},
    {"MFI", "1C 2K 3K 4D 5D 6K"},
    {"MFE", "1K 2K 3D 5K"},
    {"ARV", "1K 2K 3C 4C 6D"},
};

FieldRule ruleOf(char letter) {
  switch (letter) {
    case 'K':
      return FieldRule::Keep;
    case 'C':
      return FieldRule::Coded;
    case 'D':
      return FieldRule::Date;
    case 'B':
      return FieldRule::BirthDate;
    case 'A':
      return FieldRule::Address;
    case 'I':
      return FieldRule::PatientId;
    case 'T':
      return FieldRule::FreeText;
    case 'V':
      return FieldRule::ObxValue;
    case 'Y':
      return FieldRule::ObxValueType;
    case 'M':
      return FieldRule::ControlId;
    default:
      // The table is a constant of this file; an unknown letter is a typo caught by the tests
      // (every segment's rules are read there), so fail safe: remove.
      return FieldRule::Remove;
  }
}

SegmentRules parseRules(std::string_view text) {
  SegmentRules rules;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    std::size_t first = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      first = first * 10 + static_cast<std::size_t>(text[pos++] - '0');
    }
    std::size_t last = first;
    if (pos < text.size() && text[pos] == '-') {
      ++pos;
      last = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        last = last * 10 + static_cast<std::size_t>(text[pos++] - '0');
      }
    }
    const FieldRule rule = pos < text.size() ? ruleOf(text[pos++]) : FieldRule::Remove;
    if (rules.fields.size() <= last) {
      rules.fields.resize(last + 1, FieldRule::Remove);
    }
    for (std::size_t field = first; field <= last && field > 0; ++field) {
      rules.fields[field] = rule;
    }
  }
  return rules;
}

std::uint32_t packId(std::string_view id) {
  if (id.size() != 3) {
    return 0;
  }
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(id[0])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(id[1])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(id[2]));
}

const std::unordered_map<std::uint32_t, SegmentRules>& table() {
  static const std::unordered_map<std::uint32_t, SegmentRules> kTable = [] {
    std::unordered_map<std::uint32_t, SegmentRules> built;
    for (const SegmentSpec& spec : kSpecs) {
      built.emplace(packId(spec.id), parseRules(spec.rules));
    }
    return built;
  }();
  return kTable;
}

}  // namespace

const SegmentRules* safeHarborRules(std::string_view segment_id) {
  const auto& rules = table();
  auto found = rules.find(packId(segment_id));
  return found == rules.end() ? nullptr : &found->second;
}

}  // namespace ferry::mappings::deid
