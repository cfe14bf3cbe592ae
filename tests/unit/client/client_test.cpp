// Pure parts of the client: bootstrap parsing, version choice, partitioning,
// batch building and decoding, request framing, consumer assignments; and the
// connection's failure paths against real local sockets.

#include "client/admin.h"
#include "client/cluster.h"
#include "client/connection.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "protocol/header.h"
#include "protocol/murmur2.h"
#include "protocol/record_batch.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>

using namespace sluice::client;
using namespace sluice::protocol;

namespace {

bytes b(std::string_view s) { return bytes(s.begin(), s.end()); }
std::string s(const std::optional<bytes>& v) {
    return v ? std::string(v->begin(), v->end()) : "<null>";
}

// A listening socket on 127.0.0.1:<ephemeral>; closed by the destructor.
struct listener {
    int fd = -1;
    int port = 0;
    listener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 8) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~listener() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

TEST_CASE("parse_bootstrap splits host:port lists", "[client][bootstrap]") {
    auto v = parse_bootstrap("a.example:9093, b:1 ,c");
    REQUIRE(v.size() == 3);
    CHECK(v[0] == address{"a.example", 9093});
    CHECK(v[1] == address{"b", 1});
    CHECK(v[2] == address{"c", 9092});
    CHECK(parse_bootstrap("[::1]:9094")[0] == address{"::1", 9094});
    CHECK(parse_bootstrap("PLAINTEXT://h:7")[0] == address{"h", 7});
    CHECK(parse_bootstrap("h:1,h:1,,").size() == 1);
    CHECK(address{"::1", 5}.str() == "[::1]:5");
}

TEST_CASE("parse_bootstrap rejects bad entries by name", "[client][bootstrap]") {
    CHECK_THROWS_WITH(parse_bootstrap(""), Catch::Contains("no bootstrap servers"));
    CHECK_THROWS_WITH(parse_bootstrap(" , "), Catch::Contains("no bootstrap servers"));
    CHECK_THROWS_WITH(parse_bootstrap("h:abc"), Catch::Contains("'h:abc'"));
    CHECK_THROWS_WITH(parse_bootstrap("h:0"), Catch::Contains("1-65535"));
    CHECK_THROWS_WITH(parse_bootstrap("h:70000"), Catch::Contains("1-65535"));
    CHECK_THROWS_WITH(parse_bootstrap("h:"), Catch::Contains("'h:'"));
    CHECK_THROWS_WITH(parse_bootstrap(":9092"), Catch::Contains("empty host"));
    CHECK_THROWS_WITH(parse_bootstrap("::1:9092"), Catch::Contains("[addr]:port"));
    CHECK_THROWS_WITH(parse_bootstrap("[::1"), Catch::Contains("missing ']'"));
}

TEST_CASE("pick_version takes the highest version both sides support", "[client][versions]") {
    CHECK(pick_version({0, 9}, api_range{0, 11}) == 9);
    CHECK(pick_version({0, 12}, api_range{3, 7}) == 7);
    CHECK(pick_version({3, 9}, api_range{0, 3}) == 3);
    CHECK_FALSE(pick_version({0, 2}, api_range{3, 9}).has_value());
    CHECK_FALSE(pick_version({5, 9}, api_range{0, 4}).has_value());
    CHECK_FALSE(pick_version({0, 9}, std::nullopt).has_value());
    CHECK_FALSE(pick_version({0, 9}, api_range{4, 2}).has_value());  // broken advert
}

TEST_CASE("choose_partition: explicit, murmur2 of the key, sticky for null keys",
          "[client][partitioner]") {
    produce_record r;
    r.partition = 2;
    CHECK(choose_partition(r, 3, 0) == 2);
    r.partition = 3;
    CHECK_THROWS_AS(choose_partition(r, 3, 0), kafka_error);
    r.partition.reset();

    // Java's Utils.murmur2 of these keys (Kafka's UtilsTest) and toPositive(h) % n.
    const std::pair<const char*, int32_t> known[] = {{"21", -973932308},
                                                     {"foobar", -790332482},
                                                     {"abc", 479470107},
                                                     {"a-little-bit-long-string", -985981536}};
    for (auto& [key, hash] : known)
        for (int32_t n : {1, 2, 3, 7, 12}) {
            r.key = b(key);
            INFO(key << " over " << n << " partitions");
            CHECK(choose_partition(r, n, 5) == (hash & 0x7fffffff) % n);
        }

    r.key.reset();  // null key: the sticky partition, kept in range
    CHECK(choose_partition(r, 4, 1) == 1);
    CHECK(choose_partition(r, 4, 6) == 2);
    r.key = bytes{};  // an empty key is a key, not a null one
    CHECK(choose_partition(r, 4, 1) == (275646681 & 0x7fffffff) % 4);
    CHECK_THROWS_AS(choose_partition(r, 0, 0), client_error);
}

TEST_CASE("group_by_partition keeps order within a partition and stamps timestamps",
          "[client][producer]") {
    std::vector<produce_record> recs;
    for (int i = 0; i < 20; ++i) {
        produce_record r;
        if (i % 4) r.key = b("k" + std::to_string(i % 5));
        r.value = b("v" + std::to_string(i));
        if (i == 3) r.timestamp = 42;
        recs.push_back(r);
    }
    auto groups = group_by_partition(recs, 3, 1, 1000);
    size_t total = 0;
    std::map<std::string, int32_t> key_partition;
    for (auto& [p, list] : groups) {
        int last = -1;
        for (auto& rec : list) {
            int i = std::stoi(s(rec.value).substr(1));
            CHECK(i > last);
            last = i;
            CHECK(rec.timestamp == (i == 3 ? 42 : 1000));
            if (rec.key) {
                CHECK(p == default_partition(*rec.key, 3));
                key_partition[s(rec.key)] = p;
            } else {
                CHECK(p == 1);  // every null-key record on the sticky partition
            }
        }
        total += list.size();
    }
    CHECK(total == recs.size());
}

TEST_CASE("batches the producer builds decode back, for every codec", "[client][producer]") {
    auto codec = GENERATE(compression::none, compression::gzip, compression::snappy,
                          compression::lz4, compression::zstd);
    INFO("codec " << compression_name(codec));
    std::vector<produce_record> recs;
    for (int i = 0; i < 10; ++i) {
        produce_record r;
        r.key = b("key" + std::to_string(i));
        if (i != 4) r.value = b(std::string(100, char('a' + i)));  // record 4: null value
        r.headers = {{"h", b("x" + std::to_string(i))}, {"n", std::nullopt}};
        r.timestamp = 1000 + i;
        r.partition = 0;
        recs.push_back(r);
    }
    auto groups = group_by_partition(recs, 1, 0, 0);
    REQUIRE(groups.size() == 1);
    batch_options bo;
    bo.codec = codec;
    bytes batch = build_batch(groups[0], bo);
    auto h = parse_batch_header(batch);
    CHECK(h.codec() == codec);
    CHECK(h.record_count == 10);
    CHECK(batch_crc_ok(batch));
    set_base_offset(batch.data(), 100);  // as a broker assigns it

    std::vector<consumed_record> out;
    CHECK(decode_records("t", 0, batch, 100, out) == 110);
    REQUIRE(out.size() == 10);
    for (int i = 0; i < 10; ++i) {
        CHECK(out[i].offset == 100 + i);
        CHECK(out[i].timestamp == 1000 + i);
        CHECK(s(out[i].key) == "key" + std::to_string(i));
        CHECK(s(out[i].value) == (i == 4 ? "<null>" : std::string(100, char('a' + i))));
        REQUIRE(out[i].headers.size() == 2);
        CHECK(out[i].headers[0].first == "h");
        CHECK(s(out[i].headers[0].second) == "x" + std::to_string(i));
        CHECK_FALSE(out[i].headers[1].second.has_value());
    }

    // Reading from the middle of a (possibly compressed) batch skips what is before.
    out.clear();
    CHECK(decode_records("t", 0, batch, 107, out) == 110);
    REQUIRE(out.size() == 3);
    CHECK(out[0].offset == 107);
}

TEST_CASE("decode_records stops at a truncated batch and skips control batches",
          "[client][consumer]") {
    std::vector<record> one{{b("k"), b("v"), {}, 5}};
    bytes first = build_batch(one);
    set_base_offset(first.data(), 0);
    batch_options control;
    control.control = true;
    control.base_offset = 1;
    bytes marker = build_batch({{b("\0\0\0\0"), b("\0\0\0\0\0\0"), {}, 5}}, control);
    bytes third = build_batch(one);
    set_base_offset(third.data(), 2);

    bytes data = first;
    data.insert(data.end(), marker.begin(), marker.end());
    data.insert(data.end(), third.begin(), third.end());

    std::vector<consumed_record> out;
    CHECK(decode_records("t", 0, data, 0, out) == 3);
    REQUIRE(out.size() == 2);  // the control record is not returned
    CHECK(out[0].offset == 0);
    CHECK(out[1].offset == 2);

    // The last batch cut short (a fetch size limit): read up to it, fetch it again.
    out.clear();
    byte_view cut(data.data(), data.size() - 5);
    CHECK(decode_records("t", 0, cut, 0, out) == 2);
    CHECK(out.size() == 1);

    // A corrupted batch is an error, not silently skipped.
    bytes bad = first;
    bad.back() ^= 0xff;
    out.clear();
    CHECK_THROWS_WITH(decode_records("t", 3, bad, 0, out), Catch::Contains("CRC mismatch"));
}

TEST_CASE("frame_request writes size, header v1/v2 and body", "[client][framing]") {
    metadata_request req;
    metadata_request::topic t;
    t.name = "orders";
    req.topics = std::vector<metadata_request::topic>{t};
    for (int16_t v : {int16_t(4), int16_t(9), int16_t(12)}) {
        bool flexible = is_flexible<metadata_request>(v);
        bytes frame = frame_request(metadata_request::api_key, v, flexible, 77, "cli",
                                    encode_to_bytes(req, v));
        reader r(frame);
        CHECK(size_t(r.i32()) == frame.size() - 4);
        auto h = read_request_header(r, flexible);
        CHECK(h.api_key == 3);
        CHECK(h.api_version == v);
        CHECK(h.correlation_id == 77);
        CHECK(h.client_id == "cli");
        auto back = decode<metadata_request>(r, v);
        CHECK(r.empty());
        REQUIRE(back.topics);
        CHECK(back.topics->at(0).name == "orders");
    }
}

TEST_CASE("decode_consumer_assignment reads the consumer protocol", "[client][groups]") {
    writer w;
    w.i16(0);
    w.i32(2);
    for (auto [name, parts] :
         {std::pair{"b", std::vector<int32_t>{1, 0}}, std::pair{"a", std::vector<int32_t>{3}}}) {
        w.i16(int16_t(std::strlen(name)));
        w.raw(name, std::strlen(name));
        w.i32(int32_t(parts.size()));
        for (auto p : parts) w.i32(p);
    }
    w.i32(-1);  // user data: null
    auto got = decode_consumer_assignment(w.buffer());
    std::vector<topic_partition> want{{"a", 3}, {"b", 0}, {"b", 1}};
    CHECK(got == want);
    CHECK(decode_consumer_assignment({}).empty());
    CHECK(decode_consumer_assignment({0, 0, 0, 0, 0, 9}).empty());  // truncated
}

TEST_CASE("connecting to a closed port fails at once, naming the address", "[client][connection]") {
    int port;
    {
        listener l;  // reserve an ephemeral port, then close it
        port = l.port;
    }
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(
        connection(address{"127.0.0.1", port}),
        Catch::Contains("127.0.0.1:" + std::to_string(port)) && Catch::Contains("refused"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

    cluster c("127.0.0.1:" + std::to_string(port) + ",127.0.0.1:" + std::to_string(port + 0));
    CHECK_THROWS_AS(c.refresh(std::nullopt), network_error);
}

TEST_CASE("a broker that accepts but never answers times out, naming API and address",
          "[client][connection]") {
    listener l;  // the kernel completes the handshake; nobody ever reads or answers
    connection_options o;
    o.request_timeout_ms = 200;
    auto start = std::chrono::steady_clock::now();
    try {
        connection c(address{"127.0.0.1", l.port}, o);
        FAIL("connected to a silent peer");
    } catch (const timeout_error& e) {
        std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("ApiVersions") &&
                             Catch::Contains("127.0.0.1:" + std::to_string(l.port)) &&
                             Catch::Contains("200 ms"));
    }
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= std::chrono::milliseconds(190));
    CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("a peer that closes mid-response is a short read, not a hang", "[client][connection]") {
    listener l;
    std::thread peer([&] {
        int fd = ::accept(l.fd, nullptr, nullptr);
        if (fd < 0) return;
        uint8_t buf[512];
        (void)::recv(fd, buf, sizeof buf, 0);            // the ApiVersions request
        const uint8_t partial[] = {0, 0, 0, 100, 0, 0};  // says 100 bytes, sends 2
        (void)::send(fd, partial, sizeof partial, MSG_NOSIGNAL);
        ::close(fd);
    });
    CHECK_THROWS_WITH(
        connection(address{"127.0.0.1", l.port}),
        Catch::Contains("closed the connection") && Catch::Contains("read 2 of 100 bytes"));
    peer.join();
}
