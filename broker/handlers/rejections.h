#pragma once
// Collects the per-item rejections of one admin request (topics, resources or
// partitions) and logs them as a single line with the client id and address.

#include "broker/handler.h"
#include "protocol/errors.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <string>

namespace sluice::broker {

class rejections {
public:
    explicit rejections(const char* noun) : noun_(noun) {}

    void add(const std::string& what, protocol::error_code e, const std::string& msg) {
        if (count_++) text_ += "; ";
        std::string name(protocol::error_name(e));
        for (auto& c : name) c = char(std::toupper(static_cast<unsigned char>(c)));
        text_ += what + ": " + name;
        if (!msg.empty()) text_ += " (" + msg + ")";
    }

    void log(const request_context& ctx, const char* api, bool validate_only = false) const {
        if (count_)
            spdlog::info("{}{} from {} (client '{}') rejected {} {}(s): {}", api,
                         validate_only ? " (validate only)" : "", ctx.peer, ctx.client_id(),
                         count_, noun_, text_);
    }

    int count() const { return count_; }

private:
    const char* noun_;
    std::string text_;
    int count_ = 0;
};

}  // namespace sluice::broker
