// sluice: the command-line tool (topics, produce, consume, groups, cluster).
// Errors print one line "sluice: ..." on stderr and exit 1; usage errors exit 2.

#include "client/admin.h"
#include "client/cluster.h"
#include "client/consumer.h"
#include "client/producer.h"

#include <poll.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace {

using namespace sluice::client;
using sluice::protocol::bytes;

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

std::string join(const std::vector<int32_t>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
    return out;
}

// Kafka prints topic ids as URL-safe base64 without padding.
std::string topic_id_text(const sluice::protocol::uuid& id) {
    static const char* alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    const auto& b = id.bytes;
    size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        uint32_t n = uint32_t(b[i]) << 16 | uint32_t(b[i + 1]) << 8 | b[i + 2];
        for (int s = 18; s >= 0; s -= 6) out += alphabet[(n >> s) & 63];
    }
    if (i < b.size()) {  // 16 bytes: one left over
        uint32_t n = uint32_t(b[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
    }
    return out;
}

// Prints rows as left-aligned columns separated by two spaces.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width;
    for (auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    for (auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

// ---------------------------------------------------------------- topics
void topic_list(cluster& c, bool internal) {
    admin a(c);
    for (auto& t : a.list_topics(internal)) std::cout << t << "\n";
}

void topic_describe(cluster& c, const std::string& name) {
    admin a(c);
    auto t = a.describe_topic(name);
    std::string configs;
    try {
        for (auto& e : a.describe_topic_configs(name)) {
            // Topic-level overrides only (source DYNAMIC_TOPIC_CONFIG), as kafka-topics.
            if (e.source != 1 && !(e.source < 0 && !e.is_default)) continue;
            if (!configs.empty()) configs += ",";
            configs += e.name + "=" + (e.sensitive ? "<sensitive>" : e.value.value_or("null"));
        }
    } catch (const kafka_error&) {
        configs = "?";
    }
    size_t rf = t.partitions.empty() ? 0 : t.partitions[0].replicas.size();
    std::cout << "Topic: " << t.name << "\tTopicId: " << topic_id_text(t.id)
              << "\tPartitionCount: " << t.partitions.size() << "\tReplicationFactor: " << rf
              << "\tConfigs: " << configs << "\n";
    for (auto& p : t.partitions) {
        std::cout << "\tTopic: " << t.name << "\tPartition: " << p.id
                  << "\tLeader: " << (p.leader < 0 ? std::string("none") : std::to_string(p.leader))
                  << "\tReplicas: " << join(p.replicas) << "\tIsr: " << join(p.isr);
        if (!p.offline.empty()) std::cout << "\tOffline: " << join(p.offline);
        if (p.error) std::cout << "\tError: " << describe_error(p.error);
        std::cout << "\n";
    }
}

void topic_create(cluster& c, const std::string& name, int32_t partitions, int16_t rf,
                  const std::vector<std::string>& configs) {
    new_topic t;
    t.name = name;
    t.partitions = partitions;
    t.replication_factor = rf;
    for (auto& kv : configs) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw usage_error("config '" + kv + "' is not key=value");
        t.configs[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    admin(c).create_topic(t);
    std::cerr << "created topic " << name << "\n";
}

// ---------------------------------------------------------------- produce
struct produce_args {
    std::string topic;
    std::string key_separator;
    bool keyed = false;
    int32_t partition = -1;
    std::string acks = "all";
    std::string compression = "none";
};

int16_t parse_acks(const std::string& s) {
    if (s == "all" || s == "-1") return -1;
    if (s == "0") return 0;
    if (s == "1") return 1;
    throw usage_error("--acks must be 0, 1 or all, not '" + s + "'");
}

void produce(cluster& c, const produce_args& a) {
    producer_options po;
    po.acks = parse_acks(a.acks);
    if (!sluice::protocol::parse_compression(a.compression, po.codec))
        throw usage_error("--compression must be none, gzip, snappy, lz4 or zstd, not '" +
                          a.compression + "'");
    if (a.keyed && a.key_separator.empty()) throw usage_error("--key-separator is empty");
    producer p(c, po);

    std::vector<produce_record> pending;
    size_t lines = 0, records = 0, batches = 0;
    auto flush = [&] {
        if (pending.empty()) return;
        auto res = p.send(a.topic, pending);
        records += pending.size();
        batches += res.size();
        pending.clear();
    };
    auto add_line = [&](std::string line) {
        ++lines;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        produce_record r;
        if (a.keyed) {
            auto at = line.find(a.key_separator);
            if (at == std::string::npos)
                throw client_error("line " + std::to_string(lines) + " has no key separator '" +
                                   a.key_separator + "'");
            r.key = to_bytes(std::string_view(line).substr(0, at));
            r.value = to_bytes(std::string_view(line).substr(at + a.key_separator.size()));
        } else {
            r.value = to_bytes(line);
        }
        if (a.partition >= 0) r.partition = a.partition;
        pending.push_back(std::move(r));
    };

    // Read stdin in chunks; send what we have whenever no more input is ready at
    // once (interactive use) or 1000 records are waiting.
    std::string buffer;
    char chunk[65536];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw client_error(std::string("cannot read stdin: ") + std::strerror(errno));
        }
        if (n == 0) break;
        buffer.append(chunk, size_t(n));
        size_t start = 0;
        for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
            add_line(buffer.substr(start, nl - start));
            if (pending.size() >= 1000) flush();
        }
        buffer.erase(0, start);
        pollfd pf{STDIN_FILENO, POLLIN, 0};
        if (::poll(&pf, 1, 0) == 0) flush();
    }
    if (!buffer.empty()) add_line(buffer);
    flush();
    std::cerr << "produced " << records << " record" << (records == 1 ? "" : "s") << " to "
              << a.topic << " in " << batches << " batch" << (batches == 1 ? "" : "es") << "\n";
}

// ---------------------------------------------------------------- consume
struct consume_args {
    std::string topic;
    bool from_beginning = false;
    int64_t offset = -1;
    int32_t partition = -1;
    int64_t max_messages = -1;
    int64_t timeout_ms = -1;
    bool print_key = false;
    std::string key_separator = "\t";
};

void write_out(const std::optional<bytes>& b) {
    if (!b) {
        std::fwrite("null", 1, 4, stdout);
        return;
    }
    if (!b->empty()) std::fwrite(b->data(), 1, b->size(), stdout);
}

void consume(cluster& c, const consume_args& a) {
    consumer_options co;
    if (a.timeout_ms >= 0) co.max_wait_ms = int32_t(std::clamp<int64_t>(a.timeout_ms, 0, 500));
    consumer con(c, co);
    int64_t start = a.offset >= 0      ? a.offset
                    : a.from_beginning ? start_offset::earliest
                                       : start_offset::latest;
    if (a.partition >= 0)
        con.assign(a.topic, a.partition, start);
    else
        con.assign_all(a.topic, start);
    int64_t seen = 0;
    auto last_data = std::chrono::steady_clock::now();
    while (a.max_messages < 0 || seen < a.max_messages) {
        auto recs = con.poll();
        for (auto& r : recs) {
            if (a.print_key) {
                write_out(r.key);
                std::fwrite(a.key_separator.data(), 1, a.key_separator.size(), stdout);
            }
            write_out(r.value);
            std::fputc('\n', stdout);
            if (++seen == a.max_messages) break;
        }
        std::fflush(stdout);
        auto now = std::chrono::steady_clock::now();
        if (!recs.empty()) {
            last_data = now;
        } else if (a.timeout_ms >= 0 &&
                   now - last_data >= std::chrono::milliseconds(a.timeout_ms)) {
            break;
        }
    }
    std::cerr << "consumed " << seen << " record" << (seen == 1 ? "" : "s") << " from " << a.topic
              << "\n";
}

// ---------------------------------------------------------------- groups
void group_list(cluster& c) {
    for (auto& g : admin(c).list_groups()) std::cout << g.group_id << "\n";
}

void group_describe(cluster& c, const std::string& group) {
    admin a(c);
    auto d = a.describe_group(group);
    auto committed = a.group_offsets(group);
    if (d.state == "Dead" && committed.empty())
        throw kafka_error(sluice::protocol::error_code::group_id_not_found,
                          "group " + group + " does not exist");
    std::map<topic_partition, const member_description*> owner;
    for (auto& m : d.members)
        for (auto& tp : m.assignment) owner[tp] = &m;
    std::set<topic_partition> parts;
    for (auto& [tp, off] : committed) parts.insert(tp);
    for (auto& [tp, m] : owner) parts.insert(tp);
    std::map<topic_partition, int64_t> ends;
    if (!parts.empty()) ends = a.list_offsets({parts.begin(), parts.end()}, start_offset::latest);

    std::cout << "Group: " << d.group_id << "\tState: " << d.state
              << "\tProtocol: " << (d.protocol_type.empty() ? "-" : d.protocol_type)
              << (d.protocol.empty() ? "" : "/" + d.protocol) << "\tCoordinator: " << d.coordinator
              << "\tMembers: " << d.members.size() << "\n\n";
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "CURRENT-OFFSET",
                                                "LOG-END-OFFSET", "LAG", "MEMBER", "CLIENT-ID",
                                                "HOST"}};
    for (auto& tp : parts) {
        auto ci = committed.find(tp);
        auto ei = ends.find(tp);
        std::string cur = ci == committed.end() ? "-" : std::to_string(ci->second);
        std::string end = ei == ends.end() ? "-" : std::to_string(ei->second);
        std::string lag = (ci == committed.end() || ei == ends.end())
                              ? "-"
                              : std::to_string(std::max<int64_t>(0, ei->second - ci->second));
        auto oi = owner.find(tp);
        const member_description* m = oi == owner.end() ? nullptr : oi->second;
        rows.push_back({tp.topic, std::to_string(tp.partition), cur, end, lag,
                        m ? m->member_id : "-", m ? m->client_id : "-", m ? m->client_host : "-"});
    }
    print_table(rows);
    if (!d.members.empty()) {
        std::cout << "\n";
        std::vector<std::vector<std::string>> mrows{
            {"MEMBER", "INSTANCE-ID", "CLIENT-ID", "HOST", "PARTITIONS"}};
        for (auto& m : d.members) {
            std::string assigned;
            for (auto& tp : m.assignment)
                assigned +=
                    (assigned.empty() ? "" : ",") + tp.topic + "-" + std::to_string(tp.partition);
            mrows.push_back({m.member_id, m.group_instance_id.value_or("-"), m.client_id,
                             m.client_host, assigned.empty() ? "-" : assigned});
        }
        print_table(mrows);
    }
}

// ---------------------------------------------------------------- cluster
void cluster_info(cluster& c) {
    auto d = admin(c).describe_cluster();
    std::cout << "Cluster ID: " << d.cluster_id.value_or("-") << "\n";
    std::cout << "Controller: " << d.controller_id << "\n";
    std::cout << "Brokers: " << d.brokers.size() << "\n";
    for (auto& b : d.brokers)
        std::cout << "  " << b.id << "\t" << b.addr.str() << (b.rack ? "\track: " + *b.rack : "")
                  << (b.id == d.controller_id ? "\t(controller)" : "") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sluice - command-line tool for Sluice (and any Kafka cluster)"};
    app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
    app.require_subcommand(1);
    std::string bootstrap = "localhost:9092";
    connection_options opts;
    app.add_option("-b,--bootstrap-server", bootstrap, "host:port[,host:port...]")
        ->envname("SLUICE_BOOTSTRAP_SERVERS")
        ->capture_default_str();
    app.add_option("--connect-timeout-ms", opts.connect_timeout_ms, "TCP connect timeout")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--request-timeout-ms", opts.request_timeout_ms, "per-request timeout")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--client-id", opts.client_id, "client id sent to brokers")
        ->capture_default_str();

    std::function<void(cluster&)> action;

    // topic
    auto* topic = app.add_subcommand("topic", "list, describe, create, delete, alter topics");
    topic->require_subcommand(1);
    bool internal = false;
    auto* t_list = topic->add_subcommand("list", "topic names, one a line");
    t_list->add_flag("--include-internal", internal, "also list internal topics");
    t_list->callback([&] { action = [&](cluster& c) { topic_list(c, internal); }; });

    std::string topic_name;
    auto* t_desc = topic->add_subcommand("describe", "partitions, leaders, replicas, ISR, configs");
    t_desc->add_option("topic", topic_name, "topic")->required();
    t_desc->callback([&] { action = [&](cluster& c) { topic_describe(c, topic_name); }; });

    int32_t partitions = -1;
    int16_t rf = -1;
    std::vector<std::string> configs;
    auto* t_create = topic->add_subcommand("create", "create a topic");
    t_create->add_option("topic", topic_name, "topic")->required();
    t_create->add_option("-p,--partitions", partitions, "partitions (default: broker's)")
        ->check(CLI::PositiveNumber);
    t_create->add_option("-r,--replication-factor", rf, "replicas (default: broker's)")
        ->check(CLI::PositiveNumber);
    t_create->add_option("-c,--config", configs, "topic config key=value (repeatable)");
    t_create->callback([&] {
        action = [&](cluster& c) { topic_create(c, topic_name, partitions, rf, configs); };
    });

    auto* t_delete = topic->add_subcommand("delete", "delete a topic");
    t_delete->add_option("topic", topic_name, "topic")->required();
    t_delete->callback([&] {
        action = [&](cluster& c) {
            admin(c).delete_topic(topic_name);
            std::cerr << "deleted topic " << topic_name << "\n";
        };
    });

    auto* t_alter = topic->add_subcommand("alter", "add partitions to a topic");
    t_alter->add_option("topic", topic_name, "topic")->required();
    t_alter->add_option("--partitions", partitions, "new total number of partitions")
        ->required()
        ->check(CLI::PositiveNumber);
    t_alter->callback([&] {
        action = [&](cluster& c) {
            admin(c).create_partitions(topic_name, partitions);
            std::cerr << "topic " << topic_name << " now has " << partitions << " partitions\n";
        };
    });

    // produce
    produce_args pa;
    auto* prod = app.add_subcommand("produce", "send stdin lines as records, one per line");
    prod->add_option("topic", pa.topic, "topic")->required();
    prod->add_option("-k,--key-separator", pa.key_separator,
                     "split each line into key SEP value at the first SEP");
    prod->add_option("-p,--partition", pa.partition, "write to this partition only")
        ->check(CLI::NonNegativeNumber);
    prod->add_option("--acks", pa.acks, "0, 1 or all")->capture_default_str();
    prod->add_option("--compression", pa.compression, "none, gzip, snappy, lz4 or zstd")
        ->capture_default_str();
    prod->callback([&] {
        pa.keyed = prod->count("--key-separator") > 0;
        action = [&](cluster& c) { produce(c, pa); };
    });

    // consume
    consume_args ca;
    auto* cons = app.add_subcommand("consume", "print records' values, one per line");
    cons->add_option("topic", ca.topic, "topic")->required();
    auto* fb = cons->add_flag("--from-beginning", ca.from_beginning,
                              "start at the earliest offset (default: the end)");
    cons->add_option("--offset", ca.offset, "start at this offset")
        ->check(CLI::NonNegativeNumber)
        ->excludes(fb);
    cons->add_option("-p,--partition", ca.partition, "read this partition only (default: all)")
        ->check(CLI::NonNegativeNumber);
    cons->add_option("-n,--max-messages", ca.max_messages, "exit after this many records")
        ->check(CLI::NonNegativeNumber);
    cons->add_option("--timeout-ms", ca.timeout_ms, "exit after this long without new records")
        ->check(CLI::NonNegativeNumber);
    cons->add_flag("--print-key", ca.print_key, "print key SEP value");
    cons->add_option("--key-separator", ca.key_separator, "separator for --print-key (tab)");
    cons->callback([&] { action = [&](cluster& c) { consume(c, ca); }; });

    // group
    auto* group = app.add_subcommand("group", "consumer groups");
    group->require_subcommand(1);
    std::string group_id;
    auto* g_list = group->add_subcommand("list", "group ids, one a line");
    g_list->callback([&] { action = [&](cluster& c) { group_list(c); }; });
    auto* g_desc = group->add_subcommand("describe", "state, members, committed offsets and lag");
    g_desc->add_option("group", group_id, "group id")->required();
    g_desc->callback([&] { action = [&](cluster& c) { group_describe(c, group_id); }; });

    // cluster
    auto* clus = app.add_subcommand("cluster", "the cluster");
    clus->require_subcommand(1);
    auto* c_info = clus->add_subcommand("info", "cluster id, controller, brokers");
    c_info->callback([&] { action = [&](cluster& c) { cluster_info(c); }; });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);  // prints help, the version, or the usage error
        return rc == 0 ? 0 : 2;
    }

    try {
        cluster c(bootstrap, opts);
        action(c);
        std::cout.flush();
        return 0;
    } catch (const usage_error& e) {
        std::cerr << "sluice: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "sluice: " << e.what() << "\n";
        return 1;
    }
}
