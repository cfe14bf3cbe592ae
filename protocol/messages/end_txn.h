#pragma once
// EndTxn (key 26). Committed = true commits, false aborts.

#include "protocol/codec.h"

namespace sluice::protocol {

struct end_txn_request {
    static constexpr int16_t api_key = 26;
    static constexpr const char* schema_name = "EndTxnRequest";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    std::string transactional_id;
    int64_t producer_id = 0;
    int16_t producer_epoch = 0;
    bool committed = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("TransactionalId", s.transactional_id, since(0));
        v("ProducerId", s.producer_id, since(0));
        v("ProducerEpoch", s.producer_epoch, since(0));
        v("Committed", s.committed, since(0));
    }
    bool operator==(const end_txn_request&) const = default;
};

struct end_txn_response {
    static constexpr int16_t api_key = 26;
    static constexpr const char* schema_name = "EndTxnResponse";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ErrorCode", s.error_code, since(0));
    }
    bool operator==(const end_txn_response&) const = default;
};

}  // namespace sluice::protocol
