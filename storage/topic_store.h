#pragma once
// Persistent topic metadata (name, id, partition count, config overrides)
// behind an interface, so the cluster work can later back it with the
// __cluster_metadata log without touching its callers.
//
// file_topic_store keeps everything in one text file, <log dir>/__sluice_topics,
// rewritten whole and atomically (write_file_durably) on every change:
//
//   +------------------------------------------------------------------------+
//   | sluice-topics 1                                     header and version |
//   +------------------------------------------------------------------------+
//   | topic <name> <id: 32 hex digits> <partitions> [<key>=<value> ...]      |
//   | ...                                                 one line per topic |
//   +------------------------------------------------------------------------+
//   | end <number of topic lines>                      proves the file whole |
//   +------------------------------------------------------------------------+
//
//   Fields are separated by single spaces; in names, keys and values every
//   byte outside [A-Za-z0-9._-] is written %XX (hex), so spaces, '=', '%',
//   newlines and any UTF-8 survive. Lines end with '\n'. Topics are sorted by
//   name.
//
// A missing file is an empty store; a malformed one makes load() and the
// writers throw topic_store_error naming the file and line.
//
// Threading: file_topic_store is safe to call from any thread (one mutex).

#include "protocol/wire.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::storage {

struct topic_metadata {
    std::string name;
    protocol::uuid id;
    int32_t partitions = 0;
    std::map<std::string, std::string> configs;  // topic-level overrides only
    bool operator==(const topic_metadata&) const = default;
};

struct topic_store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class topic_store {
public:
    virtual ~topic_store() = default;
    // Every stored topic, sorted by name.
    virtual std::vector<topic_metadata> load() = 0;
    // Creates or replaces the topic named t.name; durable when it returns.
    virtual void put(const topic_metadata& t) = 0;
    // Removes the topic (no-op when absent); durable when it returns.
    virtual void remove(const std::string& name) = 0;
};

inline constexpr const char* topic_store_file = "__sluice_topics";

class file_topic_store : public topic_store {
public:
    // The store lives in `log_dir` (the first of log.dirs); nothing is read yet.
    explicit file_topic_store(std::filesystem::path log_dir);

    std::vector<topic_metadata> load() override;
    void put(const topic_metadata& t) override;
    void remove(const std::string& name) override;

    const std::filesystem::path& path() const { return path_; }

private:
    void load_locked();
    void save_locked();

    std::filesystem::path path_;
    std::mutex mu_;
    std::optional<std::map<std::string, topic_metadata>> topics_;  // loaded lazily
};

}  // namespace sluice::storage
