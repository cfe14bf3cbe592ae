#include "storage/log_manager.h"

#include "storage/checkpoint.h"
#include "storage/durable_file.h"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <system_error>

namespace sluice::storage {

namespace fs = std::filesystem;

std::optional<topic_partition> parse_log_dir_name(std::string_view name) {
    auto dash = name.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
    auto part = name.substr(dash + 1);
    for (char c : part)
        if (c < '0' || c > '9') return std::nullopt;
    int32_t p = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), p);
    if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    return topic_partition{std::string(name.substr(0, dash)), p};
}

log_manager::log_manager(std::vector<fs::path> log_dirs) : log_dirs_(std::move(log_dirs)) {
    if (log_dirs_.empty()) throw std::invalid_argument("log_manager: no log dirs");
    for (auto& d : log_dirs_) {
        std::error_code ec;
        fs::create_directories(d, ec);
        if (ec) throw std::system_error(ec, "create log dir " + d.string());
    }
}

namespace {

offset_checkpoint read_or_warn(const fs::path& file) {
    try {
        return read_offset_checkpoint(file);
    } catch (const checkpoint_error& e) {
        spdlog::warn("ignoring unreadable checkpoint: {}", e.what());
        return {};
    }
}

}  // namespace

std::vector<discovered_log> log_manager::discover() {
    std::lock_guard lock(mu_);
    std::map<topic_partition, discovered_log> found;
    for (auto& log_dir : log_dirs_) {
        auto recovery = read_or_warn(log_dir / recovery_point_checkpoint_file);
        auto start = read_or_warn(log_dir / log_start_offset_checkpoint_file);
        auto hw = read_or_warn(log_dir / replication_offset_checkpoint_file);
        auto marker = log_dir / clean_shutdown_marker_file;
        std::error_code ec;
        bool clean = fs::exists(marker, ec);

        for (const auto& e : fs::directory_iterator(log_dir, ec)) {
            if (!e.is_directory()) continue;
            auto tp = parse_log_dir_name(e.path().filename().string());
            if (!tp) continue;
            if (auto it = found.find(*tp); it != found.end()) {
                spdlog::warn("partition {} found in both {} and {}; using the first",
                             tp->dir_name(), it->second.log_dir.string(), log_dir.string());
                continue;
            }
            discovered_log d;
            d.tp = *tp;
            d.dir = e.path();
            d.log_dir = log_dir;
            d.clean_shutdown = clean;
            if (auto it = recovery.find(*tp); it != recovery.end()) d.recovery_point = it->second;
            if (auto it = start.find(*tp); it != start.end()) d.log_start_offset = it->second;
            if (auto it = hw.find(*tp); it != hw.end()) d.high_watermark = it->second;
            found[*tp] = d;
            placed_[*tp] = log_dir;
        }
        if (ec) throw std::system_error(ec, "list log dir " + log_dir.string());

        if (clean) {
            // From now on a crash must count as unclean.
            if (::unlink(marker.c_str()) != 0) throw_io_error("remove", marker);
            fsync_directory(log_dir);
        }
    }
    std::vector<discovered_log> out;
    out.reserve(found.size());
    for (auto& [tp, d] : found) out.push_back(std::move(d));
    return out;
}

fs::path log_manager::dir_for(const topic_partition& tp) {
    std::lock_guard lock(mu_);
    if (auto it = placed_.find(tp); it != placed_.end()) return it->second;
    std::map<fs::path, size_t> counts;
    for (auto& [p, d] : placed_) ++counts[d];
    const fs::path* best = &log_dirs_.front();
    for (auto& d : log_dirs_)
        if (counts[d] < counts[*best]) best = &d;
    placed_[tp] = *best;
    return *best;
}

void log_manager::release(const topic_partition& tp) {
    std::lock_guard lock(mu_);
    placed_.erase(tp);
}

void log_manager::write_checkpoints(const std::vector<checkpoint_entry>& entries) {
    std::lock_guard lock(mu_);
    struct per_dir {
        offset_checkpoint recovery, start, hw;
    };
    std::map<fs::path, per_dir> dirs;
    for (auto& d : log_dirs_) dirs[d];
    for (auto& e : entries) {
        auto dir =
            e.log_dir.empty() ? placed_.count(e.tp) ? placed_[e.tp] : log_dirs_.front() : e.log_dir;
        auto& pd = dirs[dir];
        pd.recovery[e.tp] = e.recovery_point;
        pd.start[e.tp] = e.log_start_offset;
        pd.hw[e.tp] = e.high_watermark;
    }
    for (auto& [dir, pd] : dirs) {
        write_offset_checkpoint(dir / recovery_point_checkpoint_file, pd.recovery);
        write_offset_checkpoint(dir / log_start_offset_checkpoint_file, pd.start);
        write_offset_checkpoint(dir / replication_offset_checkpoint_file, pd.hw);
    }
}

void log_manager::mark_clean_shutdown() {
    std::lock_guard lock(mu_);
    for (auto& d : log_dirs_) write_file_durably(d / clean_shutdown_marker_file, "");
}

namespace {

std::map<std::string, std::string> parse_properties(const std::string& text) {
    std::map<std::string, std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(start, nl - start);
        start = nl + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#' || line[0] == '!') continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

}  // namespace

std::string log_manager::ensure_meta_properties(int32_t node_id,
                                                const std::string& new_cluster_id) {
    std::lock_guard lock(mu_);
    std::string cluster_id;
    std::vector<fs::path> missing;
    for (auto& d : log_dirs_) {
        auto file = d / meta_properties_file;
        auto text = read_file_if_exists(file);
        if (!text) {
            missing.push_back(file);
            continue;
        }
        auto props = parse_properties(*text);
        if (props.count("node.id") && props["node.id"] != std::to_string(node_id))
            throw std::runtime_error(file.string() + " belongs to node " + props["node.id"] +
                                     ", not node " + std::to_string(node_id));
        auto id = props["cluster.id"];
        if (!cluster_id.empty() && !id.empty() && id != cluster_id)
            throw std::runtime_error(file.string() + " has cluster.id " + id +
                                     " but another log dir has " + cluster_id);
        if (!id.empty()) cluster_id = id;
    }
    if (cluster_id.empty()) cluster_id = new_cluster_id;
    for (auto& file : missing)
        write_file_durably(file, "#\n#Written by sluiced\nversion=1\nnode.id=" +
                                     std::to_string(node_id) + "\ncluster.id=" + cluster_id + "\n");
    return cluster_id;
}

}  // namespace sluice::storage
