#pragma once

// Raw-byte tools shared by stripping and de-identification of HL7 v2 messages. Both rewrite a
// message that Message::parse() accepted by copying the pieces they keep and dropping or
// replacing the others, in one pass over the bytes: set() re-scans the whole message on every
// edit, which is too slow for dozens of edits per message on the delivery path.
//
// Pieces are cut at the delimiters the message defines (MSH-1, MSH-2). Escape sequences never
// contain a delimiter, so a piece never splits one; kept pieces are copied byte for byte, so
// charset and escapes survive. Values written in place of a piece are plain ASCII without
// delimiters (years, ZIP prefixes, pseudonyms).
//
// Thread-safety: pure functions over their arguments.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"

namespace ferry::mappings::strip {

// A message's delimiters; -1 for one the message does not define (it then matches no byte).
struct RawDelimiters {
  char field = '|';
  int component = '^';
  int repetition = '~';
  int subcomponent = '&';

  static RawDelimiters of(const engine::hl7::Message& message);
};

struct RawSegment {
  std::string_view id;         // "PID"
  std::string_view bytes;      // the segment without its terminator
  std::string_view gap;        // its terminator and any blank lines up to the next segment
  std::size_t occurrence = 1;  // 1-based among the segments with this id
  std::size_t index = 0;       // 0-based position in the message
};

// A parsed message cut into segments. Views point into the message's bytes: the message must
// outlive this object and stay unchanged.
class RawMessage {
 public:
  explicit RawMessage(const engine::hl7::Message& message);

  std::string_view prefix() const { return prefix_; }  // BOM and blank lines before MSH
  const std::vector<RawSegment>& segments() const { return segments_; }
  const RawDelimiters& delimiters() const { return delimiters_; }

  // The fields of a segment by HL7 number, as splitFields() gives them, read from the offsets
  // the parser recorded (no second scan of the bytes).
  void fields(const RawSegment& segment, std::vector<std::string_view>& fields) const;

 private:
  const engine::hl7::Message& message_;
  std::string_view prefix_;
  std::vector<RawSegment> segments_;
  RawDelimiters delimiters_;
};

// Cuts `text` at `delimiter` into `pieces` (cleared first). A negative delimiter gives one
// piece. An empty text gives one empty piece.
void splitPieces(std::string_view text, int delimiter, std::vector<std::string_view>& pieces);

// Cuts a segment into fields indexed by HL7 field number: fields[0] is the segment id. For MSH,
// fields[1] is the field separator itself and fields[2] MSH-2, as HL7 numbers them.
void splitFields(const RawSegment& segment, char field_separator,
                 std::vector<std::string_view>& fields);

// True when `text` holds anything besides component and subcomponent delimiters (a field of
// only "^^^" carries no value).
bool hasContent(std::string_view text, const RawDelimiters& delimiters);

// Writes one segment field by field into `out`, leaving out trailing empty fields. Field
// numbers must rise. For MSH, fields 1 and 2 are written by begin() from the message itself.
class SegmentWriter {
 public:
  SegmentWriter(std::string& out, const RawDelimiters& delimiters)
      : out_(out), delimiters_(delimiters) {}

  // Starts a segment; for MSH, `msh2` is the encoding characters field.
  void begin(std::string_view id, std::string_view msh2 = {});
  // Appends field `number` unless `value` is empty.
  void field(std::size_t number, std::string_view value);

 private:
  std::string& out_;
  const RawDelimiters& delimiters_;
  std::size_t written_ = 0;
};

// Removes trailing bytes of `out` past `floor` that are `delimiter`s (trailing empty pieces).
void trimTrailing(std::string& out, std::size_t floor, int delimiter);

// Rewrites a field leaf by leaf (a leaf is a subcomponent, or a component or repetition that
// is not split further). `leaf(repetition, component, subcomponent, text, out)` appends the
// replacement of `text` to `out` (appending nothing removes it); indexes are 1-based. Trailing
// empty components and subcomponents are trimmed and repetitions left empty are dropped.
template <typename LeafFunction>
void rewriteLeaves(std::string& out, std::string_view field, const RawDelimiters& delimiters,
                   LeafFunction&& leaf) {
  std::size_t repetition = 0;
  std::size_t written_repetitions = 0;
  std::size_t start = 0;
  while (start <= field.size()) {
    std::size_t end = delimiters.repetition < 0
                          ? std::string_view::npos
                          : field.find(static_cast<char>(delimiters.repetition), start);
    if (end == std::string_view::npos) {
      end = field.size();
    }
    std::string_view rep = field.substr(start, end - start);
    ++repetition;

    const std::size_t rep_mark = out.size();
    if (written_repetitions > 0) {
      out.push_back(static_cast<char>(delimiters.repetition));
    }
    const std::size_t rep_start = out.size();
    std::size_t component = 0;
    std::size_t comp_begin = 0;
    while (comp_begin <= rep.size()) {
      std::size_t comp_end = delimiters.component < 0
                                 ? std::string_view::npos
                                 : rep.find(static_cast<char>(delimiters.component), comp_begin);
      if (comp_end == std::string_view::npos) {
        comp_end = rep.size();
      }
      std::string_view comp = rep.substr(comp_begin, comp_end - comp_begin);
      ++component;
      if (component > 1) {
        out.push_back(static_cast<char>(delimiters.component));
      }
      const std::size_t comp_start = out.size();
      std::size_t sub = 0;
      std::size_t sub_begin = 0;
      while (sub_begin <= comp.size()) {
        std::size_t sub_end =
            delimiters.subcomponent < 0
                ? std::string_view::npos
                : comp.find(static_cast<char>(delimiters.subcomponent), sub_begin);
        if (sub_end == std::string_view::npos) {
          sub_end = comp.size();
        }
        ++sub;
        if (sub > 1) {
          out.push_back(static_cast<char>(delimiters.subcomponent));
        }
        leaf(repetition, component, sub, comp.substr(sub_begin, sub_end - sub_begin), out);
        sub_begin = sub_end + 1;
      }
      trimTrailing(out, comp_start, delimiters.subcomponent);
      comp_begin = comp_end + 1;
    }
    trimTrailing(out, rep_start, delimiters.component);
    if (out.size() == rep_start) {
      out.resize(rep_mark);
    } else {
      ++written_repetitions;
    }
    start = end + 1;
  }
}

}  // namespace ferry::mappings::strip
