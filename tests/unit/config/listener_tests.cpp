#include "config_test_util.h"

#include <catch2/catch.hpp>

using namespace sluice::config;
using namespace sluice::config::test;
using Catch::Matchers::Contains;

TEST_CASE("listeners: names, hosts and ports", "[config][listener]") {
    auto ls = parse_listeners(
        "PLAINTEXT://localhost:9092, ssl://10.0.0.1:9093,SASL_SSL://kafka-1.example.com:0");
    REQUIRE(ls.size() == 3);
    CHECK(ls[0] == listener{"PLAINTEXT", "localhost", 9092, ""});
    CHECK(ls[1] == listener{"SSL", "10.0.0.1", 9093, ""});  // names are upper-cased
    CHECK(ls[2] == listener{"SASL_SSL", "kafka-1.example.com", 0, ""});
    CHECK(parse_listeners("").empty());
}

TEST_CASE("listeners: empty host means every interface", "[config][listener]") {
    auto ls = parse_listeners("PLAINTEXT://:9092");
    REQUIRE(ls.size() == 1);
    CHECK(ls[0].host.empty());
    CHECK(ls[0].port == 9092);
    CHECK(to_string(ls[0]) == "PLAINTEXT://:9092");
}

TEST_CASE("listeners: IPv6 in brackets", "[config][listener]") {
    auto ls =
        parse_listeners("PLAINTEXT://[::1]:9092,EXTERNAL://[::]:9094,LINK://[fe80::1%eth0]:9095");
    REQUIRE(ls.size() == 3);
    CHECK(ls[0].host == "::1");
    CHECK(ls[0].port == 9092);
    CHECK(ls[1].host == "::");
    CHECK(ls[2].host == "fe80::1%eth0");
    CHECK(to_string(ls[0]) == "PLAINTEXT://[::1]:9092");
    CHECK(format_host_port("2001:db8::2", 80) == "[2001:db8::2]:80");
    CHECK(format_host_port("example.com", 80) == "example.com:80");
}

TEST_CASE("listeners: invalid forms name the key and the problem", "[config][listener]") {
    auto err = [](std::string_view v, std::string_view key = "listeners") {
        return error_of([&] { parse_listeners(v, key); });
    };
    CHECK_THAT(err("localhost:9092"), Contains("is not of the form NAME://host:port"));
    CHECK_THAT(err("PLAINTEXT://localhost"), Contains("has no port"));
    CHECK_THAT(err("PLAINTEXT://localhost:"), Contains("has no port"));
    CHECK_THAT(err("PLAINTEXT://localhost:http"), Contains("has an invalid port"));
    CHECK_THAT(err("PLAINTEXT://localhost:70000"), Contains("outside 0-65535"));
    CHECK_THAT(err("PLAINTEXT://::1:9092"), Contains("without brackets"));
    CHECK_THAT(err("PLAINTEXT://[::1:9092"), Contains("unclosed '['"));
    CHECK_THAT(err("PLAINTEXT://[::1]9092"), Contains("has no port"));
    CHECK_THAT(err("PLAINTEXT://[nothex]:9092"), Contains("invalid IPv6 address"));
    CHECK_THAT(err("PLAIN TEXT://h:1"), Contains("invalid listener name"));
    CHECK_THAT(err("://h:1"), Contains("invalid listener name"));
    CHECK_THAT(err("PLAINTEXT://h:1,plaintext://h:2"), Contains("\"PLAINTEXT\" appears twice"));
    CHECK_THAT(err("A://h:1,B://h:1"), Contains("\"h:1\" is used by two listeners"));
    CHECK_THAT(err("PLAINTEXT://h:1,,B://h:2"), Contains("empty"));
    CHECK_THAT(err("PLAINTEXT://bad/host:1"), Contains("invalid host name"));
    // Port 0 may repeat: each gets its own free port.
    CHECK(parse_listeners("A://h:0,B://h:0").size() == 2);

    auto e = err("PLAINTEXT://localhost", "advertised.listeners");
    CHECK_THAT(e, Contains("advertised.listeners: \"PLAINTEXT://localhost\" is not valid"));
    CHECK_THAT(e, Contains("expected a comma-separated list of NAME://host:port"));
    try {
        parse_listeners("x", "listeners");
        FAIL("no error");
    } catch (const config_error& ex) {
        CHECK(ex.key() == "listeners");
    }
}

TEST_CASE("endpoints, voters and the security protocol map", "[config][listener]") {
    auto eps = parse_endpoints("127.0.0.1:9644,[::1]:9645,:9646");
    REQUIRE(eps.size() == 3);
    CHECK(eps[0] == endpoint{"127.0.0.1", 9644});
    CHECK(eps[1] == endpoint{"::1", 9645});
    CHECK(eps[2] == endpoint{"", 9646});
    CHECK_THAT(error_of([] { parse_endpoints("http://x:1"); }), Contains("without a scheme"));

    auto voters = parse_quorum_voters("1@a:9093, 2@[::1]:9093");
    REQUIRE(voters.size() == 2);
    CHECK(voters[1] == quorum_voter{2, "::1", 9093});
    CHECK_THAT(error_of([] { parse_quorum_voters("a:9093"); }), Contains("id@host:port"));
    CHECK_THAT(error_of([] { parse_quorum_voters("x@a:9093"); }), Contains("invalid node id"));
    CHECK_THAT(error_of([] { parse_quorum_voters("1@:9093"); }), Contains("has no host"));
    CHECK_THAT(error_of([] { parse_quorum_voters("1@a:1,1@b:1"); }),
               Contains("node id 1 appears twice"));

    auto map = parse_security_protocol_map("internal:plaintext, EXTERNAL:SASL_SSL");
    CHECK(map.at("INTERNAL") == "PLAINTEXT");
    CHECK(map.at("EXTERNAL") == "SASL_SSL");
    CHECK_THAT(error_of([] { parse_security_protocol_map("A:TLS"); }),
               Contains("unknown security protocol"));
    CHECK_THAT(error_of([] { parse_security_protocol_map("A"); }), Contains("NAME:PROTOCOL"));
}
