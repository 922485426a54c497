#pragma once

// Validating FHIR R4 JSON against the base specification, the way a FHIR server's $validate
// does without extra profiles or a terminology server. Checks, for every element of every
// resource (Bundle entries and contained resources included):
//   - resourceType present and a concrete resource type; every member a known element of its
//     type (choice types such as value[x] resolved to one allowed type; "_name" primitive
//     extension siblings; extension/modifierExtension with url),
//   - cardinality: min and max, arrays exactly where max > 1,
//   - primitive formats: id, string (length, no control characters), code, uri, url, canonical,
//     oid, uuid, date, dateTime and instant (zone rules), time, decimal, integer,
//     positiveInt and unsignedInt ranges, boolean, base64Binary, markdown, xhtml (well formed
//     enough to be a <div>),
//   - required value-set bindings (codes, Coding and CodeableConcept with a system in the set),
//   - references: reference strings well formed (relative Type/id, absolute URL, urn:uuid:,
//     urn:oid:, #contained), target types allowed by the element, contained resources each
//     referenced from the container, no nested contained,
//   - Bundle: fullUrl present and absolute when the entry has a resource (and matching the
//     resource id when it is a RESTful URL), transaction/batch entries carry request.method and
//     request.url, type-specific rules (searchset/history/document/message basics),
// and reports JSON-level problems found by the parser. FHIRPath invariants are not evaluated in
// general; the few named in validator_walker.h (ele-1, ext-1, per-1, ref-1, sqty-1, mqty-1,
// dom-2 to dom-5, the Bundle rules, txt-1/txt-2 basics) are coded by hand (README lists what
// runs and what does not).
//
// Thread-safety: a Validator is immutable; validate() and validateText() may run concurrently.
// Validators made from the same Definitions share one compiled model (built on first use).

#include <memory>
#include <string_view>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_value.h"
#include "engine/fhir/outcome.h"

namespace ferry::engine::fhir {

namespace validation {
class Model;
}

struct ValidationOptions {
  // When set, a resource must be of this type (POST [base]/Patient takes only a Patient).
  std::string expected_type;
  JsonLimits limits;
};

class Validator {
 public:
  explicit Validator(std::shared_ptr<const Definitions> definitions);

  // Issues for a parsed resource (the root must be an object with resourceType). `source`
  // is the original text, used for line/column; may be empty.
  std::vector<Issue> validate(const JsonValue& resource, std::string_view source = {},
                              const ValidationOptions& options = {}) const;

  // Parse and validate in one call: parser issues first, then the validator's.
  std::vector<Issue> validateText(std::string_view text,
                                  const ValidationOptions& options = {}) const;

  // The issues validateText(written) finds, where `written` is the writeJson() text of `tree`
  // (a tree built by code, such as a mapped Bundle about to be sent). When readsBackUnchanged()
  // vouches that parsing `written` would give `tree` back without any issue, `tree` is
  // validated directly and the issues carry no line and column; otherwise `written` is parsed
  // as validateText() does.
  std::vector<Issue> validateWritten(const JsonValue& tree, std::string_view written,
                                     const ValidationOptions& options = {}) const;

  const Definitions& definitions() const { return *definitions_; }

 private:
  std::shared_ptr<const Definitions> definitions_;
  std::shared_ptr<const validation::Model> model_;
};

}  // namespace ferry::engine::fhir
