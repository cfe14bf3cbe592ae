#include "client/producer.h"

#include "protocol/murmur2.h"

#include <chrono>
#include <thread>

namespace sluice::client {

using namespace sluice::protocol;

namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool retriable(int16_t e) {
    return e == code(error_code::not_leader_or_follower) ||
           e == code(error_code::leader_not_available) ||
           e == code(error_code::unknown_topic_or_partition) ||
           e == code(error_code::request_timed_out) || e == code(error_code::not_enough_replicas) ||
           e == code(error_code::not_enough_replicas_after_append) ||
           e == code(error_code::network_exception) || e == code(error_code::kafka_storage_error) ||
           e == code(error_code::fenced_leader_epoch) ||
           e == code(error_code::unknown_leader_epoch);
}

}  // namespace

int32_t choose_partition(const produce_record& r, int32_t num_partitions,
                         int32_t sticky_partition) {
    if (num_partitions <= 0) throw client_error("topic has no partitions");
    if (r.partition) {
        if (*r.partition < 0 || *r.partition >= num_partitions)
            throw kafka_error(error_code::unknown_topic_or_partition,
                              "partition " + std::to_string(*r.partition) +
                                  " does not exist (the topic has " +
                                  std::to_string(num_partitions) + ")");
        return *r.partition;
    }
    if (r.key) return default_partition(*r.key, num_partitions);
    return ((sticky_partition % num_partitions) + num_partitions) % num_partitions;
}

std::map<int32_t, std::vector<record>> group_by_partition(
    const std::vector<produce_record>& records, int32_t num_partitions, int32_t sticky_partition,
    int64_t now) {
    std::map<int32_t, std::vector<record>> out;
    for (auto& r : records) {
        int32_t p = choose_partition(r, num_partitions, sticky_partition);
        record rec;
        rec.key = r.key;
        rec.value = r.value;
        rec.headers = r.headers;
        rec.timestamp = r.timestamp >= 0 ? r.timestamp : now;
        out[p].push_back(std::move(rec));
    }
    return out;
}

const topic_info& producer::topic_metadata(const std::string& topic) {
    std::string last;
    for (int attempt = 0;; ++attempt) {
        auto* t = c_.topic(topic);
        if (t && !t->partitions.empty()) return *t;
        auto got = c_.refresh(std::vector<std::string>{topic}, opts_.auto_create_topics);
        t = c_.topic(topic);
        if (t && !t->partitions.empty()) return *t;
        int16_t err = got.empty() ? code(error_code::unknown_topic_or_partition) : got[0].error;
        if (!retriable(err) || attempt >= opts_.retries)
            check_error(err == 0 ? code(error_code::leader_not_available) : err,
                        "metadata of topic " + topic);
        std::this_thread::sleep_for(std::chrono::milliseconds(opts_.retry_backoff_ms));
    }
}

int32_t producer::partition_count(const std::string& topic) {
    return int32_t(topic_metadata(topic).partitions.size());
}

std::vector<produce_result> producer::send(const std::string& topic,
                                           const std::vector<produce_record>& records) {
    std::vector<produce_result> results;
    if (records.empty()) return results;
    int32_t n = partition_count(topic);
    int32_t sticky = sticky_[topic];
    sticky_[topic] = sticky + 1;  // the next send() moves on: round-robin per batch
    auto batches = group_by_partition(records, n, sticky, now_ms());

    batch_options bo;
    bo.codec = opts_.codec;
    // Pending partitions with their built batch; retried together per leader.
    std::map<int32_t, std::pair<bytes, int32_t>> pending;
    for (auto& [p, recs] : batches) pending[p] = {build_batch(recs, bo), int32_t(recs.size())};

    std::string last_error;
    for (int attempt = 0; !pending.empty(); ++attempt) {
        if (attempt > 0) {
            if (attempt > opts_.retries)
                throw client_error(last_error + " (gave up after " + std::to_string(opts_.retries) +
                                   " retries)");
            std::this_thread::sleep_for(std::chrono::milliseconds(opts_.retry_backoff_ms));
            c_.refresh(std::vector<std::string>{topic}, opts_.auto_create_topics);
        }
        std::map<int32_t, std::vector<int32_t>> by_leader;
        for (auto& [p, b] : pending) {
            try {
                by_leader[c_.leader_id(topic, p)].push_back(p);
            } catch (const kafka_error& e) {
                if (!retriable(code(e.code))) throw;
                last_error = std::string("produce to ") + topic + ": " + e.what();
            }
        }
        for (auto& [leader, parts] : by_leader) {
            produce_request req;
            req.acks = opts_.acks;
            req.timeout_ms = opts_.request_timeout_ms;
            produce_request::topic_data td;
            td.name = topic;
            for (int32_t p : parts) {
                produce_request::topic_data::partition_data pd;
                pd.index = p;
                pd.records.view = pending[p].first;
                td.partitions.push_back(std::move(pd));
            }
            req.topics.push_back(std::move(td));
            std::string where =
                "produce to " + topic + " (leader broker " + std::to_string(leader) + ")";
            try {
                auto& conn = c_.node(leader);
                where = "produce to " + topic + " at broker " + conn.peer().str();
                auto v = conn.version_for<produce_request>();
                if (!v || *v < 3)
                    throw client_error("broker " + conn.peer().str() +
                                       " does not accept RecordBatch v2 (needs Produce v3+)");
                if (opts_.acks == 0) {
                    conn.send_only(req);
                    for (int32_t p : parts) {
                        results.push_back({p, -1, pending[p].second});
                        pending.erase(p);
                    }
                    continue;
                }
                auto resp = conn.call(req);
                for (auto& tr : resp.responses)
                    for (auto& pr : tr.partition_responses) {
                        auto it = pending.find(pr.index);
                        if (tr.name != topic || it == pending.end()) continue;
                        std::string ctx = "produce to " + topic + "-" + std::to_string(pr.index) +
                                          " at broker " + conn.peer().str();
                        if (retriable(pr.error_code)) {
                            last_error = ctx + ": " + describe_error(pr.error_code);
                            continue;
                        }
                        check_error(pr.error_code, ctx, pr.error_message);
                        results.push_back({pr.index, pr.base_offset, it->second.second});
                        pending.erase(it);
                    }
            } catch (const network_error& e) {
                last_error = where + ": " + e.what();
                c_.forget(leader);
            }
        }
    }
    std::sort(results.begin(), results.end(),
              [](auto& a, auto& b) { return a.partition < b.partition; });
    return results;
}

}  // namespace sluice::client
