#pragma once
// InitProducerId (key 22). Null TransactionalId = idempotent producer only.
// v3+ may pass the current ProducerId/ProducerEpoch to bump the epoch.

#include "protocol/codec.h"

namespace sluice::protocol {

struct init_producer_id_request {
    static constexpr int16_t api_key = 22;
    static constexpr const char* schema_name = "InitProducerIdRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 2;

    std::optional<std::string> transactional_id;
    int32_t transaction_timeout_ms = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("TransactionalId", s.transactional_id, field_spec(since(0)).nullable_in(since(0)));
        v("TransactionTimeoutMs", s.transaction_timeout_ms, since(0));
        v("ProducerId", s.producer_id, since(3));
        v("ProducerEpoch", s.producer_epoch, since(3));
    }
    bool operator==(const init_producer_id_request&) const = default;
};

struct init_producer_id_response {
    static constexpr int16_t api_key = 22;
    static constexpr const char* schema_name = "InitProducerIdResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 2;

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ErrorCode", s.error_code, since(0));
        v("ProducerId", s.producer_id, since(0));
        v("ProducerEpoch", s.producer_epoch, since(0));
    }
    bool operator==(const init_producer_id_response&) const = default;
};

}  // namespace sluice::protocol
