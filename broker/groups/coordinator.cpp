#include "broker/groups/coordinator.h"

#include "broker/broker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

namespace sluice::broker::groups {

using protocol::error_code;

std::shared_ptr<write_op> post_append(const std::shared_ptr<partition>& p,
                                      const std::vector<protocol::record>& records,
                                      const asio::any_io_executor* waiter) {
    auto w = std::make_shared<write_op>();
    w->part = p;
    protocol::batch_options opts;
    int64_t now = now_ms();
    std::vector<protocol::record> recs = records;
    for (auto& r : recs)
        if (r.timestamp == 0) r.timestamp = now;
    w->data = protocol::build_batch(recs, opts);
    auto check = protocol::check_batches(w->data);
    if (check.error != error_code::none) {
        spdlog::error("group coordinator built an invalid batch: {}", check.message);
        w->error = error_code::unknown_server_error;
        return w;
    }
    w->headers = std::move(check.batches);
    if (waiter) {
        w->appended = event::make(*waiter);
        w->durable = std::make_shared<durable_wait>(durable_wait{event::make(*waiter), false});
    }
    asio::post(p->executor(), [w] {
        auto& part = *w->part;
        if (part.closed()) {
            w->error = error_code::not_coordinator;
        } else {
            try {
                std::span<uint8_t> bytes(w->data.data(), w->data.size());
                auto result = part.append(bytes, w->headers, now_ms());
                if (w->durable && part.durable()) part.wait_durable(result.last_offset, w->durable);
            } catch (const std::exception& e) {
                spdlog::error("append to {} failed: {}", part.tp().dir_name(), e.what());
                w->error = error_code::unknown_server_error;
            }
        }
        if (w->appended) w->appended->notify();
    });
    return w;
}

awaitable<error_code> await_write(const std::shared_ptr<write_op>& w) {
    if (!w) co_return error_code::none;
    if (!w->appended) co_return w->error;
    co_await w->appended->wait(std::chrono::hours(1));
    if (w->error != error_code::none) co_return w->error;
    if (w->part->durable()) {
        bool fired = co_await w->durable->done->wait(std::chrono::seconds(30));
        if (!fired) co_return error_code::request_timed_out;
        if (!w->durable->ok) co_return error_code::unknown_server_error;
    }
    co_return error_code::none;
}

coordinator::coordinator(broker& b) : b_(b) {
    auto n = b_.settings().config.offsets_topic_num_partitions;
    num_partitions_ = n > 0 ? n : 50;
}

group_limits coordinator::limits() const {
    auto& c = b_.settings().config;
    group_limits l;
    if (c.group_min_session_timeout_ms > 0)
        l.min_session_timeout_ms = c.group_min_session_timeout_ms;
    if (c.group_max_session_timeout_ms > 0)
        l.max_session_timeout_ms = c.group_max_session_timeout_ms;
    l.initial_rebalance_delay_ms = std::max(0, c.group_initial_rebalance_delay_ms);
    if (c.group_max_size > 0) l.max_size = c.group_max_size;
    return l;
}

void coordinator::start() {
    auto topic = b_.topics().find(offsets_topic);
    if (!topic) {
        std::map<std::string, std::string> configs{{"cleanup.policy", "compact"}};
        auto seg = b_.settings().config.offsets_topic_segment_bytes;
        if (seg > 0) configs["segment.bytes"] = std::to_string(seg);
        auto r = b_.topics().create(offsets_topic, num_partitions_, 1, configs, false);
        if (r.error != error_code::none)
            spdlog::error("cannot create {}: {}", offsets_topic, r.message);
        topic = b_.topics().find(offsets_topic);
    }
    if (topic) {
        num_partitions_ = int32_t(topic->partitions.size());
        replay();
    }
    last_retention_sweep_ = now_ms();
    asio::co_spawn(b_.io(), tick_loop(), asio::detached);
}

std::shared_ptr<partition> coordinator::partition_for(const std::string& group_id) const {
    auto topic = b_.topics().find(offsets_topic);
    if (!topic || topic->partitions.empty()) return nullptr;
    auto idx = partition_for_group(group_id, int32_t(topic->partitions.size()));
    return topic->partitions[size_t(idx)];
}

void coordinator::apply_record(const protocol::record_view& r,
                               std::map<std::string, std::optional<group_value>>& metadata) {
    if (!r.key) return;
    auto key = decode_key(*r.key);
    if (!key) return;
    if (auto* ok = std::get_if<offset_key>(&*key)) {
        auto tp = std::make_pair(ok->topic, ok->partition);
        if (!r.value) {
            auto it = groups_.find(ok->group);
            if (it != groups_.end()) it->second.offsets.erase(tp);
            return;
        }
        get_or_create(ok->group).offsets[tp] = decode_offset_value(*r.value);
    } else {
        auto& gk = std::get<group_key>(*key);
        if (!r.value) {
            metadata[gk.group] = std::nullopt;
            auto it = groups_.find(gk.group);
            if (it != groups_.end() && it->second.offsets.empty()) groups_.erase(it);
            return;
        }
        metadata[gk.group] = decode_group_value(*r.value);
    }
}

void coordinator::replay() {
    auto topic = b_.topics().find(offsets_topic);
    if (!topic) return;
    std::map<std::string, std::optional<group_value>> metadata;
    size_t records = 0;
    for (auto& p : topic->partitions) {
        auto& log = p->log();
        int64_t offset = log.log_start_offset();
        int64_t end = log.log_end_offset();
        while (offset < end) {
            auto rr = log.read(offset, 1 << 20, end, true);
            if (rr.slices.empty()) break;
            protocol::bytes raw;
            for (auto& f : rr.slices) {
                size_t at = raw.size();
                raw.resize(at + f.size);
                size_t done = 0;
                while (done < f.size) {
                    ssize_t n = ::pread(f.fd, raw.data() + at + done, f.size - done,
                                        off_t(f.position + done));
                    if (n <= 0) throw std::runtime_error("reading __consumer_offsets failed");
                    done += size_t(n);
                }
            }
            size_t pos = 0;
            int64_t next = offset;
            while (pos + protocol::batch_header_size <= raw.size()) {
                auto hdr = protocol::parse_batch_header(protocol::byte_view(raw).subspan(pos));
                if (pos + hdr.total_size() > raw.size()) break;
                auto batch = protocol::byte_view(raw).subspan(pos, hdr.total_size());
                pos += hdr.total_size();
                next = std::max(next, hdr.last_offset() + 1);
                if (hdr.control()) continue;
                try {
                    protocol::for_each_record(
                        batch, [&](const protocol::batch_header&, const protocol::record_view& r) {
                            ++records;
                            apply_record(r, metadata);
                        });
                } catch (const std::exception& e) {
                    spdlog::warn("skipping a bad batch in {}: {}", p->tp().dir_name(), e.what());
                }
            }
            if (next <= offset) break;
            offset = next;
        }
    }
    int64_t now = now_ms();
    size_t restored = 0;
    for (auto& [gid, gv] : metadata) {
        if (!gv) continue;
        auto& e = get_or_create(gid);
        std::vector<member> members;
        for (auto& mv : gv->members) {
            member m;
            m.member_id = mv.member_id;
            m.instance_id = mv.group_instance_id;
            m.client_id = mv.client_id;
            m.client_host = mv.client_host;
            m.rebalance_timeout_ms = mv.rebalance_timeout;
            m.session_timeout_ms = mv.session_timeout;
            m.protocols.emplace_back(gv->protocol.value_or(""), mv.subscription);
            m.assignment = mv.assignment;
            members.push_back(std::move(m));
        }
        e.g->restore(gv->protocol_type, gv->generation, gv->protocol, gv->leader.value_or(""),
                     gv->current_state_timestamp, std::move(members), now);
        ++restored;
    }
    spdlog::info("group coordinator: replayed {} records of {}: {} groups ({} with metadata)",
                 records, offsets_topic, groups_.size(), restored);
}

coordinator::entry& coordinator::get_or_create(const std::string& group_id) {
    auto it = groups_.find(group_id);
    if (it != groups_.end()) return it->second;
    auto& e = groups_[group_id];
    e.g = std::make_unique<group>(group_id, limits());
    return e;
}

void coordinator::deliver(entry& e) {
    auto c = e.g->take_completions();
    for (auto& [id, r] : c.joins) {
        auto it = join_slots_.find(id);
        if (it == join_slots_.end()) continue;
        it->second->result = std::move(r);
        it->second->done->notify();
        join_slots_.erase(it);
    }
    for (auto& [id, r] : c.syncs) {
        auto it = sync_slots_.find(id);
        if (it == sync_slots_.end()) continue;
        it->second->result = std::move(r);
        it->second->done->notify();
        sync_slots_.erase(it);
    }
    if (e.g->take_dirty() && !stopping_) {
        auto p = partition_for(e.g->id());
        if (p) {
            std::vector<protocol::record> recs(1);
            recs[0].key = encode_group_key({e.g->id()});
            recs[0].value = encode_group_value(snapshot(*e.g));
            post_append(p, recs, nullptr);
        }
    }
}

std::variant<join_result, std::shared_ptr<join_slot>> coordinator::join(
    const std::string& group_id, const join_request& req, const asio::any_io_executor& ex) {
    std::lock_guard lock(mutex_);
    auto& e = get_or_create(group_id);
    uint64_t id = ++next_waiter_;
    auto slot = std::make_shared<join_slot>();
    slot->done = event::make(ex);
    join_slots_[id] = slot;
    auto now = e.g->join(req, id, now_ms());
    if (now) join_slots_.erase(id);
    deliver(e);
    if (now) return std::move(*now);
    return slot;
}

std::variant<sync_result, std::shared_ptr<sync_slot>> coordinator::sync(
    const std::string& group_id, const sync_request& req, const asio::any_io_executor& ex) {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) {
        sync_result r;
        r.error = error_code::unknown_member_id;
        return r;
    }
    auto& e = it->second;
    uint64_t id = ++next_waiter_;
    auto slot = std::make_shared<sync_slot>();
    slot->done = event::make(ex);
    sync_slots_[id] = slot;
    auto now = e.g->sync(req, id, now_ms());
    if (now) sync_slots_.erase(id);
    deliver(e);
    if (now) return std::move(*now);
    return slot;
}

error_code coordinator::heartbeat(const std::string& group_id, const std::string& member_id,
                                  const std::optional<std::string>& instance_id,
                                  int32_t generation) {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return error_code::unknown_member_id;
    auto r = it->second.g->heartbeat(member_id, instance_id, generation, now_ms());
    deliver(it->second);
    return r;
}

std::vector<error_code> coordinator::leave(
    const std::string& group_id,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& members,
    error_code& group_error) {
    std::lock_guard lock(mutex_);
    std::vector<error_code> out;
    group_error = error_code::none;
    auto it = groups_.find(group_id);
    if (it == groups_.end()) {
        group_error = error_code::unknown_member_id;
        out.assign(members.size(), error_code::unknown_member_id);
        return out;
    }
    int64_t now = now_ms();
    for (auto& [mid, inst] : members) out.push_back(it->second.g->leave(mid, inst, now));
    deliver(it->second);
    return out;
}

std::shared_ptr<write_op> coordinator::commit(
    const std::string& group_id, const std::string& member_id,
    const std::optional<std::string>& instance_id, int32_t generation,
    const std::vector<std::pair<offset_key, offset_value>>& offsets,
    const asio::any_io_executor& ex, error_code& error) {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group_id);
    if (it == groups_.end() && generation >= 0) {
        // Kafka: only a simple commit (generation < 0) creates a group.
        error = error_code::illegal_generation;
        return nullptr;
    }
    auto& e = it == groups_.end() ? get_or_create(group_id) : it->second;
    error = e.g->validate_commit(member_id, instance_id, generation);
    if (error != error_code::none) return nullptr;
    if (offsets.empty()) return nullptr;
    std::vector<protocol::record> recs;
    recs.reserve(offsets.size());
    for (auto& [k, v] : offsets) {
        e.offsets[{k.topic, k.partition}] = v;
        auto& r = recs.emplace_back();
        r.key = encode_offset_key(k);
        r.value = encode_offset_value(v);
        r.timestamp = v.commit_timestamp;
    }
    auto p = partition_for(group_id);
    if (!p) {
        error = error_code::coordinator_not_available;
        return nullptr;
    }
    return post_append(p, recs, &ex);
}

offset_map coordinator::offsets(const std::string& group_id) const {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return {};
    return it->second.offsets;
}

std::map<std::string, offset_map> coordinator::all_offsets() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, offset_map> out;
    for (auto& [id, e] : groups_)
        if (!e.offsets.empty()) out.emplace(id, e.offsets);
    return out;
}

std::vector<group_summary> coordinator::list() const {
    std::lock_guard lock(mutex_);
    std::vector<group_summary> out;
    for (auto& [id, e] : groups_) {
        if (e.g->state() == group_state::dead) continue;
        out.push_back({id, e.g->protocol_type(), e.g->state()});
    }
    return out;
}

group_description coordinator::describe(const std::string& group_id) const {
    std::lock_guard lock(mutex_);
    group_description d;
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return d;  // Dead, no members (Kafka's answer)
    auto& g = *it->second.g;
    d.state = g.state();
    d.protocol_type = g.protocol_type();
    // Kafka reports the protocol only when the group is Stable.
    if (g.state() == group_state::stable) d.protocol_name = g.protocol_name().value_or("");
    for (auto& [id, m] : g.members()) d.members.push_back(m);
    return d;
}

std::shared_ptr<write_op> coordinator::remove_group(const std::string& group_id,
                                                    const asio::any_io_executor& ex,
                                                    error_code& error) {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) {
        error = error_code::group_id_not_found;
        return nullptr;
    }
    error = it->second.g->remove();
    if (error != error_code::none) return nullptr;
    std::vector<protocol::record> recs;
    for (auto& [tp, v] : it->second.offsets) {
        auto& r = recs.emplace_back();
        r.key = encode_offset_key({group_id, tp.first, tp.second});
    }
    auto& r = recs.emplace_back();
    r.key = encode_group_key({group_id});
    groups_.erase(it);
    auto p = partition_for(group_id);
    if (!p) return nullptr;
    return post_append(p, recs, &ex);
}

std::shared_ptr<write_op> coordinator::delete_offsets(
    const std::string& group_id, const std::vector<std::pair<std::string, int32_t>>& partitions,
    const asio::any_io_executor& ex, error_code& group_error, std::vector<error_code>& errors) {
    std::lock_guard lock(mutex_);
    errors.assign(partitions.size(), error_code::none);
    auto it = groups_.find(group_id);
    if (it == groups_.end() || it->second.g->state() == group_state::dead) {
        group_error = error_code::group_id_not_found;
        return nullptr;
    }
    auto& e = it->second;
    group_error = error_code::none;
    std::vector<std::string> subscribed;
    if (e.g->state() != group_state::empty) {
        if (e.g->protocol_type() != "consumer" && !e.g->protocol_type().empty()) {
            group_error = error_code::non_empty_group;
            return nullptr;
        }
        subscribed = e.g->subscribed_topics();
    }
    std::vector<protocol::record> recs;
    for (size_t i = 0; i < partitions.size(); ++i) {
        auto& [topic, part] = partitions[i];
        if (std::find(subscribed.begin(), subscribed.end(), topic) != subscribed.end()) {
            errors[i] = error_code::group_subscribed_to_topic;
            continue;
        }
        if (e.offsets.erase({topic, part})) {
            auto& r = recs.emplace_back();
            r.key = encode_offset_key({group_id, topic, part});
        }
    }
    if (recs.empty()) return nullptr;
    auto p = partition_for(group_id);
    if (!p) return nullptr;
    return post_append(p, recs, &ex);
}

void coordinator::tick(int64_t now) {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : groups_) {
        e.g->tick(now);
        deliver(e);
    }
    auto& c = b_.settings().config;
    int64_t interval =
        c.offsets_retention_check_interval_ms > 0 ? c.offsets_retention_check_interval_ms : 600000;
    if (now - last_retention_sweep_ < interval || stopping_) return;
    last_retention_sweep_ = now;
    int64_t retention =
        int64_t(c.offsets_retention_minutes > 0 ? c.offsets_retention_minutes : 10080) * 60000;
    std::vector<std::string> gone;
    for (auto& [id, e] : groups_) {
        if (e.g->state() != group_state::empty) continue;
        std::vector<protocol::record> recs;
        int64_t empty_since = std::max<int64_t>(e.g->state_timestamp(), 0);
        for (auto it = e.offsets.begin(); it != e.offsets.end();) {
            int64_t base = std::max(it->second.commit_timestamp, empty_since);
            if (it->second.expire_timestamp > 0 ? it->second.expire_timestamp <= now
                                                : base + retention <= now) {
                auto& r = recs.emplace_back();
                r.key = encode_offset_key({id, it->first.first, it->first.second});
                it = e.offsets.erase(it);
            } else {
                ++it;
            }
        }
        if (e.offsets.empty() && e.g->members().empty()) {
            auto& r = recs.emplace_back();
            r.key = encode_group_key({id});
            gone.push_back(id);
        }
        if (!recs.empty()) {
            auto p = partition_for(id);
            if (p) post_append(p, recs, nullptr);
            spdlog::info("offsets retention: {} tombstones for group {}", recs.size(), id);
        }
    }
    for (auto& id : gone) groups_.erase(id);
}

awaitable<void> coordinator::tick_loop() {
    asio::steady_timer timer(b_.io());
    while (!stopping_) {
        timer.expires_after(std::chrono::milliseconds(200));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_) break;
        tick(now_ms());
    }
}

}  // namespace sluice::broker::groups
