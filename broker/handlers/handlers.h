#pragma once
// Declarations of every API handler (one .cpp per API in this folder) and the
// helpers they share.

#include "broker/broker.h"
#include "broker/handler.h"
#include "protocol/errors.h"
#include "protocol/messages/all.h"

namespace sluice::broker {

using protocol::code;
using protocol::error_code;

awaitable<protocol::api_versions_response> handle_api_versions(request_context&, protocol::api_versions_request&);
awaitable<protocol::metadata_response> handle_metadata(request_context&, protocol::metadata_request&);
awaitable<std::optional<protocol::produce_response>> handle_produce(request_context&, protocol::produce_request&);
awaitable<protocol::fetch_response> handle_fetch(request_context&, protocol::fetch_request&);
awaitable<protocol::list_offsets_response> handle_list_offsets(request_context&, protocol::list_offsets_request&);

// Admin APIs
awaitable<protocol::create_topics_response> handle_create_topics(request_context&, protocol::create_topics_request&);
awaitable<protocol::delete_topics_response> handle_delete_topics(request_context&, protocol::delete_topics_request&);
awaitable<protocol::create_partitions_response> handle_create_partitions(request_context&, protocol::create_partitions_request&);
awaitable<protocol::describe_configs_response> handle_describe_configs(request_context&, protocol::describe_configs_request&);
awaitable<protocol::alter_configs_response> handle_alter_configs(request_context&, protocol::alter_configs_request&);
awaitable<protocol::incremental_alter_configs_response> handle_incremental_alter_configs(request_context&, protocol::incremental_alter_configs_request&);
awaitable<protocol::delete_records_response> handle_delete_records(request_context&, protocol::delete_records_request&);
awaitable<protocol::describe_cluster_response> handle_describe_cluster(request_context&, protocol::describe_cluster_request&);

// SASL (the exchange itself runs in the connection; these answer out-of-place requests)
awaitable<protocol::sasl_handshake_response> handle_sasl_handshake(request_context&, protocol::sasl_handshake_request&);
awaitable<protocol::sasl_authenticate_response> handle_sasl_authenticate(request_context&, protocol::sasl_authenticate_request&);

// Idempotent producers
awaitable<protocol::init_producer_id_response> handle_init_producer_id(request_context&, protocol::init_producer_id_request&);

// Consumer groups (broker/groups)
awaitable<protocol::find_coordinator_response> handle_find_coordinator(request_context&, protocol::find_coordinator_request&);
awaitable<protocol::join_group_response> handle_join_group(request_context&, protocol::join_group_request&);
awaitable<protocol::sync_group_response> handle_sync_group(request_context&, protocol::sync_group_request&);
awaitable<protocol::heartbeat_response> handle_heartbeat(request_context&, protocol::heartbeat_request&);
awaitable<protocol::leave_group_response> handle_leave_group(request_context&, protocol::leave_group_request&);
awaitable<protocol::offset_commit_response> handle_offset_commit(request_context&, protocol::offset_commit_request&);
awaitable<protocol::offset_fetch_response> handle_offset_fetch(request_context&, protocol::offset_fetch_request&);
awaitable<protocol::list_groups_response> handle_list_groups(request_context&, protocol::list_groups_request&);
awaitable<protocol::describe_groups_response> handle_describe_groups(request_context&, protocol::describe_groups_request&);
awaitable<protocol::delete_groups_response> handle_delete_groups(request_context&, protocol::delete_groups_request&);
awaitable<protocol::offset_delete_response> handle_offset_delete(request_context&, protocol::offset_delete_request&);

}  // namespace sluice::broker
