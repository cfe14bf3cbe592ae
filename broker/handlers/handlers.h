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

}  // namespace sluice::broker
