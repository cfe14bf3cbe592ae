#pragma once
// The Asio parts the broker uses (precompiled; see CMakeLists.txt). <utility>
// first: Boost 1.74's Asio needs std::exchange with GCC 12.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sluice::broker {
namespace asio = boost::asio;
using asio::awaitable;
using tcp = asio::ip::tcp;
using strand = asio::strand<asio::io_context::executor_type>;
}  // namespace sluice::broker
