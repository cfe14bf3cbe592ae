#pragma once
// Kafka error codes, by name, in one table. Module errors are translated to
// these at the handler edge.

#include <cstdint>
#include <string_view>

namespace sluice::protocol {

#define SLUICE_KAFKA_ERRORS(X)                   \
    X(unknown_server_error, -1)                  \
    X(none, 0)                                   \
    X(offset_out_of_range, 1)                    \
    X(corrupt_message, 2)                        \
    X(unknown_topic_or_partition, 3)             \
    X(invalid_fetch_size, 4)                     \
    X(leader_not_available, 5)                   \
    X(not_leader_or_follower, 6)                 \
    X(request_timed_out, 7)                      \
    X(broker_not_available, 8)                   \
    X(replica_not_available, 9)                  \
    X(message_too_large, 10)                     \
    X(stale_controller_epoch, 11)                \
    X(offset_metadata_too_large, 12)             \
    X(network_exception, 13)                     \
    X(coordinator_load_in_progress, 14)          \
    X(coordinator_not_available, 15)             \
    X(not_coordinator, 16)                       \
    X(invalid_topic_exception, 17)               \
    X(record_list_too_large, 18)                 \
    X(not_enough_replicas, 19)                   \
    X(not_enough_replicas_after_append, 20)      \
    X(invalid_required_acks, 21)                 \
    X(illegal_generation, 22)                    \
    X(inconsistent_group_protocol, 23)           \
    X(invalid_group_id, 24)                      \
    X(unknown_member_id, 25)                     \
    X(invalid_session_timeout, 26)               \
    X(rebalance_in_progress, 27)                 \
    X(invalid_commit_offset_size, 28)            \
    X(topic_authorization_failed, 29)            \
    X(group_authorization_failed, 30)            \
    X(cluster_authorization_failed, 31)          \
    X(invalid_timestamp, 32)                     \
    X(unsupported_sasl_mechanism, 33)            \
    X(illegal_sasl_state, 34)                    \
    X(unsupported_version, 35)                   \
    X(topic_already_exists, 36)                  \
    X(invalid_partitions, 37)                    \
    X(invalid_replication_factor, 38)            \
    X(invalid_replica_assignment, 39)            \
    X(invalid_config, 40)                        \
    X(not_controller, 41)                        \
    X(invalid_request, 42)                       \
    X(unsupported_for_message_format, 43)        \
    X(policy_violation, 44)                      \
    X(out_of_order_sequence_number, 45)          \
    X(duplicate_sequence_number, 46)             \
    X(invalid_producer_epoch, 47)                \
    X(invalid_txn_state, 48)                     \
    X(invalid_producer_id_mapping, 49)           \
    X(invalid_transaction_timeout, 50)           \
    X(concurrent_transactions, 51)               \
    X(transaction_coordinator_fenced, 52)        \
    X(transactional_id_authorization_failed, 53) \
    X(security_disabled, 54)                     \
    X(operation_not_attempted, 55)               \
    X(kafka_storage_error, 56)                   \
    X(log_dir_not_found, 57)                     \
    X(sasl_authentication_failed, 58)            \
    X(unknown_producer_id, 59)                   \
    X(reassignment_in_progress, 60)              \
    X(invalid_principal_type, 67)                \
    X(non_empty_group, 68)                       \
    X(group_id_not_found, 69)                    \
    X(fetch_session_id_not_found, 70)            \
    X(invalid_fetch_session_epoch, 71)           \
    X(listener_not_found, 72)                    \
    X(topic_deletion_disabled, 73)               \
    X(fenced_leader_epoch, 74)                   \
    X(unknown_leader_epoch, 75)                  \
    X(unsupported_compression_type, 76)          \
    X(stale_broker_epoch, 77)                    \
    X(offset_not_available, 78)                  \
    X(member_id_required, 79)                    \
    X(preferred_leader_not_available, 80)        \
    X(group_max_size_reached, 81)                \
    X(fenced_instance_id, 82)                    \
    X(eligible_leaders_not_available, 83)        \
    X(election_not_needed, 84)                   \
    X(no_reassignment_in_progress, 85)           \
    X(group_subscribed_to_topic, 86)             \
    X(invalid_record, 87)                        \
    X(unstable_offset_commit, 88)                \
    X(throttling_quota_exceeded, 89)             \
    X(producer_fenced, 90)                       \
    X(resource_not_found, 91)                    \
    X(duplicate_resource, 92)                    \
    X(unacceptable_credential, 93)               \
    X(unknown_topic_id, 100)                     \
    X(inconsistent_topic_id, 103)                \
    X(inconsistent_cluster_id, 104)              \
    X(transactional_id_not_found, 105)            \
    X(unsupported_endpoint_type, 119)

enum class error_code : int16_t {
#define SLUICE_X(name, value) name = value,
    SLUICE_KAFKA_ERRORS(SLUICE_X)
#undef SLUICE_X
};

constexpr int16_t code(error_code e) { return static_cast<int16_t>(e); }

constexpr std::string_view error_name(error_code e) {
    switch (e) {
#define SLUICE_X(name, value) \
    case error_code::name:    \
        return #name;
        SLUICE_KAFKA_ERRORS(SLUICE_X)
#undef SLUICE_X
    }
    return "unknown_error_code";
}

}  // namespace sluice::protocol
