#include <sys/stat.h>

#include <future>
#include <limits>
#include <memory>
#include <string>
#include <thread>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <openssl/ssl.h>
#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "connectors/fhir_http/fhir_http_config.h"
#include "connectors/fhir_http/fhir_http_listener.h"
#include "connectors/fhir_http_test_support.h"
#include "connectors/mllp/mllp_io.h"
#include "connectors/tls_test_support.h"
#include "support/test_support.h"

namespace {

using ferry::connectors::fhir_http::FhirHttpListener;
using ferry::connectors::fhir_http::ListenerConfig;
using ferry::engine::pipeline::SubmitResult;
using ferry::testing::TempDir;
using ferry::testing::waitUntil;
using namespace ferry::testing::fhir_http;

ListenerConfig plainConfig() {
  ListenerConfig config;
  config.name = "fhir-in";
  config.port = 0;
  config.insecure = true;
  return config;
}

ListenerConfig tlsConfig() {
  ListenerConfig config;
  config.name = "fhir-tls";
  config.port = 0;
  config.tls.certificate = pki().path("server.pem");
  config.tls.private_key = pki().path("server.key");
  return config;
}

std::unique_ptr<FhirHttpListener> startListener(ListenerConfig config, RecordingFhirSink& sink) {
  auto listener = std::make_unique<FhirHttpListener>(std::move(config), sink);
  auto status = listener->start();
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  BOOST_REQUIRE_GT(listener->boundPort(), 0);
  return listener;
}

HttpCall post(const std::string& path, const std::string& body) {
  HttpCall request;
  request.path = path;
  request.body = body;
  return request;
}

// The "code" of the first issue of an OperationOutcome, or empty.
std::string issueCode(const std::string& outcome) {
  rapidjson::Document document;
  document.Parse(outcome.c_str());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("issue")) {
    return {};
  }
  const auto& issue = document["issue"][0];
  return issue.HasMember("code") ? issue["code"].GetString() : "";
}

// Sends `head` at once, then `drip` one byte every 50 ms, and returns how long the server let
// that go on before it closed the connection; stops trying after `give_up`.
std::chrono::milliseconds dripUntilClosed(int port, const std::string& head,
                                          const std::string& drip,
                                          std::chrono::milliseconds give_up) {
  ferry::connectors::mllp::ScopedSigpipeBlock sigpipe;
  Poco::Net::StreamSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
  };
  try {
    socket.sendBytes(head.data(), static_cast<int>(head.size()));
    for (std::size_t index = 0; elapsed() < give_up; index = (index + 1) % drip.size()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
        char byte = 0;
        if (socket.receiveBytes(&byte, 1) <= 0) {
          return elapsed();  // closed by the server
        }
      }
      socket.sendBytes(&drip[index], 1);
    }
  } catch (const Poco::Exception&) {
    return elapsed();  // reset by the server
  }
  return elapsed();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_http_listener)

BOOST_AUTO_TEST_CASE(submits_a_resource_posted_to_its_type_endpoint_with_that_type) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);

  HttpAnswer answer = call(listener->boundPort(), post("/fhir/Patient", patientJson()));

  BOOST_CHECK_EQUAL(answer.status, 201);
  BOOST_CHECK_EQUAL(answer.header("Content-Type"), "application/fhir+json; charset=utf-8");
  BOOST_CHECK_EQUAL(answer.header("X-Ferry-Message-Id"), "MSG1");
  BOOST_CHECK_EQUAL(issueCode(answer.body), "informational");
  auto submissions = sink.submissions();
  BOOST_REQUIRE_EQUAL(submissions.size(), 1u);
  BOOST_CHECK_EQUAL(submissions[0].json, patientJson());
  BOOST_CHECK_EQUAL(submissions[0].options.expected_type, "Patient");
  BOOST_CHECK(!submissions[0].options.base_endpoint);
  BOOST_CHECK_EQUAL(submissions[0].context.source, "fhir-in");
  BOOST_CHECK_EQUAL(submissions[0].context.peer.rfind("127.0.0.1:", 0), 0u);
}

BOOST_AUTO_TEST_CASE(submits_a_bundle_posted_to_the_base_as_a_base_endpoint_request) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);

  HttpAnswer answer = call(listener->boundPort(), post("/fhir", transactionBundleJson()));

  BOOST_CHECK_EQUAL(answer.status, 200);
  auto submissions = sink.submissions();
  BOOST_REQUIRE_EQUAL(submissions.size(), 1u);
  BOOST_CHECK_EQUAL(submissions[0].json, transactionBundleJson());
  BOOST_CHECK(submissions[0].options.base_endpoint);
  BOOST_CHECK(submissions[0].options.expected_type.empty());
}

BOOST_AUTO_TEST_CASE(serves_its_endpoints_under_a_configured_base_path) {
  RecordingFhirSink sink;
  ListenerConfig config = plainConfig();
  config.base_path = "/api/r4";
  auto listener = startListener(config, sink);

  HttpAnswer created = call(listener->boundPort(), post("/api/r4/Observation", patientJson()));
  HttpAnswer old_base = call(listener->boundPort(), post("/fhir/Observation", patientJson()));

  BOOST_CHECK_EQUAL(created.status, 201);
  BOOST_CHECK_EQUAL(old_base.status, 404);
  BOOST_REQUIRE_EQUAL(sink.submissions().size(), 1u);
  BOOST_CHECK_EQUAL(sink.submissions()[0].options.expected_type, "Observation");
}

BOOST_AUTO_TEST_CASE(accepts_the_plain_json_media_type_in_utf_8) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  HttpCall request = post("/fhir/Patient", patientJson());
  request.content_type = "application/json; charset=UTF-8";

  HttpAnswer answer = call(listener->boundPort(), request);

  BOOST_CHECK_EQUAL(answer.status, 201);
  BOOST_CHECK_EQUAL(sink.submissions().size(), 1u);
}

BOOST_AUTO_TEST_CASE(refuses_xml_and_other_content_types_with_415) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  HttpCall xml = post("/fhir/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"/>");
  xml.content_type = "application/fhir+xml";
  HttpCall text = post("/fhir/Patient", patientJson());
  text.content_type = "text/plain";
  HttpCall latin = post("/fhir/Patient", patientJson());
  latin.content_type = "application/fhir+json; charset=ISO-8859-1";
  HttpCall missing = post("/fhir/Patient", patientJson());
  missing.content_type.clear();

  HttpAnswer xml_answer = call(listener->boundPort(), xml);
  HttpAnswer text_answer = call(listener->boundPort(), text);
  HttpAnswer latin_answer = call(listener->boundPort(), latin);
  HttpAnswer missing_answer = call(listener->boundPort(), missing);

  BOOST_CHECK_EQUAL(xml_answer.status, 415);
  BOOST_CHECK(xml_answer.body.find("XML is not supported") != std::string::npos);
  BOOST_CHECK_EQUAL(issueCode(xml_answer.body), "not-supported");
  BOOST_CHECK_EQUAL(text_answer.status, 415);
  BOOST_CHECK_EQUAL(latin_answer.status, 415);
  BOOST_CHECK_EQUAL(missing_answer.status, 415);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_declared_body_over_max_body_bytes_with_413) {
  RecordingFhirSink sink;
  ListenerConfig config = plainConfig();
  config.max_body_bytes = 1024;
  auto listener = startListener(config, sink);

  HttpAnswer answer =
      call(listener->boundPort(), post("/fhir/Patient", patientJson() + std::string(4096, ' ')));

  BOOST_CHECK_EQUAL(answer.status, 413);
  BOOST_CHECK_EQUAL(issueCode(answer.body), "too-long");
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_chunked_body_once_it_passes_max_body_bytes) {
  RecordingFhirSink sink;
  ListenerConfig config = plainConfig();
  config.max_body_bytes = 1024;
  auto listener = startListener(config, sink);
  HttpCall request = post("/fhir/Patient", patientJson() + std::string(4096, ' '));
  request.chunked = true;

  HttpAnswer answer = call(listener->boundPort(), request);

  BOOST_CHECK_EQUAL(answer.status, 413);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(reads_a_chunked_body_within_the_limit) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  HttpCall request = post("/fhir/Patient", patientJson());
  request.chunked = true;

  HttpAnswer answer = call(listener->boundPort(), request);

  BOOST_CHECK_EQUAL(answer.status, 201);
  BOOST_REQUIRE_EQUAL(sink.submissions().size(), 1u);
  BOOST_CHECK_EQUAL(sink.submissions()[0].json, patientJson());
}

BOOST_AUTO_TEST_CASE(answers_413_without_asking_for_a_body_it_would_refuse) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);

  // Declares a gigabyte and waits for "100 Continue" before sending it: the answer must come
  // without the body ever being sent.
  std::string received = rawExchange(listener->boundPort(),
                                     "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Content-Type: application/fhir+json\r\n"
                                     "Content-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n",
                                     "}");

  BOOST_CHECK_EQUAL(received.rfind("HTTP/1.1 413", 0), 0u);
  BOOST_CHECK(received.find("100 Continue") == std::string::npos);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(asks_for_the_body_with_100_continue_when_it_will_read_it) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);

  std::string received = rawExchange(listener->boundPort(),
                                     "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Content-Type: application/fhir+json\r\n"
                                     "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n",
                                     "\r\n\r\n");

  BOOST_CHECK_EQUAL(received.rfind("HTTP/1.1 100 Continue", 0), 0u);
}

BOOST_AUTO_TEST_CASE(answers_408_and_closes_when_the_body_stalls) {
  RecordingFhirSink sink;
  ListenerConfig config = plainConfig();
  config.request_timeout = std::chrono::milliseconds(200);
  auto listener = startListener(config, sink);

  // Declares 100 bytes, sends 10, then waits: the listener must give up on its own.
  std::string received = rawExchange(listener->boundPort(),
                                     "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Content-Type: application/fhir+json\r\n"
                                     "Content-Length: 100\r\n\r\n{\"resource",
                                     "\r\n\r\n{");

  BOOST_CHECK_EQUAL(received.rfind("HTTP/1.1 408", 0), 0u);
  BOOST_CHECK(Poco::toLower(received).find("connection: close") != std::string::npos);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_body_whose_length_is_ambiguous_and_closes_the_connection) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  const std::string head =
      "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/fhir+json\r\n";
  const std::string body = patientJson();
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  // What a second request on the same connection would be, were its framing trusted.
  const std::string smuggled = "GET /fhir/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  struct Case {
    std::string headers;
    std::string status;
  };
  for (const Case& bad :
       {Case{length + "Content-Length: 5\r\n", "400"}, Case{length + length, "400"},
        Case{"Content-Length : " + std::to_string(body.size()) + "\r\n", "400"},
        Case{"Content-Length: +" + std::to_string(body.size()) + "\r\n", "400"},
        Case{length + "Transfer-Encoding : chunked\r\n", "400"},
        Case{length + "Transfer-Encoding: chunked\r\n", "400"},
        Case{"Transfer-Encoding: gzip, chunked\r\n", "501"}}) {
    std::string received =
        rawExchange(listener->boundPort(), head + bad.headers + "\r\n" + body + smuggled,
                    "(read until closed)");
    BOOST_TEST_INFO("headers: " << bad.headers);
    BOOST_CHECK_EQUAL(received.rfind("HTTP/1.1 " + bad.status, 0), 0u);
    BOOST_CHECK(Poco::toLower(received).find("connection: close") != std::string::npos);
    // Closed after the one answer: the bytes after the body were not taken for a request.
    BOOST_CHECK_EQUAL(received.find("HTTP/1.1", 1), std::string::npos);
  }
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(closes_a_connection_whose_headers_trickle_in_past_the_allowance) {
  RecordingFhirSink sink;
  ListenerConfig config = plainConfig();
  config.request_timeout = std::chrono::milliseconds(400);  // each read gets 400 ms ...
  config.idle_timeout = std::chrono::seconds(1);            // ... the whole request 1.4 s
  auto listener = startListener(config, sink);

  // A byte every 50 ms never lets one read time out: only a deadline on the whole stops it.
  auto lasted = dripUntilClosed(listener->boundPort(), "POST /fhir/Patient HTTP/1.1\r\n",
                                "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", kGuardTimeout);

  BOOST_CHECK_GE(lasted.count(), 1000);
  BOOST_CHECK_LT(lasted.count(), 4000);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(closes_a_connection_whose_body_trickles_in_past_the_request_timeout) {
  RecordingFhirSink sink;
  ListenerConfig config = plainConfig();
  config.request_timeout = std::chrono::milliseconds(600);
  auto listener = startListener(config, sink);

  auto lasted = dripUntilClosed(listener->boundPort(),
                                "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/fhir+json\r\n"
                                "Content-Length: 100000\r\n\r\n",
                                "{\"resourceType\": \"Patient\"", kGuardTimeout);

  BOOST_CHECK_GE(lasted.count(), 500);
  BOOST_CHECK_LT(lasted.count(), 3000);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_body_on_a_get_and_closes_rather_than_read_it_as_a_request) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  const std::string hidden =
      "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/fhir+json\r\nContent-Length: " +
      std::to_string(patientJson().size()) + "\r\n\r\n" + patientJson();

  std::string received =
      rawExchange(listener->boundPort(),
                  "GET /fhir/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                      std::to_string(hidden.size()) + "\r\n\r\n" + hidden,
                  "(read until closed)");

  BOOST_CHECK_EQUAL(received.rfind("HTTP/1.1 400", 0), 0u);
  BOOST_CHECK_EQUAL(received.find("HTTP/1.1", 1), std::string::npos);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(answers_paths_outside_its_endpoints_with_404) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);

  HttpAnswer elsewhere = call(listener->boundPort(), post("/other/Patient", patientJson()));
  HttpAnswer lower_case = call(listener->boundPort(), post("/fhir/patient", patientJson()));
  HttpAnswer prefix = call(listener->boundPort(), post("/fhirx/Patient", patientJson()));
  HttpAnswer instance = call(listener->boundPort(), post("/fhir/Patient/123", patientJson()));

  BOOST_CHECK_EQUAL(elsewhere.status, 404);
  BOOST_CHECK_EQUAL(issueCode(elsewhere.body), "not-found");
  BOOST_CHECK_EQUAL(lower_case.status, 404);
  BOOST_CHECK_EQUAL(prefix.status, 404);
  BOOST_CHECK_EQUAL(instance.status, 404);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(answers_other_methods_on_its_endpoints_with_405_and_allow) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  HttpCall get_type;
  get_type.method = "GET";
  get_type.path = "/fhir/Patient";
  get_type.content_type.clear();
  HttpCall post_metadata = post("/fhir/metadata", patientJson());

  HttpAnswer type_answer = call(listener->boundPort(), get_type);
  HttpAnswer metadata_answer = call(listener->boundPort(), post_metadata);

  BOOST_CHECK_EQUAL(type_answer.status, 405);
  BOOST_CHECK_EQUAL(type_answer.header("Allow"), "POST");
  BOOST_CHECK_EQUAL(metadata_answer.status, 405);
  BOOST_CHECK_EQUAL(metadata_answer.header("Allow"), "GET");
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(passes_the_engines_422_and_outcome_through) {
  RecordingFhirSink sink;
  const std::string outcome =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"value",)"
      R"("expression":["Patient.birthDate"]}]})";
  sink.answer = [&](const Submission&) {
    SubmitResult result;
    result.stored = true;
    result.message_id = "REJ1";
    result.http_status = 422;
    result.response = outcome;
    return result;
  };
  auto listener = startListener(plainConfig(), sink);

  HttpAnswer answer = call(listener->boundPort(), post("/fhir/Patient", patientJson()));

  BOOST_CHECK_EQUAL(answer.status, 422);
  BOOST_CHECK_EQUAL(answer.body, outcome);
  BOOST_CHECK_EQUAL(answer.header("X-Ferry-Message-Id"), "REJ1");
}

BOOST_AUTO_TEST_CASE(passes_the_engines_503_through_without_a_message_id) {
  RecordingFhirSink sink;
  sink.answer = [](const Submission&) {
    SubmitResult result;
    result.http_status = 503;
    result.response = R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
                      R"("code":"transient"}]})";
    return result;
  };
  auto listener = startListener(plainConfig(), sink);

  HttpAnswer answer = call(listener->boundPort(), post("/fhir/Patient", patientJson()));

  BOOST_CHECK_EQUAL(answer.status, 503);
  BOOST_CHECK_EQUAL(issueCode(answer.body), "transient");
  BOOST_CHECK(answer.header("X-Ferry-Message-Id").empty());
}

BOOST_AUTO_TEST_CASE(serves_a_capability_statement_at_metadata) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  HttpCall request;
  request.method = "GET";
  request.path = "/fhir/metadata";
  request.content_type.clear();

  HttpAnswer answer = call(listener->boundPort(), request);

  BOOST_REQUIRE_EQUAL(answer.status, 200);
  rapidjson::Document document;
  document.Parse(answer.body.c_str());
  BOOST_REQUIRE(!document.HasParseError());
  BOOST_CHECK_EQUAL(std::string(document["resourceType"].GetString()), "CapabilityStatement");
  BOOST_CHECK_EQUAL(std::string(document["fhirVersion"].GetString()), "4.0.1");
  const auto& rest = document["rest"][0];
  std::string system_interactions;
  for (const auto& interaction : rest["interaction"].GetArray()) {
    system_interactions += std::string(interaction["code"].GetString()) + " ";
  }
  BOOST_CHECK_EQUAL(system_interactions, "transaction batch ");
  bool patient_create = false;
  for (const auto& resource : rest["resource"].GetArray()) {
    patient_create =
        patient_create || (std::string(resource["type"].GetString()) == "Patient" &&
                           std::string(resource["interaction"][0]["code"].GetString()) == "create");
  }
  BOOST_CHECK(patient_create);
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(keeps_one_connection_across_requests_including_a_refused_one) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  ferry::connectors::mllp::ScopedSigpipeBlock sigpipe;
  Poco::Net::HTTPClientSession session("127.0.0.1",
                                       static_cast<Poco::UInt16>(listener->boundPort()));
  session.setKeepAlive(true);
  session.setTimeout(ferry::connectors::mllp::toTimespan(kGuardTimeout));
  auto send = [&](const std::string& content_type) {
    Poco::Net::HTTPRequest request("POST", "/fhir/Patient", "HTTP/1.1");
    request.setKeepAlive(true);
    request.setContentType(content_type);
    request.setContentLength64(static_cast<Poco::Int64>(patientJson().size()));
    session.sendRequest(request) << patientJson();
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    body.ignore(std::numeric_limits<std::streamsize>::max());
    return static_cast<int>(response.getStatus());
  };

  int first = send("application/fhir+json");
  int refused = send("application/fhir+xml");
  int third = send("application/fhir+json");

  BOOST_CHECK_EQUAL(first, 201);
  BOOST_CHECK_EQUAL(refused, 415);
  BOOST_CHECK_EQUAL(third, 201);
  auto submissions = sink.submissions();
  BOOST_REQUIRE_EQUAL(submissions.size(), 2u);
  BOOST_CHECK_EQUAL(submissions[0].context.peer, submissions[1].context.peer);
}

BOOST_AUTO_TEST_CASE(stop_lets_a_request_in_the_sink_finish_and_answers_it) {
  RecordingFhirSink sink;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  sink.on_submit = [released] { released.wait(); };
  ListenerConfig config = plainConfig();
  config.stop_grace = kGuardTimeout;
  auto listener = startListener(config, sink);
  int port = listener->boundPort();
  auto answer = std::async(std::launch::async,
                           [port] { return call(port, post("/fhir/Patient", patientJson())); });
  BOOST_REQUIRE(waitUntil([&] { return sink.submissions().size() == 1; }, kGuardTimeout));

  auto stopped = std::async(std::launch::async, [&] { listener->stop(); });
  BOOST_REQUIRE(waitUntil(
      [&] {
        try {
          Poco::Net::StreamSocket probe;
          probe.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
          return false;
        } catch (const Poco::Exception&) {
          return true;  // no longer accepting
        }
      },
      kGuardTimeout));
  release.set_value();
  stopped.get();

  BOOST_CHECK_EQUAL(answer.get().status, 201);
  BOOST_CHECK_EQUAL(listener->requestsInProgress(), 0);
}

BOOST_AUTO_TEST_CASE(logs_status_and_type_but_never_bodies_or_query_strings) {
  RecordingFhirSink sink;
  auto listener = startListener(plainConfig(), sink);
  CapturedLog log;

  call(listener->boundPort(), post("/fhir/Patient?identifier=QUERYMARKER", patientJson()));
  listener->stop();

  BOOST_CHECK(log.contains("fhir_http listener 'fhir-in': POST Patient -> 201, message MSG1"));
  BOOST_CHECK(!log.contains("QUERYMARKER"));
  BOOST_CHECK(!log.contains("TESTPATIENT"));
}

BOOST_AUTO_TEST_CASE(warns_once_at_start_that_a_plain_listener_is_insecure) {
  RecordingFhirSink sink;
  CapturedLog log;

  auto listener = startListener(plainConfig(), sink);

  int warnings = 0;
  for (const auto& [priority, line] : log.entries()) {
    if (priority == Poco::Message::PRIO_WARNING && line.find("insecure") != std::string::npos) {
      ++warnings;
      BOOST_CHECK(line.find(std::to_string(listener->boundPort())) != std::string::npos);
    }
  }
  BOOST_CHECK_EQUAL(warnings, 1);
}

BOOST_AUTO_TEST_CASE(serves_tls_to_a_client_that_trusts_the_ca) {
  RecordingFhirSink sink;
  auto listener = startListener(tlsConfig(), sink);
  HttpCall request = post("/fhir/Patient", patientJson());
  request.tls = clientContext(pki().path("ca.pem"), "localhost");

  HttpAnswer answer = call(listener->boundPort(), request);

  BOOST_CHECK_EQUAL(answer.status, 201);
  BOOST_CHECK_EQUAL(sink.submissions().size(), 1u);
  BOOST_CHECK(!listener->certificateFingerprint().empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_client_that_does_not_trust_its_certificate) {
  RecordingFhirSink sink;
  auto listener = startListener(tlsConfig(), sink);

  BOOST_CHECK(!ferry::testing::tlsHandshakeSucceeds(
      listener->boundPort(), clientContext(pki().path("other_ca.pem"), "localhost")));
  BOOST_CHECK(ferry::testing::tlsHandshakeSucceeds(
      listener->boundPort(), clientContext(pki().path("ca.pem"), "localhost")));
}

BOOST_AUTO_TEST_CASE(refuses_a_tls_1_1_client) {
  if (!ferry::testing::tls11WorksAgainstPermissiveServer()) {
    BOOST_TEST_MESSAGE("skipped: this OpenSSL build cannot negotiate TLS 1.1 at all");
    return;
  }
  RecordingFhirSink sink;
  auto listener = startListener(tlsConfig(), sink);

  BOOST_CHECK(!ferry::testing::tlsHandshakeSucceeds(listener->boundPort(),
                                                    ferry::testing::tls11ClientContext()));
  BOOST_CHECK(sink.submissions().empty());
}

BOOST_AUTO_TEST_CASE(makes_a_development_certificate_when_none_is_configured_and_reuses_it) {
  TempDir dir;
  RecordingFhirSink sink;
  ListenerConfig config;
  config.name = "fhir-dev";
  config.tls.dev_directory = (dir.path() / "tls").string();
  CapturedLog log;

  auto first = startListener(config, sink);
  std::string fingerprint = first->certificateFingerprint();
  std::string certificate = first->certificatePath();
  HttpCall request = post("/fhir/Patient", patientJson());
  request.tls = clientContext(certificate, "localhost");
  HttpAnswer answer = call(first->boundPort(), request);
  first->stop();
  auto second = startListener(config, sink);

  BOOST_CHECK_EQUAL(answer.status, 201);
  BOOST_CHECK_EQUAL(fingerprint.size(), 95u);  // 32 bytes as "AB:" groups
  BOOST_CHECK_EQUAL(second->certificateFingerprint(), fingerprint);
  BOOST_CHECK(log.contains(certificate));
  BOOST_CHECK(log.contains(fingerprint));
  struct stat info {};
  BOOST_REQUIRE_EQUAL(::stat((dir.path() / "tls" / "fhir-dev-key.pem").c_str(), &info), 0);
  BOOST_CHECK_EQUAL(info.st_mode & 0777, 0600u);
}

BOOST_AUTO_TEST_CASE(reports_connection_error_when_the_port_is_taken) {
  RecordingFhirSink sink;
  auto first = startListener(plainConfig(), sink);
  ListenerConfig config = plainConfig();
  config.port = first->boundPort();
  FhirHttpListener second(config, sink);

  auto status = second.start();

  BOOST_CHECK(status.code() == ferry::engine::ErrorCode::ConnectionError);
}

BOOST_AUTO_TEST_SUITE_END()
