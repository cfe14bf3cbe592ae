#include "client/consumer.h"

#include "protocol/record_batch.h"

#include <chrono>
#include <set>
#include <thread>

namespace sluice::client {

using namespace sluice::protocol;

int64_t decode_records(const std::string& topic, int32_t partition, byte_view data, int64_t from,
                       std::vector<consumed_record>& out) {
    int64_t next = from;
    size_t pos = 0;
    while (data.size() - pos >= batch_log_overhead + 5) {
        auto rest = data.subspan(pos);
        // magic sits at byte 16; this consumer reads RecordBatch v2 only.
        if (rest.size() < batch_header_size) break;  // truncated at the end of the response
        auto h = parse_batch_header(rest);
        if (h.batch_length <= 0)
            throw client_error("fetch from " + topic + "-" + std::to_string(partition) +
                               ": bad batch length " + std::to_string(h.batch_length));
        if (h.total_size() > rest.size()) break;  // a partial batch: fetched again next time
        if (h.magic != current_magic)
            throw client_error("fetch from " + topic + "-" + std::to_string(partition) +
                               ": record format magic " + std::to_string(h.magic) +
                               " is not supported (only v2)");
        auto batch = rest.first(h.total_size());
        if (!batch_crc_ok(batch))
            throw client_error("fetch from " + topic + "-" + std::to_string(partition) +
                               ": CRC mismatch in the batch at offset " +
                               std::to_string(h.base_offset));
        if (!h.control() && h.last_offset() >= from) {
            for_each_record(batch, [&](const batch_header& bh, const record_view& r) {
                int64_t off = bh.base_offset + r.offset_delta;
                if (off < from) return;
                consumed_record c;
                c.topic = topic;
                c.partition = partition;
                c.offset = off;
                c.timestamp =
                    bh.log_append_time() ? bh.max_timestamp : bh.base_timestamp + r.timestamp_delta;
                if (r.key) c.key.emplace(r.key->begin(), r.key->end());
                if (r.value) c.value.emplace(r.value->begin(), r.value->end());
                for (auto& [k, v] : r.headers) {
                    std::optional<bytes> hv;
                    if (v) hv.emplace(v->begin(), v->end());
                    c.headers.emplace_back(std::string(k), std::move(hv));
                }
                out.push_back(std::move(c));
            });
        }
        next = std::max(next, h.last_offset() + 1);
        pos += h.total_size();
    }
    return next;
}

void consumer::resolve(const std::vector<topic_partition>& parts, int64_t spec) {
    if (spec >= 0) {
        for (auto& p : parts) positions_[p] = spec;
        return;
    }
    auto offs = admin_.list_offsets(parts, spec);
    for (auto& p : parts) {
        auto it = offs.find(p);
        if (it == offs.end() || it->second < 0)
            throw client_error("no " +
                               std::string(spec == start_offset::earliest ? "earliest" : "latest") +
                               " offset for " + p.topic + "-" + std::to_string(p.partition));
        positions_[p] = it->second;
    }
}

void consumer::assign(const std::string& topic, int32_t partition, int64_t offset) {
    c_.refresh(std::vector<std::string>{topic});
    c_.leader_id(topic, partition);  // throws for an unknown partition
    resolve({{topic, partition}}, offset);
}

void consumer::assign_all(const std::string& topic, int64_t offset) {
    auto got = c_.refresh(std::vector<std::string>{topic});
    for (auto& t : got)
        if (t.name == topic) check_error(t.error, "metadata of topic " + topic);
    auto* t = c_.topic(topic);
    if (!t) throw client_error("topic " + topic + " is not in the cluster metadata");
    std::vector<topic_partition> parts;
    for (auto& p : t->partitions) parts.push_back({topic, p.id});
    resolve(parts, offset);
}

int64_t consumer::position(const std::string& topic, int32_t partition) const {
    auto it = positions_.find({topic, partition});
    return it == positions_.end() ? -1 : it->second;
}

int64_t consumer::high_watermark(const std::string& topic, int32_t partition) const {
    auto it = high_watermarks_.find({topic, partition});
    return it == high_watermarks_.end() ? -1 : it->second;
}

std::vector<consumed_record> consumer::poll() {
    std::vector<consumed_record> out;
    if (positions_.empty()) throw client_error("poll() with no partitions assigned");
    std::map<int32_t, std::vector<topic_partition>> by_leader;
    bool need_refresh = false;
    for (auto& [tp, pos] : positions_) {
        try {
            by_leader[c_.leader_id(tp.topic, tp.partition)].push_back(tp);
        } catch (const kafka_error&) {
            need_refresh = true;
        }
    }
    std::vector<topic_partition> reset;
    for (auto& [leader, parts] : by_leader) {
        fetch_request req;
        req.replica_id = -1;
        req.max_wait_ms = opts_.max_wait_ms;
        req.min_bytes = opts_.min_bytes;
        req.max_bytes = opts_.max_bytes;
        req.isolation_level = opts_.isolation_level;
        req.session_id = 0;
        req.session_epoch = -1;  // no fetch session
        std::map<std::string, size_t> topic_index;
        for (auto& tp : parts) {
            auto [it, fresh] = topic_index.emplace(tp.topic, req.topics.size());
            if (fresh) req.topics.push_back({tp.topic, {}});
            fetch_request::fetch_topic::fetch_partition fp;
            fp.partition = tp.partition;
            fp.fetch_offset = positions_[tp];
            fp.partition_max_bytes = opts_.partition_max_bytes;
            req.topics[it->second].partitions.push_back(fp);
        }
        bytes frame;
        fetch_response resp;
        try {
            auto& conn = c_.node(leader);
            resp = conn.call(req, frame);
            check_error(resp.error_code, "fetch from broker " + conn.peer().str());
        } catch (const network_error&) {
            c_.forget(leader);
            need_refresh = true;
            continue;
        }
        for (auto& tr : resp.responses)
            for (auto& pd : tr.partitions) {
                topic_partition tp{tr.topic, pd.partition_index};
                auto pit = positions_.find(tp);
                if (pit == positions_.end()) continue;
                std::string ctx = "fetch from " + tp.topic + "-" + std::to_string(tp.partition);
                int16_t e = pd.error_code;
                if (e == code(error_code::offset_out_of_range)) {
                    reset.push_back(tp);
                    continue;
                }
                if (e == code(error_code::not_leader_or_follower) ||
                    e == code(error_code::leader_not_available) ||
                    e == code(error_code::unknown_topic_or_partition) ||
                    e == code(error_code::fenced_leader_epoch) ||
                    e == code(error_code::unknown_leader_epoch) ||
                    e == code(error_code::kafka_storage_error)) {
                    need_refresh = true;
                    continue;
                }
                check_error(e, ctx);
                high_watermarks_[tp] = pd.high_watermark;
                pit->second =
                    decode_records(tp.topic, tp.partition, pd.records.data(), pit->second, out);
            }
    }
    if (!reset.empty())
        resolve(reset, opts_.reset_to_earliest ? start_offset::earliest : start_offset::latest);
    if (need_refresh) {
        std::set<std::string> names;
        for (auto& [tp, pos] : positions_) names.insert(tp.topic);
        // Leadership is moving: give it a moment rather than spinning on Metadata.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        c_.refresh(std::vector<std::string>(names.begin(), names.end()));
    }
    return out;
}

}  // namespace sluice::client
