#include "protocol/request_decoder.h"

#include "protocol/messages/all.h"

namespace sluice::protocol {
namespace {

template <class... Ms>
struct request_list {};

using all_requests =
    request_list<produce_request, fetch_request, list_offsets_request, metadata_request,
                 offset_commit_request, offset_fetch_request, find_coordinator_request,
                 join_group_request, heartbeat_request, leave_group_request, sync_group_request,
                 describe_groups_request, list_groups_request, sasl_handshake_request,
                 api_versions_request, create_topics_request, delete_topics_request,
                 delete_records_request, init_producer_id_request,
                 offset_for_leader_epoch_request, add_partitions_to_txn_request,
                 add_offsets_to_txn_request, end_txn_request, txn_offset_commit_request,
                 describe_acls_request, create_acls_request, delete_acls_request,
                 describe_configs_request, alter_configs_request, sasl_authenticate_request,
                 create_partitions_request, delete_groups_request,
                 incremental_alter_configs_request, offset_delete_request,
                 describe_cluster_request>;

template <class M>
bool try_decode(const request_header& peek, byte_view frame, decoded_request& out) {
    if (peek.api_key != M::api_key) return false;
    if (!M::valid.contains(peek.api_version)) return true;
    bool flexible = is_flexible<M>(peek.api_version);
    reader r(frame);
    out.header = read_request_header(r, flexible);
    (void)decode<M>(r, peek.api_version);
    out.known = true;
    out.api_name = M::schema_name;
    return true;
}

template <class... Ms>
void dispatch(request_list<Ms...>, const request_header& peek, byte_view frame,
              decoded_request& out) {
    (try_decode<Ms>(peek, frame, out) || ...);
}

}  // namespace

decoded_request decode_any_request(byte_view frame) {
    decoded_request out;
    out.header = peek_request_header(frame);
    dispatch(all_requests{}, out.header, frame, out);
    return out;
}

}  // namespace sluice::protocol
