#!/usr/bin/env bash
# Ferry's FHIR validator beside the @medplum/core validator on the public corpus (issue #3):
# definitions load time, throughput (parsing included, one core), and how the valid/invalid
# verdicts agree with each other and with the outcomes the HL7 Java validator recorded for the
# fhir-test-cases/validator files. See bench/README.md, section "FHIR validation".
#
# usage: bench/fhir_compare.sh [CORPUS_DIR] [--seconds S] [--rounds N] [--warmup S]
#   CORPUS_DIR defaults to ../shared/corpus beside the repository. The other options go to
#   both benchmarks. The Ferry binary is looked for in ${FERRY_BUILD_DIR:-build}/bench/ (the
#   folder scripts/build.sh builds into); this script builds nothing. It runs `npm ci` in
#   bench/medplum when that package's node_modules is missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus="$repo/../shared/corpus"
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds | --rounds | --warmup)
      [ $# -ge 2 ] || { echo "fhir_compare.sh: $1 needs a value" >&2; exit 2; }
      bench_args+=("$1" "$2"); shift 2 ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fhir_compare.sh: unknown option $1" >&2; exit 2 ;;
    *) corpus=$1; shift ;;
  esac
done

build_dir=${FERRY_BUILD_DIR:-build}
case "$build_dir" in /*) ;; *) build_dir="$repo/$build_dir" ;; esac
ferry_bench="$build_dir/bench/fhir_validate_bench"
if [ ! -x "$ferry_bench" ]; then
  echo "fhir_compare.sh: $ferry_bench is missing. Build it first:" >&2
  echo "  scripts/build.sh --target fhir_validate_bench" >&2
  echo "(or set FERRY_BUILD_DIR to the build folder that has it)" >&2
  exit 1
fi
if [ ! -d "$corpus/fhir" ]; then
  echo "fhir_compare.sh: no FHIR corpus at $corpus/fhir" >&2
  exit 1
fi
corpus=$(cd "$corpus" && pwd)
command -v node >/dev/null || { echo "fhir_compare.sh: node (Node.js 20) not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "fhir_compare.sh: python3 not found" >&2; exit 1; }

medplum_dir="$repo/bench/medplum"
if [ ! -d "$medplum_dir/node_modules/@medplum/core" ]; then
  echo "Installing @medplum/core into bench/medplum (npm ci)..."
  (cd "$medplum_dir" && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One after the other, never together: each gets the same machine.
load_before_ferry=$(cut -d' ' -f1-3 /proc/loadavg)
"$ferry_bench" "$corpus" --verdicts "$work/ferry.tsv" ${bench_args[@]+"${bench_args[@]}"} \
  | tee "$work/ferry.out"
echo
load_before_medplum=$(cut -d' ' -f1-3 /proc/loadavg)
node "$medplum_dir/validate.mjs" "$corpus" --verdicts "$work/medplum.tsv" \
  ${bench_args[@]+"${bench_args[@]}"} | tee "$work/medplum.out"
echo

python3 - "$work" "$corpus/fhir" "$repo/docs/fhir-validation.md" \
  "$load_before_ferry" "$load_before_medplum" <<'PYTHON'
import datetime
import json
import os
import re
import sys

work, fhir_dir, corpus_notes, load_ferry, load_medplum = sys.argv[1:6]


def result_line(path):
    for line in open(path, encoding="utf-8"):
        if line.startswith("RESULT "):
            return dict(part.split("=", 1) for part in line.split()[1:])
    sys.exit(f"fhir_compare.sh: no RESULT line in {path}")


def verdicts(path):
    table = {}
    for line in open(path, encoding="utf-8"):
        verdict, _errors, name = line.rstrip("\n").split("\t", 2)
        table[name] = verdict
    return table


def recorded_verdict(path):
    """The HL7 validator's verdict from an expected-outcome file, or None when there is none.

    Two forms: an OperationOutcome (invalid when an issue is error or fatal), or the manifest
    form {"errorCount": n, "output": [...]} copied out of fhir-test-cases' manifest.json."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8-sig") as f:
        outcome = json.load(f)
    if "errorCount" in outcome:
        return "invalid" if int(outcome["errorCount"]) > 0 else "valid"
    severities = [issue.get("severity") for issue in outcome.get("issue", [])]
    return "invalid" if any(s in ("error", "fatal") for s in severities) else "valid"


def needing_more_than_base_spec(path):
    """File names in docs/fhir-validation.md's "Not compared" table (terminology, extra profiles)."""
    names = set()
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return names
    in_section = False
    for line in lines:
        if line.startswith("Not compared"):
            in_section = True
            continue
        if in_section:
            match = re.match(r"\|\s*([^|\s]+\.json)\s*\|", line)
            if match:
                names.add(match.group(1))
            elif names and not line.startswith("|"):
                break
    return names


def mb_per_cpu_second(r):
    """Throughput per second of CPU used: less sensitive than MB/s to other processes' load."""
    return int(r["rounds"]) * int(r["bytes"]) / float(r["cpu_seconds"]) / 1e6


ferry, medplum = result_line(f"{work}/ferry.out"), result_line(f"{work}/medplum.out")
ferry_v, medplum_v = verdicts(f"{work}/ferry.tsv"), verdicts(f"{work}/medplum.tsv")
special = needing_more_than_base_spec(corpus_notes)

print(f"== FHIR validation: Ferry beside @medplum/core, "
      f"{datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}")
print(f"corpus: {ferry['files']} files, {int(ferry['bytes'])} bytes ({fhir_dir})")
print(f"load average (1/5/15 min) before the runs: ferry {load_ferry}, medplum {load_medplum}; "
      f"{os.cpu_count()} cores")
print()
header = (f"{'':16}{'load ms':>10}{'resources/s':>13}{'MB/s':>9}{'rounds':>8}{'wall s':>8}"
          f"{'cpu s':>8}{'MB/cpu s':>10}")
print(header)
for name, r in (("ferry", ferry), ("@medplum/core", medplum)):
    print(f"{name:16}{float(r['load_ms']):>10.1f}{float(r['resources_per_s']):>13.0f}"
          f"{float(r['mb_per_s']):>9.2f}{int(r['rounds']):>8}{float(r['seconds']):>8.2f}"
          f"{float(r['cpu_seconds']):>8.2f}{mb_per_cpu_second(r):>10.2f}")
load_ratio = float(ferry["load_ms"]) / float(medplum["load_ms"])
speed_ratio = float(ferry["mb_per_s"]) / float(medplum["mb_per_s"])
cpu_ratio = mb_per_cpu_second(ferry) / mb_per_cpu_second(medplum)
print(f"{'ferry/medplum':16}{load_ratio:>10.4f}{speed_ratio:>12.1f}x{speed_ratio:>8.1f}x"
      f"{'':24}{cpu_ratio:>9.1f}x")
print()
throughput_met = speed_ratio >= 10
load_met = float(ferry["load_ms"]) < 100
print(f"goal (issue #3): throughput >= 10x medplum: {'met' if throughput_met else 'NOT met'} "
      f"({speed_ratio:.1f}x); definitions loaded in < 0.1 s: "
      f"{'met' if load_met else 'NOT met'} ({float(ferry['load_ms']):.1f} ms)")
print()

names = sorted(set(ferry_v) | set(medplum_v))
agree = [n for n in names if ferry_v.get(n) == medplum_v.get(n)]
disagree = [n for n in names if ferry_v.get(n) != medplum_v.get(n)]
print(f"verdicts, ferry vs medplum: agree on {len(agree)} of {len(names)} files, "
      f"disagree on {len(disagree)}")
for label, v in (("ferry", ferry_v), ("medplum", medplum_v)):
    invalid = sum(1 for n in names if v.get(n) == "invalid")
    print(f"  {label:8} {len(names) - invalid} valid, {invalid} invalid")
print()

recorded = {}
no_outcome = []
for name in names:
    if not name.startswith("fhir-test-cases/validator/"):
        continue
    expected = name[: -len(".json")] + ".expected-outcome.json"
    outcome = recorded_verdict(os.path.join(fhir_dir, expected))
    if outcome is None:
        no_outcome.append(name)
    else:
        recorded[name] = outcome
base = [n for n in sorted(recorded) if os.path.basename(n) not in special]
extra = [n for n in sorted(recorded) if os.path.basename(n) in special]
print("verdicts vs the outcomes recorded by the HL7 validator (fhir-test-cases/validator):")
print(f"  {len(recorded)} files with a recorded outcome; {len(no_outcome)} without, skipped: "
      + ", ".join(os.path.basename(n) for n in no_outcome))
for label, group in (("base specification only", base),
                     ("needing terminology or extra profiles (docs/fhir-validation.md)", extra)):
    if not group:
        continue
    print(f"  {label}: {len(group)} files")
    for impl, v in (("ferry", ferry_v), ("medplum", medplum_v)):
        same = sum(1 for n in group if v.get(n) == recorded[n])
        missed = [os.path.basename(n) for n in group if v.get(n) != recorded[n]]
        print(f"    {impl:8} agrees on {same} of {len(group)}"
              + (f"; differs on: {', '.join(missed)}" if missed else ""))
print()

print("files where ferry and medplum disagree (reason: for a human to fill in):")
print(f"  {'file':62} {'ferry':8} {'medplum':8} {'recorded':9} reason")
for name in disagree:
    print(f"  {name:62} {ferry_v.get(name, '-'):8} {medplum_v.get(name, '-'):8} "
          f"{recorded.get(name, '-'):9}")
PYTHON
