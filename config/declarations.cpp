// The declarations table. One entry per key; see config/README.md for how to add one.
//
// Types, defaults and bounds follow Apache Kafka unless `kafka(...)` records a
// deliberate Sluice difference. Descriptions are Sluice's own.

#include "config/declarations.h"

#include "config/listener.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <map>

namespace sluice::config {

namespace {

constexpr std::string_view long_max = "9223372036854775807";
constexpr std::string_view int_max = "2147483647";

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// ---- format checks ---------------------------------------------------------

bool check_listeners(std::string_view v, std::string& why) {
    std::vector<listener> out;
    return try_parse_listeners(v, out, why);
}

bool check_advertised_listeners(std::string_view v, std::string& why) {
    std::vector<listener> out;
    if (!try_parse_listeners(v, out, why)) return false;
    for (const auto& l : out) {
        if (l.host == "0.0.0.0" || l.host == "::") {
            why =
                "\"" + to_string(l) + "\" uses a wildcard address, which clients cannot connect to";
            return false;
        }
    }
    return true;
}

bool check_endpoints(std::string_view v, std::string& why) {
    std::vector<endpoint> out;
    return try_parse_endpoints(v, out, why);
}

bool check_voters(std::string_view v, std::string& why) {
    std::vector<quorum_voter> out;
    return try_parse_quorum_voters(v, out, why);
}

bool check_protocol_map(std::string_view v, std::string& why) {
    std::map<std::string, std::string> out;
    return try_parse_security_protocol_map(v, out, why);
}

bool check_listener_name(std::string_view v, std::string& why) {
    if (v.empty() || !std::all_of(v.begin(), v.end(), is_name_char)) {
        why = "a listener name may only contain letters, digits, '_' and '-'";
        return false;
    }
    return true;
}

bool check_listener_names(std::string_view v, std::string& why) {
    if (v.empty()) return true;
    size_t start = 0;
    while (true) {
        size_t comma = v.find(',', start);
        auto item = v.substr(start, comma == std::string_view::npos ? v.npos : comma - start);
        if (!check_listener_name(item, why)) {
            why = "\"" + std::string(item) + "\": " + why;
            return false;
        }
        if (comma == std::string_view::npos) return true;
        start = comma + 1;
    }
}

bool check_cluster_id(std::string_view v, std::string& why) {
    // Kafka's cluster ids are 16-byte UUIDs in unpadded URL-safe base64.
    if (v.size() != 22 || !std::all_of(v.begin(), v.end(), is_name_char)) {
        why = "a cluster id is exactly 22 characters of A-Z, a-z, 0-9, '_' and '-'";
        return false;
    }
    return true;
}

bool check_super_users(std::string_view v, std::string& why) {
    size_t start = 0;
    while (start < v.size()) {
        size_t semi = v.find(';', start);
        if (semi == std::string_view::npos) semi = v.size();
        auto item = v.substr(start, semi - start);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
            item.remove_prefix(1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
            item.remove_suffix(1);
        auto colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size()) {
            why = "\"" + std::string(item) + "\" is not a principal of the form Type:name";
            return false;
        }
        start = semi + 1;
    }
    return true;
}

// ---- the builder used to write the table ----------------------------------

struct def {
    key_decl d;
    def(std::string_view name, key_scope scope, config_type type,
        std::optional<std::string_view> dflt, importance level, std::string_view doc) {
        d.name = name;
        d.scope = scope;
        d.type = type;
        d.default_value = dflt;
        d.level = level;
        d.doc = doc;
    }
    def& at_least(double v) {
        d.min = v;
        return *this;
    }
    def& between(double lo, double hi) {
        d.min = lo;
        d.max = hi;
        return *this;
    }
    def& one_of(std::initializer_list<std::string_view> v) {
        d.allowed = v;
        return *this;
    }
    def& alias(std::string_view a) {
        d.aliases.push_back(a);
        return *this;
    }
    def& comma_list() {
        d.comma_separated = true;
        return *this;
    }
    def& non_empty() {
        d.non_empty = true;
        return *this;
    }
    def& synonyms(std::initializer_list<synonym_decl> s) {
        d.broker_synonyms = s;
        return *this;
    }
    def& check(format_check f, std::string_view expect) {
        d.check = f;
        d.check_expectation = expect;
        return *this;
    }
    def& kafka(std::string_view kafka_default) {
        d.kafka_default = kafka_default;
        return *this;
    }
    def& sluice_only() {
        d.sluice_only = true;
        return *this;
    }
    operator key_decl() const { return d; }
};

constexpr auto broker = key_scope::broker;
constexpr auto topic = key_scope::topic;
constexpr auto high = importance::high;
constexpr auto medium = importance::medium;
constexpr auto low = importance::low;
constexpr auto t_bool = config_type::boolean;
constexpr auto t_string = config_type::string;
constexpr auto t_int = config_type::int32;
constexpr auto t_short = config_type::int16;
constexpr auto t_long = config_type::int64;
constexpr auto t_double = config_type::float64;
constexpr auto t_list = config_type::list;
constexpr auto t_password = config_type::password;
constexpr std::nullopt_t none = std::nullopt;

def B(std::string_view name, config_type type, std::optional<std::string_view> dflt,
      importance level, std::string_view doc) {
    return def(name, broker, type, dflt, level, doc);
}
def T(std::string_view name, config_type type, std::optional<std::string_view> dflt,
      importance level, std::string_view doc) {
    return def(name, topic, type, dflt, level, doc);
}

constexpr std::string_view listener_form =
    "a comma-separated list of NAME://host:port, e.g. PLAINTEXT://localhost:9092 "
    "(empty host: every interface; IPv6 in brackets)";

std::vector<key_decl> build_table() {
    return {
        // ---- identity and roles ----
        B("node.id", t_int, "1", high,
          "This node's id, unique in the cluster; it is both its broker id and its "
          "controller voter id.")
            .at_least(0)
            .alias("broker.id")
            .kafka("-1 (must be set)"),
        B("process.roles", t_list, "broker,controller", high,
          "What this node does: broker (serves clients, hosts partitions), controller "
          "(votes in the metadata quorum), or both.")
            .one_of({"broker", "controller"})
            .non_empty()
            .kafka("(none, must be set)"),
        B("cluster.id", t_string, none, medium,
          "The cluster this node belongs to. Unset: use the id recorded in the log "
          "directories, or create one on first start.")
            .check(check_cluster_id, "a 22-character URL-safe base64 UUID")
            .sluice_only(),
        B("controller.quorum.voters", t_list, "", high,
          "Members of the controller quorum as id@host:port. Empty: this node alone "
          "is the quorum (single-node mode, process.roles must be broker,controller).")
            .check(check_voters, "a comma-separated list of id@host:port, e.g. 1@ctl1:9093"),
        B("controller.listener.names", t_string, "CONTROLLER", high,
          "Listener names used for controller quorum traffic; they are never "
          "advertised to clients.")
            .comma_list()
            .check(check_listener_names, "a comma-separated list of listener names")
            .kafka("(none, must be set)"),

        // ---- listeners ----
        B("listeners", t_string, "PLAINTEXT://localhost:9092", high,
          "Addresses to accept connections on, as NAME://host:port. An empty host "
          "means every interface; port 0 picks a free port.")
            .comma_list()
            .non_empty()
            .check(check_listeners, listener_form)
            .kafka("PLAINTEXT://:9092"),
        B("advertised.listeners", t_string, none, high,
          "Addresses handed to clients and other brokers in metadata. Unset: the "
          "non-controller entries of listeners.")
            .comma_list()
            .check(check_advertised_listeners, listener_form),
        B("listener.security.protocol.map", t_string,
          "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,"
          "SASL_SSL:SASL_SSL",
          low, "The security protocol of each listener name, as NAME:PROTOCOL pairs.")
            .comma_list()
            .check(check_protocol_map,
                   "a comma-separated list of NAME:PROTOCOL with PROTOCOL one of PLAINTEXT, "
                   "SSL, SASL_PLAINTEXT, SASL_SSL")
            .kafka("PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"),
        B("inter.broker.listener.name", t_string, none, medium,
          "The listener brokers use to reach each other. Unset: PLAINTEXT if there "
          "is one, otherwise the first advertised listener.")
            .check(check_listener_name, "a listener name from listeners")
            .kafka("(none: the listener named by security.inter.broker.protocol, PLAINTEXT)"),
        B("admin.listeners", t_string, "127.0.0.1:9644", medium,
          "host:port addresses of the HTTP admin server (metrics, /healthz, "
          "/readyz). Empty disables it.")
            .comma_list()
            .check(check_endpoints, "a comma-separated list of host:port, e.g. 127.0.0.1:9644")
            .sluice_only(),

        // ---- connections and requests ----
        B("socket.request.max.bytes", t_int, "104857600", high,
          "Largest request the broker will read; a bigger frame closes the "
          "connection before anything is allocated.")
            .at_least(1),
        B("socket.send.buffer.bytes", t_int, "102400", high,
          "SO_SNDBUF for client sockets; -1 keeps the operating system's default.")
            .at_least(-1),
        B("socket.receive.buffer.bytes", t_int, "102400", high,
          "SO_RCVBUF for client sockets; -1 keeps the operating system's default.")
            .at_least(-1),
        B("max.connections", t_int, int_max, medium,
          "Most client connections the broker accepts at once; further ones are "
          "closed right after accept.")
            .at_least(0),
        B("max.connections.per.ip", t_int, int_max, medium,
          "Most connections accepted at once from one client address.")
            .at_least(0),
        B("connections.max.idle.ms", t_long, "600000", medium,
          "Connections with no traffic for this long are closed."),
        B("queued.max.requests", t_int, "500", high,
          "Most requests one connection may have read but not yet answered; the "
          "broker stops reading from it at this limit (Kafka: size of the shared "
          "request queue).")
            .at_least(1),
        B("num.io.threads", t_int, "0", high,
          "Threads that run network I/O and request handling (one event loop each); "
          "0 means one per CPU core.")
            .at_least(0)
            .kafka("8"),
        B("num.network.threads", t_int, "3", high,
          "Accepted for compatibility with Kafka configurations; Sluice serves "
          "connections on the num.io.threads threads.")
            .at_least(1),
        B("message.max.bytes", t_int, "1048588", high,
          "Largest record batch a topic accepts by default (topic synonym: "
          "max.message.bytes).")
            .at_least(0),

        // ---- topics ----
        B("num.partitions", t_int, "1", medium,
          "Partitions given to a topic that is created without a count (including "
          "auto-created topics).")
            .at_least(1),
        B("default.replication.factor", t_int, "1", medium,
          "Replicas given to a topic that is created without a replication factor.")
            .at_least(1),
        B("min.insync.replicas", t_int, "1", high,
          "Replicas that must have a batch before an acks=all produce succeeds.")
            .at_least(1),
        B("auto.create.topics.enable", t_bool, "true", high,
          "Create a topic when a client asks for its metadata or produces to it and "
          "it does not exist."),
        B("delete.topic.enable", t_bool, "true", high,
          "Allow topics to be deleted through the admin API."),
        B("unclean.leader.election.enable", t_bool, "false", high,
          "Allow a replica outside the ISR to become leader when no in-sync replica "
          "is left, at the cost of losing acknowledged records."),
        B("compression.type", t_string, "producer", high,
          "Default compression of stored batches; producer keeps what the producer "
          "sent.")
            .one_of({"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}),

        // ---- the log ----
        B("log.dirs", t_string, "./data", high,
          "Directories that hold partition data, comma-separated.")
            .comma_list()
            .non_empty()
            .alias("log.dir")
            .kafka("(none; log.dir: /tmp/kafka-logs)"),
        B("log.segment.bytes", t_int, "1073741824", high,
          "Size at which a partition's active segment file is closed and a new one "
          "started.")
            .at_least(14),
        B("log.roll.ms", t_long, none, high,
          "Age at which the active segment is rolled even if not full; overrides "
          "log.roll.hours.")
            .at_least(1),
        B("log.roll.hours", t_int, "168", high,
          "Segment roll age in hours, used when log.roll.ms is unset.")
            .at_least(1),
        B("log.roll.jitter.ms", t_long, none, high,
          "Largest random amount subtracted from the roll age so segments of many "
          "partitions do not roll together; overrides log.roll.jitter.hours.")
            .at_least(0),
        B("log.roll.jitter.hours", t_int, "0", high,
          "Roll jitter in hours, used when log.roll.jitter.ms is unset.")
            .at_least(0),
        B("log.retention.ms", t_long, none, high,
          "How long data is kept before whole segments are deleted; -1 keeps it "
          "forever. Overrides log.retention.minutes and log.retention.hours.")
            .at_least(-1),
        B("log.retention.minutes", t_int, none, high,
          "Retention in minutes, used when log.retention.ms is unset; overrides "
          "log.retention.hours.")
            .at_least(-1),
        B("log.retention.hours", t_int, "168", high,
          "Retention in hours, used when log.retention.ms and log.retention.minutes "
          "are unset.")
            .at_least(-1),
        B("log.retention.bytes", t_long, "-1", high,
          "Size a partition may grow to before its oldest segments are deleted; -1 "
          "means no size limit."),
        B("log.retention.check.interval.ms", t_long, "300000", medium,
          "How often partitions are checked for segments that retention should "
          "delete.")
            .at_least(1),
        B("log.cleanup.policy", t_list, "delete", medium,
          "Default clean-up of old segments: delete by retention, compact to the "
          "latest record per key, or both.")
            .one_of({"delete", "compact"})
            .non_empty(),
        B("log.segment.delete.delay.ms", t_long, "60000", high,
          "Time a segment removed by retention stays on disk before its files are "
          "deleted.")
            .at_least(0),
        B("log.index.size.max.bytes", t_int, "10485760", medium,
          "Size preallocated for each segment's offset and time index files.")
            .at_least(4),
        B("log.index.interval.bytes", t_int, "4096", medium,
          "Log bytes between two entries of the sparse offset index.")
            .at_least(0),
        B("log.preallocate", t_bool, "false", medium,
          "Preallocate the full size of a new segment file."),
        B("log.flush.interval.messages", t_long, "1", high,
          "Records appended to a partition before they are fsynced. 1 fsyncs every "
          "write before it is acknowledged (appends are grouped into one fsync).")
            .at_least(1)
            .kafka(long_max),
        B("log.flush.interval.ms", t_long, none, high,
          "Longest time appended records stay unsynced; unset falls back to "
          "log.flush.scheduler.interval.ms.")
            .at_least(0),
        B("log.flush.scheduler.interval.ms", t_long, long_max, high,
          "How often partitions are checked for a time-based fsync, and the "
          "default of log.flush.interval.ms.")
            .at_least(0),
        B("log.flush.offset.checkpoint.interval.ms", t_int, "60000", high,
          "How often each log directory's recovery-point checkpoint is written.")
            .at_least(0),
        B("log.message.timestamp.type", t_string, "CreateTime", medium,
          "Default timestamp of stored records: the producer's (CreateTime) or the "
          "broker's append time (LogAppendTime).")
            .one_of({"CreateTime", "LogAppendTime"}),
        B("log.message.timestamp.difference.max.ms", t_long, long_max, medium,
          "Largest gap allowed between a CreateTime record's timestamp and the "
          "broker's clock.")
            .at_least(0),
        B("log.message.downconversion.enable", t_bool, "true", low,
          "Allow converting batches to older message formats for old consumers."),
        B("log.cleaner.enable", t_bool, "true", medium,
          "Run the compaction cleaner; needed for compacted topics such as "
          "__consumer_offsets."),
        B("log.cleaner.threads", t_int, "1", medium, "Threads that compact logs.").at_least(0),
        B("log.cleaner.backoff.ms", t_long, "15000", medium,
          "How often each compacted partition is checked for compaction.")
            .at_least(0),
        B("log.cleaner.dedupe.buffer.size", t_long, "134217728", medium,
          "Memory for the key map of one compaction run; a larger dirty range is "
          "compacted in several runs.")
            .at_least(1),
        B("log.cleaner.delete.retention.ms", t_long, "86400000", medium,
          "How long tombstones stay in a compacted log so consumers can see them.")
            .at_least(0),
        B("log.cleaner.min.compaction.lag.ms", t_long, "0", medium,
          "Youngest a record may be and still be compacted away.")
            .at_least(0),
        B("log.cleaner.max.compaction.lag.ms", t_long, long_max, medium,
          "Oldest an uncompacted record may get before its log is compacted "
          "regardless of the dirty ratio.")
            .at_least(1),
        B("log.cleaner.min.cleanable.ratio", t_double, "0.5", medium,
          "Share of a log that must be uncompacted before it is compacted again.")
            .between(0, 1),
        B("num.recovery.threads.per.data.dir", t_int, "1", high,
          "Threads per log directory that recover logs at start and flush them at "
          "stop.")
            .at_least(1),

        // ---- consumer groups and offsets ----
        B("offsets.topic.num.partitions", t_int, "50", high,
          "Partitions of __consumer_offsets; fixed once the topic exists.")
            .at_least(1),
        B("offsets.topic.replication.factor", t_short, "1", high, "Replicas of __consumer_offsets.")
            .at_least(1)
            .kafka("3"),
        B("offsets.topic.segment.bytes", t_int, "104857600", high,
          "Segment size of __consumer_offsets, kept small for fast compaction and "
          "loading.")
            .at_least(1),
        B("offsets.retention.minutes", t_int, "10080", high,
          "How long a group's committed offsets are kept after the group becomes "
          "empty.")
            .at_least(1),
        B("offsets.retention.check.interval.ms", t_long, "600000", high,
          "How often expired committed offsets are removed.")
            .at_least(1),
        B("group.min.session.timeout.ms", t_int, "6000", medium,
          "Shortest session timeout a group member may ask for."),
        B("group.max.session.timeout.ms", t_int, "1800000", medium,
          "Longest session timeout a group member may ask for."),
        B("group.initial.rebalance.delay.ms", t_int, "3000", medium,
          "Wait before the first rebalance of a new group so more members can join "
          "it; 0 rebalances at once.")
            .at_least(0),
        B("group.max.size", t_int, int_max, medium, "Most members one consumer group may have.")
            .at_least(1),

        // ---- transactions and idempotence ----
        B("transaction.state.log.num.partitions", t_int, "50", high,
          "Partitions of __transaction_state; fixed once the topic exists.")
            .at_least(1),
        B("transaction.state.log.replication.factor", t_short, "1", high,
          "Replicas of __transaction_state.")
            .at_least(1)
            .kafka("3"),
        B("transaction.state.log.min.isr", t_int, "1", high,
          "min.insync.replicas of __transaction_state.")
            .at_least(1)
            .kafka("2"),
        B("transaction.max.timeout.ms", t_int, "900000", high,
          "Longest transaction timeout a producer may ask for.")
            .at_least(1),
        B("transactional.id.expiration.ms", t_int, "604800000", high,
          "How long an idle transactional id is remembered.")
            .at_least(1),
        B("producer.id.expiration.ms", t_int, "86400000", low,
          "How long a partition remembers an idle producer's sequence numbers.")
            .at_least(1),

        // ---- replication and leadership ----
        B("replica.lag.time.max.ms", t_long, "30000", high,
          "A follower that has not caught up with the leader for this long leaves "
          "the ISR."),
        B("replica.fetch.max.bytes", t_int, "1048576", medium,
          "Bytes a follower asks for per partition in one fetch.")
            .at_least(0),
        B("replica.fetch.min.bytes", t_int, "1", high,
          "Bytes a follower's fetch waits for before the leader answers."),
        B("replica.fetch.wait.max.ms", t_int, "500", medium,
          "Longest a follower's fetch waits for data; must stay below "
          "replica.lag.time.max.ms."),
        B("replica.fetch.response.max.bytes", t_int, "10485760", medium,
          "Bytes a follower asks for in one fetch across all partitions.")
            .at_least(0),
        B("num.replica.fetchers", t_int, "1", high,
          "Fetcher connections a follower opens to each leader broker."),
        B("auto.leader.rebalance.enable", t_bool, "true", high,
          "Move leadership back to each partition's preferred replica when it is "
          "in sync."),
        B("leader.imbalance.check.interval.seconds", t_long, "300", high,
          "How often the controller checks whether leaders should move back.")
            .at_least(1),
        B("controlled.shutdown.enable", t_bool, "true", medium,
          "On SIGTERM, move this broker's leaderships elsewhere before stopping."),

        // ---- security ----
        B("sasl.enabled.mechanisms", t_list, "SCRAM-SHA-256,SCRAM-SHA-512", medium,
          "SASL mechanisms offered on SASL listeners.")
            .one_of({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
            .kafka("GSSAPI"),
        B("sasl.users.file", t_string, none, high,
          "YAML file mapping user names to passwords (alice: alice-secret) for SASL "
          "PLAIN and SCRAM on SASL listeners; read at start-up, passwords are kept only "
          "as salted SCRAM credentials. Required when a listener uses SASL_PLAINTEXT.")
            .sluice_only(),
        B("super.users", t_string, none, medium,
          "Principals allowed everything regardless of ACLs, separated by ';' "
          "(User:alice;User:bob).")
            .check(check_super_users, "a ';'-separated list of Type:name principals"),
        B("ssl.keystore.type", t_string, "PEM", medium,
          "Format of the key store; Sluice reads PEM (private key and certificate "
          "chain in one file).")
            .one_of({"PEM"})
            .kafka("JKS"),
        B("ssl.keystore.location", t_string, none, high,
          "Path of the PEM file with this broker's private key and certificate "
          "chain, for SSL and SASL_SSL listeners."),
        B("ssl.key.password", t_password, none, high,
          "Password of the private key in ssl.keystore.location, if it is "
          "encrypted."),
        B("ssl.truststore.type", t_string, "PEM", medium,
          "Format of the trust store; Sluice reads PEM.")
            .one_of({"PEM"})
            .kafka("JKS"),
        B("ssl.truststore.location", t_string, none, high,
          "Path of the PEM file with the certificate authorities used to verify "
          "client certificates."),
        B("ssl.client.auth", t_string, "none", medium,
          "Whether SSL listeners ask clients for a certificate: required, requested "
          "or none.")
            .one_of({"required", "requested", "none"}),
        B("ssl.enabled.protocols", t_list, "TLSv1.2,TLSv1.3", medium,
          "TLS versions accepted on SSL listeners.")
            .one_of({"TLSv1.2", "TLSv1.3"})
            .non_empty(),

        // ---- operations ----
        B("log.level", t_string, "info", medium, "Least severe log line the broker writes.")
            .one_of({"trace", "debug", "info", "warn", "error", "critical", "off"})
            .sluice_only(),

        // ==== topic-level keys ====
        T("cleanup.policy", t_list, "delete", medium,
          "What happens to old segments: delete by retention, compact to the latest "
          "record per key, or both.")
            .one_of({"delete", "compact"})
            .non_empty()
            .synonyms({{"log.cleanup.policy"}}),
        T("compression.type", t_string, "producer", medium,
          "Compression of stored batches; producer keeps what the producer sent.")
            .one_of({"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"})
            .synonyms({{"compression.type"}}),
        T("delete.retention.ms", t_long, "86400000", medium,
          "How long tombstones stay in a compacted topic.")
            .at_least(0)
            .synonyms({{"log.cleaner.delete.retention.ms"}}),
        T("file.delete.delay.ms", t_long, "60000", medium,
          "Time a deleted segment stays on disk before its files are removed.")
            .at_least(0)
            .synonyms({{"log.segment.delete.delay.ms"}}),
        T("flush.messages", t_long, "1", medium,
          "Records appended before an fsync; 1 makes every acknowledged write "
          "durable.")
            .at_least(1)
            .kafka(long_max)
            .synonyms({{"log.flush.interval.messages"}}),
        T("flush.ms", t_long, long_max, medium, "Longest time appended records stay unsynced.")
            .at_least(0)
            .synonyms({{"log.flush.interval.ms"}, {"log.flush.scheduler.interval.ms"}}),
        T("index.interval.bytes", t_int, "4096", medium,
          "Log bytes between two entries of the sparse offset index.")
            .at_least(0)
            .synonyms({{"log.index.interval.bytes"}}),
        T("max.compaction.lag.ms", t_long, long_max, medium,
          "Oldest an uncompacted record may get before the log is compacted anyway.")
            .at_least(1)
            .synonyms({{"log.cleaner.max.compaction.lag.ms"}}),
        T("max.message.bytes", t_int, "1048588", medium, "Largest record batch the topic accepts.")
            .at_least(0)
            .synonyms({{"message.max.bytes"}}),
        T("message.downconversion.enable", t_bool, "true", low,
          "Allow converting batches to older formats for old consumers.")
            .synonyms({{"log.message.downconversion.enable"}}),
        T("message.timestamp.difference.max.ms", t_long, long_max, medium,
          "Largest gap allowed between a CreateTime record's timestamp and the "
          "broker's clock.")
            .at_least(0)
            .synonyms({{"log.message.timestamp.difference.max.ms"}}),
        T("message.timestamp.type", t_string, "CreateTime", medium,
          "Timestamp stored with records: the producer's (CreateTime) or the "
          "broker's append time (LogAppendTime).")
            .one_of({"CreateTime", "LogAppendTime"})
            .synonyms({{"log.message.timestamp.type"}}),
        T("min.cleanable.dirty.ratio", t_double, "0.5", medium,
          "Share of the log that must be uncompacted before it is compacted again.")
            .between(0, 1)
            .synonyms({{"log.cleaner.min.cleanable.ratio"}}),
        T("min.compaction.lag.ms", t_long, "0", medium,
          "Youngest a record may be and still be compacted away.")
            .at_least(0)
            .synonyms({{"log.cleaner.min.compaction.lag.ms"}}),
        T("min.insync.replicas", t_int, "1", medium,
          "Replicas that must have a batch before an acks=all produce succeeds.")
            .at_least(1)
            .synonyms({{"min.insync.replicas"}}),
        T("preallocate", t_bool, "false", medium, "Preallocate the full size of new segment files.")
            .synonyms({{"log.preallocate"}}),
        T("retention.bytes", t_long, "-1", medium,
          "Size a partition may grow to before its oldest segments are deleted; -1 "
          "means no limit.")
            .synonyms({{"log.retention.bytes"}}),
        T("retention.ms", t_long, "604800000", medium,
          "How long records are kept before their segment is deleted; -1 keeps them "
          "forever.")
            .at_least(-1)
            .synonyms({{"log.retention.ms"},
                       {"log.retention.minutes", 60'000},
                       {"log.retention.hours", 3'600'000}}),
        T("segment.bytes", t_int, "1073741824", medium,
          "Size at which the active segment is closed and a new one started.")
            .at_least(14)
            .synonyms({{"log.segment.bytes"}}),
        T("segment.index.bytes", t_int, "10485760", medium,
          "Size preallocated for each segment's offset and time indexes.")
            .at_least(4)
            .synonyms({{"log.index.size.max.bytes"}}),
        T("segment.jitter.ms", t_long, "0", medium,
          "Largest random amount taken off segment.ms so partitions do not roll "
          "together.")
            .at_least(0)
            .synonyms({{"log.roll.jitter.ms"}, {"log.roll.jitter.hours", 3'600'000}}),
        T("segment.ms", t_long, "604800000", medium,
          "Age at which the active segment is rolled even if not full.")
            .at_least(1)
            .synonyms({{"log.roll.ms"}, {"log.roll.hours", 3'600'000}}),
        T("unclean.leader.election.enable", t_bool, "false", medium,
          "Allow a replica outside the ISR to become leader, losing acknowledged "
          "records.")
            .synonyms({{"unclean.leader.election.enable"}}),
    };
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

}  // namespace

// ---- lookups ---------------------------------------------------------------

const std::vector<key_decl>& declarations() {
    static const std::vector<key_decl> table = build_table();
    return table;
}

std::vector<const key_decl*> broker_keys() {
    std::vector<const key_decl*> out;
    for (const auto& d : declarations())
        if (d.scope == key_scope::broker) out.push_back(&d);
    return out;
}

std::vector<const key_decl*> topic_keys() {
    std::vector<const key_decl*> out;
    for (const auto& d : declarations())
        if (d.scope == key_scope::topic) out.push_back(&d);
    return out;
}

std::vector<std::string> all_keys() {
    std::vector<std::string> out;
    for (const auto& d : declarations())
        if (std::find(out.begin(), out.end(), d.name) == out.end()) out.emplace_back(d.name);
    return out;
}

const key_decl* find_broker_key(std::string_view name) {
    for (const auto& d : declarations()) {
        if (d.scope != key_scope::broker) continue;
        if (d.name == name) return &d;
        for (auto a : d.aliases)
            if (a == name) return &d;
    }
    return nullptr;
}

const key_decl* find_topic_key(std::string_view name) {
    for (const auto& d : declarations())
        if (d.scope == key_scope::topic && d.name == name) return &d;
    return nullptr;
}

std::string environment_variable_for(std::string_view key) {
    std::string out = "SLUICE_";
    for (char c : key)
        out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string_view to_string(config_type t) {
    switch (t) {
        case config_type::boolean:
            return "BOOLEAN";
        case config_type::string:
            return "STRING";
        case config_type::int32:
            return "INT";
        case config_type::int16:
            return "SHORT";
        case config_type::int64:
            return "LONG";
        case config_type::float64:
            return "DOUBLE";
        case config_type::list:
            return "LIST";
        case config_type::class_name:
            return "CLASS";
        case config_type::password:
            return "PASSWORD";
    }
    return "UNKNOWN";
}

std::string_view to_string(config_source s) {
    switch (s) {
        case config_source::unknown:
            return "UNKNOWN";
        case config_source::dynamic_topic:
            return "DYNAMIC_TOPIC_CONFIG";
        case config_source::dynamic_broker:
            return "DYNAMIC_BROKER_CONFIG";
        case config_source::dynamic_default_broker:
            return "DYNAMIC_DEFAULT_BROKER_CONFIG";
        case config_source::static_broker:
            return "STATIC_BROKER_CONFIG";
        case config_source::default_config:
            return "DEFAULT_CONFIG";
    }
    return "UNKNOWN";
}

std::string_view to_string(importance i) {
    switch (i) {
        case importance::high:
            return "high";
        case importance::medium:
            return "medium";
        case importance::low:
            return "low";
    }
    return "medium";
}

// ---- value checking ----------------------------------------------------------

namespace {

// Shortest text that reads back as the same double ("0.5", "1", "1e+20").
std::string format_bound(double v) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

std::string_view type_word(config_type t) {
    switch (t) {
        case config_type::boolean:
            return "bool";
        case config_type::int16:
            return "short";
        case config_type::int32:
            return "int";
        case config_type::int64:
            return "long";
        case config_type::float64:
            return "double";
        case config_type::list:
            return "list";
        default:
            return "string";
    }
}

std::pair<int64_t, int64_t> type_range(config_type t) {
    switch (t) {
        case config_type::int16:
            return {INT16_MIN, INT16_MAX};
        case config_type::int32:
            return {INT32_MIN, INT32_MAX};
        default:
            return {INT64_MIN, INT64_MAX};
    }
}

std::string range_text(const key_decl& d, bool with_type_bounds) {
    std::optional<double> lo = d.min, hi = d.max;
    if (with_type_bounds && d.is_integer()) {
        auto [tlo, thi] = type_range(d.type);
        if (!hi) hi = static_cast<double>(thi);
        if (!lo) lo = static_cast<double>(tlo);
    }
    auto fmt = [&](double v) {
        if (with_type_bounds && d.is_integer()) {
            auto [tlo, thi] = type_range(d.type);
            if (v >= static_cast<double>(thi)) return std::to_string(thi);
            if (v <= static_cast<double>(tlo)) return std::to_string(tlo);
        }
        return format_bound(v);
    };
    if (lo && hi) return " between " + fmt(*lo) + " and " + fmt(*hi);
    if (lo) return " >= " + fmt(*lo);
    if (hi) return " <= " + fmt(*hi);
    return "";
}

std::string expectation_impl(const key_decl& d, bool with_type_bounds) {
    if (d.check) return std::string(d.check_expectation);
    if (d.is_list()) {
        std::string s = d.non_empty ? "a non-empty comma-separated list" : "a comma-separated list";
        if (!d.allowed.empty()) s += " of " + join(d.allowed, ", ");
        return s;
    }
    switch (d.type) {
        case config_type::boolean:
            return "true or false";
        case config_type::int16:
        case config_type::int32:
        case config_type::int64:
            return "an integer" + range_text(d, with_type_bounds);
        case config_type::float64:
            return "a number" + range_text(d, false);
        default:
            break;
    }
    if (!d.allowed.empty()) return "one of " + join(d.allowed, ", ");
    return "a string";
}

std::string make_error(const key_decl& d, std::string_view raw, std::string_view problem,
                       bool with_type_bounds = false) {
    std::string msg(d.name);
    msg += ": \"";
    msg += d.sensitive() ? std::string_view("(hidden)") : raw;
    msg += "\" ";
    msg += problem;
    msg += " (expected " + expectation_impl(d, with_type_bounds) + ")";
    return msg;
}

bool in_range(const key_decl& d, double v) {
    if (d.min && v < *d.min) return false;
    if (d.max && v > *d.max) return false;
    return true;
}

}  // namespace

std::string expectation(const key_decl& decl) { return expectation_impl(decl, false); }

checked_value check_value(const key_decl& d, std::string_view raw_in) {
    checked_value out;
    std::string v = trim(raw_in);
    auto fail = [&](std::string_view problem, bool type_bounds = false) {
        out.error = make_error(d, raw_in, problem, type_bounds);
        return out;
    };

    if (d.is_list()) {
        std::vector<std::string> items;
        if (!v.empty()) {
            size_t start = 0;
            while (true) {
                size_t comma = v.find(',', start);
                std::string item = trim(std::string_view(v).substr(
                    start, comma == std::string::npos ? std::string::npos : comma - start));
                if (item.empty()) return fail("has an empty item");
                if (!d.allowed.empty() &&
                    std::find(d.allowed.begin(), d.allowed.end(), item) == d.allowed.end())
                    return fail("contains \"" + item + "\", which is not allowed");
                items.push_back(std::move(item));
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        }
        if (items.empty() && d.non_empty) return fail("is empty");
        std::string canon;
        for (size_t i = 0; i < items.size(); ++i) {
            if (i) canon += ',';
            canon += items[i];
        }
        if (d.check) {
            std::string why;
            if (!d.check(canon, why)) return fail("is not valid: " + why);
        }
        out.canonical = std::move(canon);
        return out;
    }

    switch (d.type) {
        case config_type::boolean: {
            std::string lower = v;
            for (auto& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lower != "true" && lower != "false") return fail("is not a valid bool");
            out.canonical = lower;
            return out;
        }
        case config_type::int16:
        case config_type::int32:
        case config_type::int64: {
            std::string_view digits = v;
            bool negative = false;
            if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
                negative = digits.front() == '-';
                digits.remove_prefix(1);
            }
            if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                               [](char c) { return c >= '0' && c <= '9'; }))
                return fail("is not a valid " + std::string(type_word(d.type)));
            // Accumulate as unsigned to detect overflow without exceptions.
            unsigned long long mag = 0;
            bool overflow = false;
            for (char c : digits) {
                if (mag > (ULLONG_MAX - 9) / 10) {
                    overflow = true;
                    break;
                }
                mag = mag * 10 + static_cast<unsigned>(c - '0');
            }
            auto [tlo, thi] = type_range(d.type);
            int64_t value = 0;
            if (!overflow) {
                if (negative) {
                    if (mag > static_cast<unsigned long long>(INT64_MAX) + 1ULL)
                        overflow = true;
                    else
                        value = mag == static_cast<unsigned long long>(INT64_MAX) + 1ULL
                                    ? INT64_MIN
                                    : -static_cast<int64_t>(mag);
                } else {
                    if (mag > static_cast<unsigned long long>(INT64_MAX))
                        overflow = true;
                    else
                        value = static_cast<int64_t>(mag);
                }
            }
            if (overflow || value < tlo || value > thi)
                return fail(std::string("does not fit in ") +
                                (d.type == config_type::int32 ? "an " : "a ") +
                                std::string(type_word(d.type)),
                            true);
            if (!in_range(d, static_cast<double>(value))) return fail("is out of range");
            out.canonical = std::to_string(value);
            return out;
        }
        case config_type::float64: {
            if (v.empty()) return fail("is not a valid double");
            char* end = nullptr;
            double value = std::strtod(v.c_str(), &end);
            if (end != v.c_str() + v.size() || !std::isfinite(value))
                return fail("is not a valid double");
            if (!in_range(d, value)) return fail("is out of range");
            // Java's Double.toString style for the common cases: 0.5, 1.0.
            std::string s = format_bound(value);
            if (s.find_first_of(".eE") == std::string::npos) s += ".0";
            out.canonical = s;
            return out;
        }
        default:
            break;
    }

    // STRING / PASSWORD / CLASS
    if (!d.allowed.empty() && std::find(d.allowed.begin(), d.allowed.end(), v) == d.allowed.end())
        return fail("is not a valid choice");
    if (d.check) {
        std::string why;
        if (!d.check(v, why)) return fail("is not valid: " + why);
    }
    out.canonical = std::move(v);
    return out;
}

}  // namespace sluice::config
