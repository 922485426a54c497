#include "engine/audit/audit_chain.h"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>
#include <utility>

#include "engine/crypto/digest.h"
#include "engine/fake_store.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::audit::AuditChain;
using engine::audit::VerifyReport;
using engine::store::AuditRow;

// FakeStore keeps audit rows in a vector and scans it in order, so a test can tamper with the
// trail the way someone with write access to the database could.
struct Chain {
  Chain() {
    auto loaded = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys.json").string(), true);
    BOOST_REQUIRE(loaded.isOk());
    keys = loaded.value();
  }

  void append(int count) {
    std::optional<AuditRow> last;
    if (!store.audit.empty()) {
      last = store.audit.back();
    }
    AuditChain chain(keys, last);
    for (int i = 0; i < count; ++i) {
      store.audit.push_back(record(static_cast<int>(store.audit.size()) + 1));
      chain.seal(store.audit.back());
    }
  }

  static AuditRow record(int n) {
    AuditRow row;
    row.time_ms = 1'700'000'000'000 + n;
    row.message_id = "MSG" + std::to_string(n);
    row.route = "adt-to-lab";
    row.destination = n % 2 == 0 ? "lab" : "";
    row.hop = n % 3 == 0 ? "sent" : "received";
    row.actor = "ingest";
    row.outcome = "ok";
    row.payload_sha256 = engine::crypto::sha256Hex(std::to_string(n));
    return row;
  }

  // The row a 1-based sequence was written at.
  AuditRow& at(std::int64_t sequence) {
    return store.audit[static_cast<std::size_t>(sequence - 1)];
  }

  VerifyReport verify() {
    auto report = engine::audit::verifyAuditChain(store, *keys);
    BOOST_REQUIRE(report.isOk());
    return report.value();
  }

  TempDir dir;
  std::shared_ptr<const engine::crypto::KeyRing> keys;
  FakeStore store;
};

void checkBrokenAt(const VerifyReport& report, std::int64_t sequence, const std::string& problem) {
  BOOST_CHECK(!report.ok);
  BOOST_CHECK_EQUAL(report.first_bad_sequence, sequence);
  BOOST_CHECK_EQUAL(report.records_checked, sequence - 1);
  BOOST_CHECK_EQUAL(report.problem, problem);
}

class UnreadableStore : public FakeStore {
 public:
  engine::Status scanAudit(const std::function<bool(const AuditRow&)>&) override {
    return engine::Status(engine::ErrorCode::StorageError, "injected failure");
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_chain)

BOOST_AUTO_TEST_CASE(numbers_records_from_one_under_the_active_audit_key) {
  Chain chain;

  chain.append(3);

  for (std::int64_t sequence = 1; sequence <= 3; ++sequence) {
    BOOST_CHECK_EQUAL(chain.at(sequence).sequence, sequence);
    BOOST_CHECK_EQUAL(chain.at(sequence).key_id, chain.keys->activeAuditKeyId());
    BOOST_CHECK_EQUAL(chain.at(sequence).mac.size(), 64u);
  }
}

BOOST_AUTO_TEST_CASE(chains_the_first_record_onto_an_empty_mac) {
  Chain chain;

  chain.append(2);

  const auto& key = *chain.keys->auditKey(chain.keys->activeAuditKeyId());
  BOOST_CHECK_EQUAL(chain.at(1).mac, engine::crypto::hmacSha256Hex(
                                         key, engine::audit::canonicalAuditBytes(chain.at(1), "")));
  BOOST_CHECK_EQUAL(chain.at(2).mac,
                    engine::crypto::hmacSha256Hex(
                        key, engine::audit::canonicalAuditBytes(chain.at(2), chain.at(1).mac)));
}

BOOST_AUTO_TEST_CASE(verifies_a_clean_chain_of_several_hundred_records) {
  Chain chain;
  chain.append(300);

  auto report = chain.verify();

  BOOST_CHECK(report.ok);
  BOOST_CHECK_EQUAL(report.records_checked, 300);
  BOOST_CHECK_EQUAL(report.first_bad_sequence, 0);
  BOOST_CHECK(report.problem.empty());
}

BOOST_AUTO_TEST_CASE(verifies_an_empty_chain) {
  Chain chain;

  auto report = chain.verify();

  BOOST_CHECK(report.ok);
  BOOST_CHECK_EQUAL(report.records_checked, 0);
}

BOOST_AUTO_TEST_CASE(continues_a_chain_after_a_restart) {
  Chain chain;
  chain.append(120);

  chain.append(80);

  BOOST_CHECK_EQUAL(chain.store.audit.back().sequence, 200);
  BOOST_CHECK(chain.verify().ok);
}

BOOST_AUTO_TEST_CASE(names_the_record_whose_field_was_edited) {
  using Edit = std::function<void(AuditRow&)>;
  const std::pair<const char*, Edit> edits[] = {
      {"time_ms", [](AuditRow& row) { row.time_ms += 1; }},
      {"message_id", [](AuditRow& row) { row.message_id += "X"; }},
      {"route", [](AuditRow& row) { row.route = "other"; }},
      {"destination", [](AuditRow& row) { row.destination = "billing"; }},
      {"hop", [](AuditRow& row) { row.hop = "acknowledged"; }},
      {"actor", [](AuditRow& row) { row.actor = "someone"; }},
      {"outcome", [](AuditRow& row) { row.outcome = "error"; }},
      {"detail", [](AuditRow& row) { row.detail = "edited"; }},
      {"payload_sha256", [](AuditRow& row) { row.payload_sha256[0] ^= 1; }},
      {"mac", [](AuditRow& row) { row.mac[10] = row.mac[10] == 'a' ? 'b' : 'a'; }},
  };

  for (const auto& [field, edit] : edits) {
    BOOST_TEST_CONTEXT("edited " << field) {
      Chain chain;
      chain.append(300);

      edit(chain.at(137));

      checkBrokenAt(chain.verify(), 137, "mac mismatch");
    }
  }
}

BOOST_AUTO_TEST_CASE(names_the_first_record_when_it_was_edited) {
  Chain chain;
  chain.append(10);

  chain.at(1).outcome = "error";

  checkBrokenAt(chain.verify(), 1, "mac mismatch");
}

BOOST_AUTO_TEST_CASE(names_the_sequence_of_a_deleted_record) {
  Chain chain;
  chain.append(300);

  chain.store.audit.erase(chain.store.audit.begin() + 199);  // sequence 200

  checkBrokenAt(chain.verify(), 200, "sequence gap: record missing");
}

BOOST_AUTO_TEST_CASE(names_a_deleted_first_record) {
  Chain chain;
  chain.append(5);

  chain.store.audit.erase(chain.store.audit.begin());

  checkBrokenAt(chain.verify(), 1, "sequence gap: record missing");
}

BOOST_AUTO_TEST_CASE(names_the_place_of_a_record_deleted_and_covered_by_renumbering) {
  Chain chain;
  chain.append(300);

  chain.store.audit.erase(chain.store.audit.begin() + 199);
  for (std::size_t i = 199; i < chain.store.audit.size(); ++i) {
    chain.store.audit[i].sequence -= 1;
  }

  checkBrokenAt(chain.verify(), 200, "mac mismatch");
}

BOOST_AUTO_TEST_CASE(names_the_first_of_two_records_whose_contents_were_swapped) {
  Chain chain;
  chain.append(300);

  // Exchange everything but the sequence column, as an UPDATE on the table would.
  std::swap(chain.at(100), chain.at(101));
  std::swap(chain.at(100).sequence, chain.at(101).sequence);

  checkBrokenAt(chain.verify(), 100, "mac mismatch");
}

BOOST_AUTO_TEST_CASE(names_the_first_of_two_records_read_in_swapped_order) {
  Chain chain;
  chain.append(300);

  std::swap(chain.at(100), chain.at(180));

  auto report = chain.verify();

  BOOST_CHECK(!report.ok);
  BOOST_CHECK_EQUAL(report.first_bad_sequence, 100);
  BOOST_CHECK_EQUAL(report.records_checked, 99);
}

BOOST_AUTO_TEST_CASE(names_the_place_of_an_inserted_record) {
  Chain chain;
  chain.append(300);
  AuditRow forged = Chain::record(150);
  forged.sequence = 150;
  forged.detail = "forged";
  forged.key_id = chain.keys->activeAuditKeyId();
  forged.mac = chain.at(150).mac;

  chain.store.audit.insert(chain.store.audit.begin() + 149, forged);
  for (std::size_t i = 150; i < chain.store.audit.size(); ++i) {
    chain.store.audit[i].sequence += 1;
  }

  checkBrokenAt(chain.verify(), 150, "mac mismatch");
}

BOOST_AUTO_TEST_CASE(names_the_place_of_a_replayed_copy_of_a_record) {
  Chain chain;
  chain.append(300);

  AuditRow copy = chain.at(149);
  chain.store.audit.insert(chain.store.audit.begin() + 149, copy);

  checkBrokenAt(chain.verify(), 150, "sequence out of order or repeated");
}

BOOST_AUTO_TEST_CASE(counts_only_the_remaining_records_of_a_truncated_chain) {
  Chain chain;
  chain.append(300);

  chain.store.audit.resize(280);

  auto report = chain.verify();
  BOOST_CHECK(report.ok);
  BOOST_CHECK_EQUAL(report.records_checked, 280);
}

BOOST_AUTO_TEST_CASE(names_a_record_signed_under_an_unknown_key) {
  Chain chain;
  chain.append(20);

  chain.at(7).key_id = "retired";

  checkBrokenAt(chain.verify(), 7, "unknown audit key id");
}

BOOST_AUTO_TEST_CASE(refuses_a_chain_checked_with_another_audit_key) {
  Chain chain;
  chain.append(5);
  Chain other;

  auto report = engine::audit::verifyAuditChain(chain.store, *other.keys);

  BOOST_REQUIRE(report.isOk());
  BOOST_CHECK(!report.value().ok);
  BOOST_CHECK_EQUAL(report.value().first_bad_sequence, 1);
}

BOOST_AUTO_TEST_CASE(keeps_fields_apart_when_their_boundary_moves) {
  AuditRow one = Chain::record(1);
  AuditRow two = one;
  one.route = "ab";
  one.destination = "c";
  two.route = "a";
  two.destination = "bc";

  BOOST_CHECK(engine::audit::canonicalAuditBytes(one, "") !=
              engine::audit::canonicalAuditBytes(two, ""));
}

BOOST_AUTO_TEST_CASE(reports_a_store_that_cannot_be_read) {
  Chain chain;
  UnreadableStore store;

  auto report = engine::audit::verifyAuditChain(store, *chain.keys);

  BOOST_CHECK(report.status().code() == engine::ErrorCode::StorageError);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
