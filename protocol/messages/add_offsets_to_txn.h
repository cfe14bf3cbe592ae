#pragma once
// AddOffsetsToTxn (key 25).

#include "protocol/codec.h"

namespace sluice::protocol {

struct add_offsets_to_txn_request {
    static constexpr int16_t api_key = 25;
    static constexpr const char* schema_name = "AddOffsetsToTxnRequest";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    std::string transactional_id;
    int64_t producer_id = 0;
    int16_t producer_epoch = 0;
    std::string group_id;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("TransactionalId", s.transactional_id, since(0));
        v("ProducerId", s.producer_id, since(0));
        v("ProducerEpoch", s.producer_epoch, since(0));
        v("GroupId", s.group_id, since(0));
    }
    bool operator==(const add_offsets_to_txn_request&) const = default;
};

struct add_offsets_to_txn_response {
    static constexpr int16_t api_key = 25;
    static constexpr const char* schema_name = "AddOffsetsToTxnResponse";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ErrorCode", s.error_code, since(0));
    }
    bool operator==(const add_offsets_to_txn_response&) const = default;
};

}  // namespace sluice::protocol
