// The table of implemented APIs. ApiVersions advertises exactly this.
#include "broker/handlers/handlers.h"

#include <algorithm>

namespace sluice::broker {

using namespace protocol;

const std::vector<api_handler>& api_handlers() {
    static const std::vector<api_handler> table = [] {
        std::vector<api_handler> t{
            make_handler<produce_request, produce_response, &handle_produce>("Produce"),
            make_handler<fetch_request, fetch_response, &handle_fetch>("Fetch"),
            make_handler<list_offsets_request, list_offsets_response, &handle_list_offsets>(
                "ListOffsets"),
            make_handler<metadata_request, metadata_response, &handle_metadata>("Metadata"),
            make_handler<api_versions_request, api_versions_response, &handle_api_versions>(
                "ApiVersions"),
            make_handler<create_topics_request, create_topics_response, &handle_create_topics>("CreateTopics"),
            make_handler<delete_topics_request, delete_topics_response, &handle_delete_topics>("DeleteTopics"),
            make_handler<create_partitions_request, create_partitions_response, &handle_create_partitions>("CreatePartitions"),
            make_handler<describe_configs_request, describe_configs_response, &handle_describe_configs>("DescribeConfigs"),
            make_handler<alter_configs_request, alter_configs_response, &handle_alter_configs>("AlterConfigs"),
            make_handler<incremental_alter_configs_request, incremental_alter_configs_response, &handle_incremental_alter_configs>("IncrementalAlterConfigs"),
            make_handler<delete_records_request, delete_records_response, &handle_delete_records>("DeleteRecords"),
            make_handler<describe_cluster_request, describe_cluster_response, &handle_describe_cluster>("DescribeCluster"),
            make_handler<sasl_handshake_request, sasl_handshake_response, &handle_sasl_handshake>("SaslHandshake"),
            make_handler<sasl_authenticate_request, sasl_authenticate_response, &handle_sasl_authenticate>("SaslAuthenticate"),
            make_handler<init_producer_id_request, init_producer_id_response, &handle_init_producer_id>("InitProducerId"),
            make_handler<find_coordinator_request, find_coordinator_response, &handle_find_coordinator>("FindCoordinator"),
            make_handler<join_group_request, join_group_response, &handle_join_group>("JoinGroup"),
            make_handler<sync_group_request, sync_group_response, &handle_sync_group>("SyncGroup"),
            make_handler<heartbeat_request, heartbeat_response, &handle_heartbeat>("Heartbeat"),
            make_handler<leave_group_request, leave_group_response, &handle_leave_group>("LeaveGroup"),
            make_handler<offset_commit_request, offset_commit_response, &handle_offset_commit>("OffsetCommit"),
            make_handler<offset_fetch_request, offset_fetch_response, &handle_offset_fetch>("OffsetFetch"),
            make_handler<list_groups_request, list_groups_response, &handle_list_groups>("ListGroups"),
            make_handler<describe_groups_request, describe_groups_response, &handle_describe_groups>("DescribeGroups"),
            make_handler<delete_groups_request, delete_groups_response, &handle_delete_groups>("DeleteGroups"),
            make_handler<offset_delete_request, offset_delete_response, &handle_offset_delete>("OffsetDelete"),
        };
        std::sort(t.begin(), t.end(), [](auto& a, auto& b) { return a.key < b.key; });
        return t;
    }();
    return table;
}

const api_handler* find_handler(int16_t key) {
    static const auto index = [] {
        std::array<const api_handler*, 128> idx{};
        for (auto& h : api_handlers())
            if (h.key >= 0 && h.key < 128) idx[size_t(h.key)] = &h;
        return idx;
    }();
    return key >= 0 && key < 128 ? index[size_t(key)] : nullptr;
}

}  // namespace sluice::broker
