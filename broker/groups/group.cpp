#include "broker/groups/group.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace sluice::broker::groups {

using protocol::error_code;

const char* state_name(group_state s) {
    switch (s) {
        case group_state::empty: return "Empty";
        case group_state::preparing_rebalance: return "PreparingRebalance";
        case group_state::completing_rebalance: return "CompletingRebalance";
        case group_state::stable: return "Stable";
        case group_state::dead: return "Dead";
    }
    return "Unknown";
}

const protocol::bytes* member::metadata_for(const std::string& protocol) const {
    for (auto& [name, md] : protocols)
        if (name == protocol) return &md;
    return nullptr;
}

const member* group::find_member(const std::string& id) const {
    auto it = members_.find(id);
    return it == members_.end() ? nullptr : &it->second;
}

std::string group::new_member_id(const std::string& client_id) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t a = rng(), b = rng();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", uint32_t(a >> 32),
                  uint32_t(a >> 16) & 0xffff, uint32_t(a) & 0xffff, uint32_t(b >> 48),
                  (unsigned long long)(b & 0xffffffffffffULL));
    ++id_counter_;
    return client_id + "-" + buf;
}

void group::set_state(group_state s, int64_t now_ms) {
    state_ = s;
    state_timestamp_ = now_ms;
}

bool group::supports_protocols(
    const std::string& type, const std::vector<std::pair<std::string, protocol::bytes>>& p) const {
    if (type.empty() || p.empty()) return false;
    if (members_.empty()) return true;
    if (type != protocol_type_) return false;
    // Some protocol must be supported by every current member and the newcomer.
    for (auto& [name, md] : p) {
        bool all = true;
        for (auto& [id, m] : members_)
            if (!m.metadata_for(name)) {
                all = false;
                break;
            }
        if (all) return true;
    }
    return false;
}

std::optional<std::string> group::select_protocol() const {
    // Candidates: protocols every member supports; each member votes for its
    // most preferred candidate; the most votes wins (ties: first candidate).
    if (members_.empty()) return std::nullopt;
    std::vector<std::string> candidates;
    for (auto& [name, md] : members_.begin()->second.protocols) {
        bool all = true;
        for (auto& [id, m] : members_)
            if (!m.metadata_for(name)) all = false;
        if (all) candidates.push_back(name);
    }
    if (candidates.empty()) return std::nullopt;
    std::map<std::string, int> votes;
    for (auto& [id, m] : members_)
        for (auto& [name, md] : m.protocols)
            if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
                ++votes[name];
                break;
            }
    std::string best = candidates.front();
    for (auto& c : candidates)
        if (votes[c] > votes[best]) best = c;
    return best;
}

join_result group::result_for(const member& m, bool with_members) const {
    join_result r;
    r.generation = generation_;
    r.protocol_type = protocol_type_;
    r.protocol_name = protocol_name_;
    r.leader = leader_;
    r.member_id = m.member_id;
    if (with_members && protocol_name_) {
        for (auto& [id, other] : members_) {
            auto* md = other.metadata_for(*protocol_name_);
            r.members.push_back({id, other.instance_id, md ? *md : protocol::bytes{}});
        }
    }
    return r;
}

void group::prepare_rebalance(int64_t now_ms) {
    // Followers waiting for the leader's assignment must rejoin.
    for (auto& [id, m] : members_) {
        if (m.sync_waiter) {
            sync_result r;
            r.error = error_code::rebalance_in_progress;
            out_.syncs.emplace_back(m.sync_waiter, std::move(r));
            m.sync_waiter = 0;
        }
    }
    int32_t timeout = 0;
    for (auto& [id, m] : members_) timeout = std::max(timeout, m.rebalance_timeout_ms);
    if (state_ == group_state::empty && limits_.initial_rebalance_delay_ms > 0) {
        // group.initial.rebalance.delay.ms: let more members arrive first.
        initial_delay_ = true;
        rebalance_deadline_ = now_ms + limits_.initial_rebalance_delay_ms;
        initial_limit_ = now_ms + std::max(timeout, limits_.initial_rebalance_delay_ms);
    } else {
        initial_delay_ = false;
        rebalance_deadline_ = now_ms + timeout;
    }
    set_state(group_state::preparing_rebalance, now_ms);
}

void group::maybe_complete_join(int64_t now_ms) {
    if (state_ != group_state::preparing_rebalance) return;
    if (initial_delay_) {
        if (now_ms < rebalance_deadline_) return;
        // The delay is over: from here on the usual rule, bounded by the
        // rebalance timeout counted from the start.
        initial_delay_ = false;
        rebalance_deadline_ = std::max(initial_limit_, now_ms);
    }
    bool all = true;
    for (auto& [id, m] : members_)
        if (!m.join_waiter) all = false;
    if (all && pending_.empty()) {
        complete_join(now_ms);
        return;
    }
    if (all && now_ms >= rebalance_deadline_) {
        complete_join(now_ms);
        return;
    }
    if (now_ms >= rebalance_deadline_) {
        // Members that did not rejoin in time are removed.
        std::vector<std::string> gone;
        for (auto& [id, m] : members_)
            if (!m.join_waiter) gone.push_back(id);
        for (auto& id : gone) {
            auto& m = members_.at(id);
            if (m.instance_id) instances_.erase(*m.instance_id);
            members_.erase(id);
        }
        complete_join(now_ms);
    }
}

void group::complete_join(int64_t now_ms) {
    // Pending member ids (MEMBER_ID_REQUIRED) stay valid until their session
    // timeout: such a member joins the next rebalance.
    ++generation_;
    if (members_.empty()) {
        protocol_name_.reset();
        leader_.clear();
        set_state(group_state::empty, now_ms);
        dirty_ = true;
        return;
    }
    protocol_name_ = select_protocol();
    if (!members_.count(leader_)) leader_ = members_.begin()->first;
    set_state(group_state::completing_rebalance, now_ms);
    for (auto& [id, m] : members_) {
        m.assignment.clear();
        m.last_heartbeat_ms = now_ms;
        if (m.join_waiter) {
            out_.joins.emplace_back(m.join_waiter, result_for(m, id == leader_));
            m.join_waiter = 0;
        }
    }
}

void group::add_to_join(member& m, uint64_t waiter, int64_t now_ms) {
    if (m.join_waiter && m.join_waiter != waiter) {
        join_result r;
        r.error = error_code::rebalance_in_progress;
        r.member_id = m.member_id;
        out_.joins.emplace_back(m.join_waiter, std::move(r));
    }
    m.join_waiter = waiter;
    m.last_heartbeat_ms = now_ms;
    if (state_ != group_state::preparing_rebalance) {
        prepare_rebalance(now_ms);
    } else if (initial_delay_) {
        // Each newcomer during the initial delay extends it (bounded).
        rebalance_deadline_ =
            std::min(initial_limit_, now_ms + int64_t(limits_.initial_rebalance_delay_ms));
    }
    maybe_complete_join(now_ms);
}

namespace {
template <class Result>
std::optional<Result> take_own(std::vector<std::pair<uint64_t, Result>>& out, uint64_t waiter,
                               std::optional<Result> now) {
    if (now) return now;
    for (auto it = out.begin(); it != out.end(); ++it)
        if (it->first == waiter) {
            Result r = std::move(it->second);
            out.erase(it);
            return r;
        }
    return std::nullopt;
}
}  // namespace

std::optional<join_result> group::join(const join_request& req, uint64_t waiter, int64_t now_ms) {
    auto r = do_join(req, waiter, now_ms);
    return take_own(out_.joins, waiter, std::move(r));
}

std::optional<sync_result> group::sync(const sync_request& req, uint64_t waiter, int64_t now_ms) {
    auto r = do_sync(req, waiter, now_ms);
    return take_own(out_.syncs, waiter, std::move(r));
}

std::optional<join_result> group::do_join(const join_request& req, uint64_t waiter, int64_t now_ms) {
    auto fail = [&](error_code e, std::string member_id = {}) {
        join_result r;
        r.error = e;
        r.member_id = std::move(member_id);
        return std::optional<join_result>(std::move(r));
    };
    if (state_ == group_state::dead) return fail(error_code::coordinator_not_available);
    if (req.session_timeout_ms < limits_.min_session_timeout_ms ||
        req.session_timeout_ms > limits_.max_session_timeout_ms)
        return fail(error_code::invalid_session_timeout, req.member_id);
    if (!supports_protocols(req.protocol_type, req.protocols))
        return fail(error_code::inconsistent_group_protocol, req.member_id);
    int32_t rebalance_timeout =
        req.rebalance_timeout_ms < 0 ? req.session_timeout_ms : req.rebalance_timeout_ms;

    auto fill = [&](member& m) {
        m.client_id = req.client_id;
        m.client_host = req.client_host;
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = rebalance_timeout;
        m.protocols = req.protocols;
        m.instance_id = req.instance_id;
    };
    auto add_new = [&](const std::string& id) -> std::optional<join_result> {
        if (members_.size() >= size_t(limits_.max_size))
            return fail(error_code::group_max_size_reached, id);
        if (members_.empty()) protocol_type_ = req.protocol_type;
        auto& m = members_[id];
        m.member_id = id;
        fill(m);
        if (req.instance_id) instances_[*req.instance_id] = id;
        if (leader_.empty() || !members_.count(leader_)) leader_ = id;
        add_to_join(m, waiter, now_ms);
        return std::nullopt;
    };

    if (req.member_id.empty()) {
        if (req.instance_id) {
            auto it = instances_.find(*req.instance_id);
            if (it == instances_.end() || !members_.count(it->second))
                return add_new(new_member_id(req.client_id));
            // A known static member rejoins (KIP-345): it takes a new member id,
            // fencing the old one.
            std::string old_id = it->second;
            member m = members_.at(old_id);
            members_.erase(old_id);
            std::string id = new_member_id(req.client_id);
            if (m.join_waiter) {
                join_result r;
                r.error = error_code::fenced_instance_id;
                r.member_id = old_id;
                out_.joins.emplace_back(m.join_waiter, std::move(r));
                m.join_waiter = 0;
            }
            if (m.sync_waiter) {
                sync_result r;
                r.error = error_code::fenced_instance_id;
                out_.syncs.emplace_back(m.sync_waiter, std::move(r));
                m.sync_waiter = 0;
            }
            bool unchanged = m.protocols == req.protocols;
            m.member_id = id;
            fill(m);
            m.last_heartbeat_ms = now_ms;
            instances_[*req.instance_id] = id;
            if (leader_ == old_id) leader_ = id;
            auto& nm = members_[id] = std::move(m);
            if (state_ == group_state::stable && unchanged) {
                // Same subscription: no rebalance; it keeps its assignment.
                return result_for(nm, false);
            }
            add_to_join(nm, waiter, now_ms);
            return std::nullopt;
        }
        std::string id = new_member_id(req.client_id);
        if (req.version >= 4) {
            pending_[id] = now_ms + req.session_timeout_ms;
            return fail(error_code::member_id_required, id);
        }
        return add_new(id);
    }

    // A known member id.
    if (auto p = pending_.find(req.member_id); p != pending_.end()) {
        pending_.erase(p);
        if (members_.count(req.member_id) == 0) return add_new(req.member_id);
    }
    auto it = members_.find(req.member_id);
    if (req.instance_id) {
        auto inst = instances_.find(*req.instance_id);
        if (inst != instances_.end() && inst->second != req.member_id)
            return fail(error_code::fenced_instance_id, req.member_id);
    }
    if (it == members_.end()) return fail(error_code::unknown_member_id, req.member_id);
    auto& m = it->second;
    bool unchanged = m.protocols == req.protocols;
    switch (state_) {
        case group_state::preparing_rebalance:
            fill(m);
            add_to_join(m, waiter, now_ms);
            return std::nullopt;
        case group_state::completing_rebalance:
            if (unchanged) {
                // The member missed its JoinGroup response: answer it again.
                m.last_heartbeat_ms = now_ms;
                return result_for(m, req.member_id == leader_);
            }
            fill(m);
            add_to_join(m, waiter, now_ms);
            return std::nullopt;
        case group_state::stable:
            if (unchanged && req.member_id != leader_) {
                m.last_heartbeat_ms = now_ms;
                return result_for(m, false);
            }
            fill(m);
            add_to_join(m, waiter, now_ms);
            return std::nullopt;
        default:
            return fail(error_code::unknown_member_id, req.member_id);
    }
}

std::optional<sync_result> group::do_sync(const sync_request& req, uint64_t waiter, int64_t now_ms) {
    auto fail = [](error_code e) {
        sync_result r;
        r.error = e;
        return std::optional<sync_result>(std::move(r));
    };
    if (state_ == group_state::dead) return fail(error_code::coordinator_not_available);
    auto it = members_.find(req.member_id);
    if (req.instance_id) {
        auto inst = instances_.find(*req.instance_id);
        if (inst != instances_.end() && inst->second != req.member_id)
            return fail(error_code::fenced_instance_id);
    }
    if (it == members_.end()) return fail(error_code::unknown_member_id);
    if (req.generation != generation_) return fail(error_code::illegal_generation);
    if ((req.protocol_type && *req.protocol_type != protocol_type_) ||
        (req.protocol_name && *req.protocol_name != protocol_name_.value_or("")))
        return fail(error_code::inconsistent_group_protocol);
    auto& m = it->second;
    m.last_heartbeat_ms = now_ms;
    auto ok = [&](const member& mm) {
        sync_result r;
        r.protocol_type = protocol_type_;
        r.protocol_name = protocol_name_;
        r.assignment = mm.assignment;
        return r;
    };
    switch (state_) {
        case group_state::preparing_rebalance:
            return fail(error_code::rebalance_in_progress);
        case group_state::completing_rebalance:
            if (req.member_id == leader_) {
                for (auto& [id, mm] : members_) mm.assignment.clear();
                for (auto& [id, a] : req.assignments) {
                    auto t = members_.find(id);
                    if (t != members_.end()) t->second.assignment = a;
                }
                set_state(group_state::stable, now_ms);
                dirty_ = true;
                for (auto& [id, mm] : members_) {
                    if (mm.sync_waiter && mm.sync_waiter != waiter) {
                        out_.syncs.emplace_back(mm.sync_waiter, ok(mm));
                        mm.sync_waiter = 0;
                    }
                }
                return ok(m);
            }
            if (m.sync_waiter && m.sync_waiter != waiter) {
                sync_result r;
                r.error = error_code::rebalance_in_progress;
                out_.syncs.emplace_back(m.sync_waiter, std::move(r));
            }
            m.sync_waiter = waiter;
            return std::nullopt;
        case group_state::stable:
            return ok(m);
        default:
            return fail(error_code::unknown_member_id);
    }
}

error_code group::heartbeat(const std::string& member_id,
                            const std::optional<std::string>& instance_id, int32_t generation,
                            int64_t now_ms) {
    if (state_ == group_state::dead) return error_code::coordinator_not_available;
    if (instance_id) {
        auto inst = instances_.find(*instance_id);
        if (inst != instances_.end() && inst->second != member_id)
            return error_code::fenced_instance_id;
    }
    auto it = members_.find(member_id);
    if (it == members_.end()) return error_code::unknown_member_id;
    if (generation != generation_) return error_code::illegal_generation;
    it->second.last_heartbeat_ms = now_ms;
    if (state_ == group_state::preparing_rebalance) return error_code::rebalance_in_progress;
    return error_code::none;
}

void group::remove_member(const std::string& member_id, int64_t now_ms) {
    auto it = members_.find(member_id);
    if (it == members_.end()) return;
    auto& m = it->second;
    if (m.join_waiter) {
        join_result r;
        r.error = error_code::unknown_member_id;
        r.member_id = member_id;
        out_.joins.emplace_back(m.join_waiter, std::move(r));
    }
    if (m.sync_waiter) {
        sync_result r;
        r.error = error_code::unknown_member_id;
        out_.syncs.emplace_back(m.sync_waiter, std::move(r));
    }
    if (m.instance_id) instances_.erase(*m.instance_id);
    members_.erase(it);
    switch (state_) {
        case group_state::stable:
        case group_state::completing_rebalance:
            prepare_rebalance(now_ms);
            maybe_complete_join(now_ms);
            break;
        case group_state::preparing_rebalance:
            maybe_complete_join(now_ms);
            break;
        default:
            break;
    }
}

error_code group::leave(const std::string& member_id,
                        const std::optional<std::string>& instance_id, int64_t now_ms) {
    if (state_ == group_state::dead) return error_code::coordinator_not_available;
    std::string id = member_id;
    if (instance_id) {
        auto inst = instances_.find(*instance_id);
        if (inst == instances_.end()) return error_code::unknown_member_id;
        if (!id.empty() && inst->second != id) return error_code::fenced_instance_id;
        id = inst->second;
    }
    if (!members_.count(id)) return error_code::unknown_member_id;
    remove_member(id, now_ms);
    return error_code::none;
}

error_code group::validate_commit(const std::string& member_id,
                                  const std::optional<std::string>& instance_id,
                                  int32_t generation) const {
    if (state_ == group_state::dead) return error_code::coordinator_not_available;
    if (generation < 0) {
        // A simple commit (no group membership): only while the group is Empty.
        return members_.empty() ? error_code::none : error_code::unknown_member_id;
    }
    if (instance_id) {
        auto inst = instances_.find(*instance_id);
        if (inst != instances_.end() && inst->second != member_id)
            return error_code::fenced_instance_id;
    }
    if (!members_.count(member_id)) return error_code::unknown_member_id;
    if (generation != generation_) return error_code::illegal_generation;
    if (state_ == group_state::completing_rebalance) return error_code::rebalance_in_progress;
    return error_code::none;
}

void group::tick(int64_t now_ms) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second <= now_ms)
            it = pending_.erase(it);
        else
            ++it;
    }
    std::vector<std::string> expired;
    for (auto& [id, m] : members_) {
        // A member parked in JoinGroup is alive; the rebalance timeout covers it.
        if (m.join_waiter && state_ == group_state::preparing_rebalance) continue;
        if (m.last_heartbeat_ms + m.session_timeout_ms <= now_ms) expired.push_back(id);
    }
    for (auto& id : expired) remove_member(id, now_ms);
    maybe_complete_join(now_ms);
}

error_code group::remove() {
    if (state_ == group_state::dead) return error_code::group_id_not_found;
    if (!members_.empty()) return error_code::non_empty_group;
    set_state(group_state::dead, state_timestamp_);
    return error_code::none;
}

void group::restore(std::string protocol_type, int32_t generation,
                    std::optional<std::string> protocol_name, std::string leader,
                    int64_t state_timestamp, std::vector<member> members, int64_t now_ms) {
    protocol_type_ = std::move(protocol_type);
    generation_ = generation;
    protocol_name_ = std::move(protocol_name);
    leader_ = std::move(leader);
    members_.clear();
    instances_.clear();
    for (auto& m : members) {
        m.last_heartbeat_ms = now_ms;
        m.join_waiter = m.sync_waiter = 0;
        if (m.instance_id) instances_[*m.instance_id] = m.member_id;
        std::string id = m.member_id;
        members_[id] = std::move(m);
    }
    state_ = members_.empty() ? group_state::empty : group_state::stable;
    state_timestamp_ = state_timestamp;
    if (members_.empty()) leader_.clear();
}

std::vector<std::string> group::subscribed_topics() const {
    std::vector<std::string> out;
    if (protocol_type_ != "consumer") return out;
    for (auto& [id, m] : members_) {
        const protocol::bytes* md = nullptr;
        if (protocol_name_) md = m.metadata_for(*protocol_name_);
        if (!md && !m.protocols.empty()) md = &m.protocols.front().second;
        if (!md) continue;
        auto topics = parse_subscription_topics(*md);
        if (topics) out.insert(out.end(), topics->begin(), topics->end());
    }
    return out;
}

std::optional<std::vector<std::string>> parse_subscription_topics(protocol::byte_view metadata) {
    try {
        protocol::reader r(metadata);
        int16_t version = r.i16();
        if (version < 0) return std::nullopt;
        int32_t n = r.i32();
        if (n < 0) return std::vector<std::string>{};
        std::vector<std::string> topics;
        for (int32_t i = 0; i < n; ++i) {
            int16_t len = r.i16();
            if (len < 0) return std::nullopt;
            auto b = r.take(size_t(len));
            topics.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
        }
        return topics;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace sluice::broker::groups
