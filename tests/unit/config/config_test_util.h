#pragma once
// Helpers for the config tests: temporary YAML files and error capture.

#include "config/config.h"

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace sluice::config::test {

// A YAML file in a private temporary directory, removed on destruction.
class temp_yaml {
public:
    explicit temp_yaml(const std::string& text, const std::string& name = "sluice.yaml") {
        static std::atomic<int> counter{0};
        dir_ =
            std::filesystem::temp_directory_path() /
            ("sluice-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / name).string();
        std::ofstream(path_) << text;
    }
    ~temp_yaml() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    temp_yaml(const temp_yaml&) = delete;
    temp_yaml& operator=(const temp_yaml&) = delete;
    const std::string& path() const { return path_; }

private:
    std::filesystem::path dir_;
    std::string path_;
};

// The message of the config_error thrown by `f`, or "" if none was thrown.
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

inline broker_config load_text(const std::string& yaml, const std::vector<std::string>& sets = {},
                               const std::map<std::string, std::string>& env = {}) {
    temp_yaml f(yaml);
    return load_broker_config(f.path(), sets, env);
}

inline std::string load_error(const std::string& yaml, const std::vector<std::string>& sets = {},
                              const std::map<std::string, std::string>& env = {}) {
    temp_yaml f(yaml);
    return error_of([&] { load_broker_config(f.path(), sets, env); });
}

}  // namespace sluice::config::test
