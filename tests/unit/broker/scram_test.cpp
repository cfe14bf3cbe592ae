// SASL PLAIN and SCRAM server mechanisms (broker/security/scram.h), checked
// against RFC 7677's SCRAM-SHA-256 example and a client computed here.
#include "broker/security/scram.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

using namespace sluice::broker::security;
using status = sasl_step::status;

namespace {

// The client side of SCRAM, written from RFC 5802 for the tests.
struct scram_client {
    scram_hash h;
    std::string user, password, nonce;
    std::string first_bare, auth_message, salted;

    std::string first() {
        first_bare = "n=" + user + ",r=" + nonce;
        return "n,," + first_bare;
    }
    bool double_nonce = false;  // librdkafka 2.0: r=<client nonce><full nonce>

    std::string final(const std::string& server_first, bool tamper = false) {
        // r=...,s=...,i=...
        auto r = server_first.substr(2, server_first.find(",s=") - 2);
        auto s_at = server_first.find(",s=") + 3;
        auto salt = *base64_decode(server_first.substr(s_at, server_first.find(",i=") - s_at));
        int iterations = std::stoi(server_first.substr(server_first.find(",i=") + 3));
        salted = pbkdf2(h, password, salt, iterations);
        std::string without_proof = "c=biws,r=" + (double_nonce ? nonce : "") + r;
        auth_message = first_bare + "," + server_first + "," + without_proof;
        auto client_key = hmac(h, salted, "Client Key");
        auto signature = hmac(h, hash(h, client_key), auth_message);
        std::string proof(client_key.size(), '\0');
        for (size_t i = 0; i < proof.size(); ++i) proof[i] = char(client_key[i] ^ signature[i]);
        if (tamper) proof[0] = char(proof[0] ^ 1);
        return without_proof + ",p=" + base64_encode(proof);
    }
    std::string expected_server_final() const {
        return "v=" + base64_encode(hmac(h, hmac(h, salted, "Server Key"), auth_message));
    }
};

std::string plain(std::string authzid, std::string user, std::string password) {
    return authzid + std::string(1, '\0') + user + std::string(1, '\0') + password;
}

}  // namespace

TEST_CASE("base64 round trips and rejects junk") {
    for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
                          std::string("abcd"), std::string("\0\xff\x10", 3)})
        CHECK(base64_decode(base64_encode(s)) == s);
    CHECK(base64_encode("n,,") == "biws");
    CHECK_FALSE(base64_decode("abc").has_value());
    CHECK_FALSE(base64_decode("ab!=").has_value());
    CHECK_FALSE(base64_decode("A=AA").has_value());  // '=' only as trailing padding
    CHECK_FALSE(base64_decode("AB=C").has_value());
    CHECK_FALSE(base64_decode("A===").has_value());
    CHECK(base64_decode("QQ==") == "A");
    CHECK(base64_decode("QUI=") == "AB");
}

TEST_CASE("SCRAM-SHA-256 matches RFC 7677's example exchange") {
    credential_store users;
    users.set_credential("user", scram_hash::sha256,
                         make_scram_credential(scram_hash::sha256, "pencil",
                                               *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096));
    auto server = make_sasl_server("SCRAM-SHA-256", users,
                                   [] { return std::string("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"); });
    REQUIRE(server);
    auto s1 = server->step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    REQUIRE(s1.state == status::more);
    CHECK(s1.response ==
          "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    auto s2 = server->step(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    REQUIRE(s2.state == status::success);
    CHECK(s2.response == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    CHECK(s2.user == "user");
}

TEST_CASE("SCRAM with both hashes: right password succeeds, wrong one and tampering fail") {
    credential_store users;
    users.add("alice", "alice-secret");
    for (auto [name, h] : {std::pair{"SCRAM-SHA-256", scram_hash::sha256},
                           std::pair{"SCRAM-SHA-512", scram_hash::sha512}}) {
        SECTION(std::string(name) + " success") {
            scram_client c{h, "alice", "alice-secret", "clientnonce1"};
            auto server = make_sasl_server(name, users);
            auto s1 = server->step(c.first());
            REQUIRE(s1.state == status::more);
            CHECK(s1.response.rfind("r=clientnonce1", 0) == 0);
            auto s2 = server->step(c.final(s1.response));
            REQUIRE(s2.state == status::success);
            CHECK(s2.response == c.expected_server_final());
        }
        SECTION(std::string(name) + " wrong password") {
            scram_client c{h, "alice", "wrong", "n2"};
            auto server = make_sasl_server(name, users);
            auto s2 = server->step(c.final(server->step(c.first()).response));
            CHECK(s2.state == status::failure);
            CHECK(s2.error.find("invalid credentials with SASL mechanism " + std::string(name)) !=
                  std::string::npos);
            CHECK(s2.error.find("wrong") == std::string::npos);
        }
        SECTION(std::string(name) + " tampered proof") {
            scram_client c{h, "alice", "alice-secret", "n3"};
            auto server = make_sasl_server(name, users);
            auto s2 = server->step(c.final(server->step(c.first()).response, true));
            CHECK(s2.state == status::failure);
        }
        SECTION(std::string(name) + " unknown user fails only at the proof") {
            scram_client c{h, "mallory", "x", "n4"};
            auto server = make_sasl_server(name, users);
            auto s1 = server->step(c.first());
            REQUIRE(s1.state == status::more);  // no hint that the user does not exist
            auto s2 = server->step(c.final(s1.response));
            CHECK(s2.state == status::failure);
            CHECK(s2.user == "mallory");
        }
    }
}

TEST_CASE("SCRAM rejects malformed and mismatched messages") {
    credential_store users;
    users.add("alice", "pw");
    auto first_ok = [&](const std::string& msg) {
        return make_sasl_server("SCRAM-SHA-256", users)->step(msg).state;
    };
    CHECK(first_ok("n,,n=alice,r=abc") == status::more);
    CHECK(first_ok("n,a=alice,n=alice,r=abc") == status::more);
    CHECK(first_ok("n,a=bob,n=alice,r=abc") == status::failure);  // authzid != user
    CHECK(first_ok("p=tls-unique,,n=alice,r=abc") == status::failure);
    CHECK(first_ok("n,,r=abc") == status::failure);
    CHECK(first_ok("n,,n=alice") == status::failure);
    CHECK(first_ok("n,,n=al=41ice,r=abc") == status::failure);  // bad saslname escape
    CHECK(first_ok("n,,n=alice,r=abc,m=ext") == status::failure);
    CHECK(first_ok("") == status::failure);

    scram_client c{scram_hash::sha256, "alice", "pw", "nn"};
    auto server = make_sasl_server("SCRAM-SHA-256", users);
    auto s1 = server->step(c.first());
    auto final = c.final(s1.response);
    SECTION("nonce mismatch") {
        auto bad = final;
        bad.replace(bad.find("r=nn") + 4, 2, "xx");  // the server's part changed
        CHECK(server->step(bad).state == status::failure);
    }
    SECTION("librdkafka 2.0's doubled client nonce is accepted, as Kafka does") {
        scram_client c2{scram_hash::sha256, "alice", "pw", "nn"};
        c2.double_nonce = true;
        auto server2 = make_sasl_server("SCRAM-SHA-256", users);
        auto s2 = server2->step(c2.final(server2->step(c2.first()).response));
        CHECK(s2.state == status::success);
        CHECK(s2.response == c2.expected_server_final());
    }
    SECTION("channel binding mismatch") {
        auto bad = final;
        bad.replace(0, 6, "c=eSws");  // "y,,"
        CHECK(server->step(bad).state == status::failure);
    }
    SECTION("no proof") {
        CHECK(server->step(final.substr(0, final.find(",p="))).state == status::failure);
    }
    SECTION("a third message") {
        REQUIRE(server->step(final).state == status::success);
        CHECK(server->step("again").state == status::failure);
    }
}

TEST_CASE("saslname escapes: a user with ',' and '='") {
    credential_store users;
    users.add("a,b=c", "pw");
    scram_client c{scram_hash::sha512, "a=2Cb=3Dc", "pw", "n"};
    auto server = make_sasl_server("SCRAM-SHA-512", users);
    auto s1 = server->step(c.first());
    REQUIRE(s1.state == status::more);
    auto s2 = server->step(c.final(s1.response));
    CHECK(s2.state == status::success);
    CHECK(s2.user == "a,b=c");
}

TEST_CASE("PLAIN") {
    credential_store users;
    users.add("alice", "alice-secret");
    auto run = [&](const std::string& token) {
        return make_sasl_server("PLAIN", users)->step(token);
    };
    CHECK(run(plain("", "alice", "alice-secret")).state == status::success);
    CHECK(run(plain("alice", "alice", "alice-secret")).state == status::success);  // kafka-python
    CHECK(run(plain("bob", "alice", "alice-secret")).state == status::failure);
    auto wrong = run(plain("", "alice", "nope"));
    CHECK(wrong.state == status::failure);
    CHECK(wrong.error == "Authentication failed: Invalid username or password");
    CHECK(run(plain("", "nobody", "alice-secret")).state == status::failure);
    CHECK(run("alice").state == status::failure);
    CHECK(run(plain("", "", "x")).state == status::failure);
    CHECK(make_sasl_server("GSSAPI", users) == nullptr);
}

TEST_CASE("users file: loads a map, names the file and line on errors, never the password") {
    std::random_device rd;
    auto path = std::filesystem::temp_directory_path() / ("sluice-users-" + std::to_string(rd()));
    auto write = [&](const std::string& text) { std::ofstream(path, std::ios::trunc) << text; };
    write("alice: alice-secret\nbob: \"b0b:with;odd,chars\"\n");
    auto store = credential_store::load_file(path.string());
    CHECK(store.size() == 2);
    CHECK(store.check_password("bob", "b0b:with;odd,chars"));
    CHECK_FALSE(store.check_password("bob", "b0b"));

    write("alice: [hunter2]\n");
    try {
        credential_store::load_file(path.string());
        FAIL("accepted a list as a password");
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        CHECK(what.find(path.string() + ":1") != std::string::npos);
        CHECK(what.find("hunter2") == std::string::npos);
    }
    write("- alice\n");
    CHECK_THROWS_AS(credential_store::load_file(path.string()), std::runtime_error);
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(credential_store::load_file(path.string()), Catch::Contains("cannot read"));
}
