#include "engine/store/records.h"

#include <boost/test/unit_test.hpp>

namespace ferry::testing {
namespace {

using engine::store::MessageState;
using engine::store::OutboxState;
using engine::store::WriteBatch;

WriteBatch batchOf(const std::string& message_id) {
  WriteBatch batch;
  batch.messages.push_back({});
  batch.messages.back().id = message_id;
  batch.payloads.push_back({});
  batch.payloads.back().message_id = message_id;
  batch.new_outbox.push_back({});
  batch.new_outbox.back().message_id = message_id;
  batch.outbox_updates.push_back({});
  batch.outbox_updates.back().message_id = message_id;
  batch.audit.push_back({});
  batch.audit.back().message_id = message_id;
  return batch;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_records)

BOOST_AUTO_TEST_CASE(reads_back_every_state_from_its_name) {
  for (MessageState state : {MessageState::Accepted, MessageState::Rejected}) {
    BOOST_CHECK(engine::store::messageStateFromName(engine::store::messageStateName(state)) ==
                state);
  }
  for (OutboxState state : {OutboxState::Pending, OutboxState::Delivered, OutboxState::Dead}) {
    BOOST_CHECK(engine::store::outboxStateFromName(engine::store::outboxStateName(state)) == state);
  }
  BOOST_CHECK_EQUAL(engine::store::outboxStateName(OutboxState::Pending), "pending");
  BOOST_CHECK_EQUAL(engine::store::messageStateName(MessageState::Rejected), "rejected");
}

BOOST_AUTO_TEST_CASE(knows_no_state_for_an_unknown_name) {
  BOOST_CHECK(!engine::store::messageStateFromName("Accepted"));
  BOOST_CHECK(!engine::store::outboxStateFromName(""));
}

BOOST_AUTO_TEST_CASE(appends_every_row_kind_in_order_and_empties_the_source) {
  WriteBatch batch = batchOf("first");
  WriteBatch other = batchOf("second");

  batch.append(std::move(other));

  BOOST_CHECK(other.empty());
  BOOST_REQUIRE_EQUAL(batch.messages.size(), 2u);
  BOOST_CHECK_EQUAL(batch.messages[1].id, "second");
  BOOST_REQUIRE_EQUAL(batch.payloads.size(), 2u);
  BOOST_CHECK_EQUAL(batch.payloads[0].message_id, "first");
  BOOST_CHECK_EQUAL(batch.new_outbox.size(), 2u);
  BOOST_CHECK_EQUAL(batch.outbox_updates.size(), 2u);
  BOOST_REQUIRE_EQUAL(batch.audit.size(), 2u);
  BOOST_CHECK_EQUAL(batch.audit[1].message_id, "second");
}

BOOST_AUTO_TEST_CASE(appends_into_an_empty_batch) {
  WriteBatch batch;
  BOOST_CHECK(batch.empty());

  batch.append(batchOf("only"));

  BOOST_CHECK(!batch.empty());
  BOOST_CHECK_EQUAL(batch.messages.size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
