#!/usr/bin/env python3
"""Where the CPU goes in a profiled mllp_ingest_bench run, by thread role and by kind of work.

Reads `perf script -F tid,ip,sym,dso` output (from `perf record -e cpu-clock --call-graph dwarf`)
on standard input. Each sample is given a role from the thread entry point found in its stack
(client, listener connection, journal writer, delivery worker, floor server) and a cost bucket
from the first matching rule, most specific first (sync, file creation, SQLite, encryption,
logging, parsing, ...). Prints two tables: samples by role, and by role and bucket.

On-CPU time only: time spent blocked (waiting on a sync, a lock or the network) is not sampled;
the benchmark's own sync accounting covers the sync waits.

    perf record -e cpu-clock -F 499 --call-graph dwarf -o perf.data -- \\
        build/bench/mllp_ingest_bench --only engine --connections 1 --rounds 0
    perf script -i perf.data -F tid,ip,sym,dso | bench/perf_breakdown.py
"""

import collections
import signal
import re
import sys

# Thread roles, by a frame that only that thread's stack holds.
ROLES = [
    ("client", re.compile(r"runClient")),
    ("floor server", re.compile(r"FloorServer")),
    ("journal writer", re.compile(r"Journal::writerLoop")),
    ("delivery worker", re.compile(r"DeliveryWorker::run")),
    ("listener connection", re.compile(r"MllpListener::(Session|serveConnection)")),
    ("listener accept", re.compile(r"MllpListener::acceptLoop")),
    ("startup/main", re.compile(r"^main$|_dl_start|Engine::start|KeyRing")),
]

# Cost buckets, tested in order against every frame of a sample (leaf first); first match wins
# for the whole rule list order, so put specific rules before general ones.
BUCKETS = [
    ("sync (fsync/fdatasync, CPU part)", re.compile(r"accountedSync|do_fsync|ext4_sync_file")),
    ("file create/open (kernel)", re.compile(r"do_sys_openat2|ext4_create|__x64_sys_openat")),
    ("rename/unlink/dir (kernel)", re.compile(r"do_renameat2|__x64_sys_rename|do_unlinkat")),
    ("logging (Poco)", re.compile(r"Poco::(Logger|FileChannel|FormattingChannel|PatternFormatter"
                                  r"|Message|format|LogFile|Channel)|Poco::Impl::Ptr")),
    ("SQLite (excluding sync)", re.compile(r"^sqlite3|libsqlite3")),
    ("SOCI layer", re.compile(r"^soci::")),
    ("audit chain (HMAC)", re.compile(r"AuditChain")),
    ("encryption/digests (OpenSSL)", re.compile(r"PayloadCipher|crypto::|libcrypto|EVP_|HMAC")),
    ("HL7 parse/validate", re.compile(r"ferry::engine::hl7::(detail::parse|Message::parse"
                                      r"|validate|readPatient|patientIdentifiers|"
                                      r"\(anonymous namespace\)::valueAt|detail::nthPiece)")),
    ("ACK build", re.compile(r"ferry::engine::hl7::buildAck|ackRequest|hl7Timestamp")),
    ("HL7 other", re.compile(r"ferry::engine::hl7::")),
    ("router", re.compile(r"ferry::routes::|Router")),
    ("socket I/O", re.compile(r"tcp_|sock_|__sys_sendto|__sys_recvfrom|sendBytes|receiveBytes"
                              r"|Poco::Net::")),
    ("file write (kernel)", re.compile(r"ksys_write|vfs_write|ksys_pwrite")),
    ("thread handoff (futex/scheduler)", re.compile(r"futex|__schedule|pthread_cond|"
                                                    r"try_to_wake_up")),
    ("malloc/free", re.compile(r"malloc|free|_int_|operator new|operator delete")),
    ("memcpy/strings", re.compile(r"memmove|memcpy|memset|memcmp|strlen|basic_string")),
    ("store records", re.compile(r"ferry::engine::store::|WriteBatch")),
]


def read_samples(stream):
    """Yields (tid, [symbol, ...]) with the leaf first."""
    tid = None
    frames = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if tid is not None:
                yield tid, frames
            tid, frames = None, []
            continue
        if not line.startswith((" ", "\t")):
            tid = line.split()[0]
            frames = []
            continue
        parts = line.strip().split(" ", 1)
        if len(parts) == 2:
            symbol = parts[1]
            dso = ""
            match = re.match(r"(.*) \((.*)\)$", symbol)
            if match:
                symbol, dso = match.group(1), match.group(2)
            frames.append(symbol if symbol != "[unknown]" else dso)
    if tid is not None:
        yield tid, frames


def classify(frames, rules, default):
    for name, pattern in rules:
        for frame in frames:
            if pattern.search(frame):
                return name
    return default


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    by_role = collections.Counter()
    by_role_bucket = collections.Counter()
    total = 0
    for _tid, frames in read_samples(sys.stdin):
        role = classify(frames, ROLES, "other thread")
        bucket = classify(frames, BUCKETS, "other")
        by_role[role] += 1
        by_role_bucket[(role, bucket)] += 1
        total += 1
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples (on-CPU only)\n")
    print(f"{'thread role':<24} {'samples':>8} {'share':>7}")
    for role, count in by_role.most_common():
        print(f"{role:<24} {count:>8} {100.0 * count / total:>6.1f}%")
    print(f"\n{'thread role':<24} {'cost':<36} {'samples':>8} {'of all':>7} {'of role':>8}")
    for role, _ in by_role.most_common():
        rows = [(b, c) for (r, b), c in by_role_bucket.items() if r == role]
        for bucket, count in sorted(rows, key=lambda row: -row[1]):
            if count * 200 < total:
                continue  # under 0.5% of all samples
            print(f"{role:<24} {bucket:<36} {count:>8} {100.0 * count / total:>6.1f}%"
                  f" {100.0 * count / by_role[role]:>7.1f}%")


if __name__ == "__main__":
    main()
