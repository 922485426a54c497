#!/usr/bin/env python3
"""Drafts Ferry vocabulary maps (mappings/data/vocabulary/*.json) from the HL7 v2-to-FHIR IG
concept-map CSVs (../shared/v2-to-fhir/mappings/codesystems).

Usage: generate_vocabulary.py IG_CODESYSTEMS_DIR OUT_DIR [NAME ...]

Each CSV row "v2 code, text, v2 table, conditions..., FHIR code, display, FHIR system" becomes
one entry of "codes". Rows with a condition are skipped (the engine evaluates none) and counted
in the file's "skipped_conditional_rows" so a reader knows the draft is partial. Python 3
standard library only; the committed JSON is the engine's own format and may be edited.
"""
import csv
import json
import os
import re
import sys

PREFIX = "HL7 Concept Map_ "


def map_name(file_name):
    name = file_name[len(PREFIX):]
    name = re.sub(r" - [^-]*\.csv$", "", name)
    return name.replace("[", "-").replace("]", "").replace(" ", "")


def v2_system(table):
    match = re.fullmatch(r"HL7(\d{4})", table.strip())
    return "http://terminology.hl7.org/CodeSystem/v2-" + match.group(1) if match else ""


def convert(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    codes = {}
    tables = set()
    target_systems = {}
    skipped = 0
    for row in rows[2:]:
        row = row + [""] * (12 - len(row))
        code, text, table = row[0].strip(), row[1].strip(), row[2].strip()
        condition = row[3].strip() or row[4].strip()
        fhir_code = row[6].strip()
        display = row[8].strip() or row[7].strip()
        system = row[9].strip()
        if display.startswith("http") and not system:
            # A few sheets put the system in the display column.
            system, display = display, ""
        if not code or not fhir_code:
            continue
        if condition:
            skipped += 1
            continue
        if table:
            tables.add(table)
        entry = {"code": fhir_code}
        if display:
            entry["display"] = display
        if system:
            entry["system"] = system
            target_systems[system] = target_systems.get(system, 0) + 1
        entry["v2_display"] = text
        if code not in codes:
            codes[code] = entry
    common = max(target_systems, key=target_systems.get) if target_systems else ""
    for entry in codes.values():
        if entry.get("system") == common:
            del entry["system"]
    source = sorted(tables)[0] if tables else ""
    result = {"vocabulary": map_name(os.path.basename(path)), "source_table": source,
              "source_system": v2_system(source), "target_system": common, "codes": codes}
    if skipped:
        result["skipped_conditional_rows"] = skipped
    return result


def render(result):
    """One code a line: the files stay short enough to read and diff."""
    head = {key: value for key, value in result.items() if key != "codes"}
    lines = ["{"]
    for key, value in head.items():
        lines.append("  %s: %s," % (json.dumps(key), json.dumps(value, ensure_ascii=False)))
    lines.append('  "codes": {')
    items = list(result["codes"].items())
    for index, (code, entry) in enumerate(items):
        comma = "," if index + 1 < len(items) else ""
        lines.append("    %s: %s%s" % (json.dumps(code, ensure_ascii=False),
                                       json.dumps(entry, ensure_ascii=False), comma))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    source_dir, out_dir, wanted = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    for file_name in sorted(os.listdir(source_dir)):
        if not file_name.startswith(PREFIX) or not file_name.endswith(".csv"):
            continue
        result = convert(os.path.join(source_dir, file_name))
        if wanted and result["vocabulary"] not in wanted:
            continue
        if not result["codes"]:
            continue
        with open(os.path.join(out_dir, result["vocabulary"] + ".json"), "w",
                  encoding="utf-8") as out:
            out.write(render(result))


if __name__ == "__main__":
    main()
