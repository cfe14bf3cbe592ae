#pragma once
// The single list of implemented message types, shared by the protocol tests.
// Grouped so the heavy round-trip tests can be split across translation units;
// `all_messages` is their concatenation and is what the schema cross-check uses.

#include "protocol/messages/all.h"

#include <tuple>
#include <type_traits>

namespace sluice::protocol::test {

using core_messages = std::tuple<  //
    produce_request, produce_response, fetch_request, fetch_response, list_offsets_request,
    list_offsets_response, metadata_request, metadata_response, api_versions_request,
    api_versions_response>;

using admin_messages = std::tuple<  //
    create_topics_request, create_topics_response, delete_topics_request, delete_topics_response,
    create_partitions_request, create_partitions_response, describe_configs_request,
    describe_configs_response, alter_configs_request, alter_configs_response,
    incremental_alter_configs_request, incremental_alter_configs_response, delete_records_request,
    delete_records_response, describe_cluster_request, describe_cluster_response>;

using group_messages = std::tuple<  //
    find_coordinator_request, find_coordinator_response, join_group_request, join_group_response,
    sync_group_request, sync_group_response, heartbeat_request, heartbeat_response,
    leave_group_request, leave_group_response, offset_commit_request, offset_commit_response,
    offset_fetch_request, offset_fetch_response, list_groups_request, list_groups_response,
    describe_groups_request, describe_groups_response, delete_groups_request,
    delete_groups_response, offset_delete_request, offset_delete_response>;

using auth_txn_messages = std::tuple<  //
    sasl_handshake_request, sasl_handshake_response, sasl_authenticate_request,
    sasl_authenticate_response, init_producer_id_request, init_producer_id_response,
    add_partitions_to_txn_request, add_partitions_to_txn_response, add_offsets_to_txn_request,
    add_offsets_to_txn_response, end_txn_request, end_txn_response, txn_offset_commit_request,
    txn_offset_commit_response, describe_acls_request, describe_acls_response, create_acls_request,
    create_acls_response, delete_acls_request, delete_acls_response,
    offset_for_leader_epoch_request, offset_for_leader_epoch_response, describe_producers_request,
    describe_producers_response, describe_log_dirs_request, describe_log_dirs_response>;

using all_messages =
    decltype(std::tuple_cat(std::declval<core_messages>(), std::declval<admin_messages>(),
                            std::declval<group_messages>(), std::declval<auth_txn_messages>()));

// Calls f.template operator()<M>() for every M in the tuple type.
template <class Tuple, class F>
void for_each_message(F&& f) {
    [&]<size_t... I>(std::index_sequence<I...>) {
        (f.template operator()<std::tuple_element_t<I, Tuple>>(), ...);
    }
    (std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

}  // namespace sluice::protocol::test
