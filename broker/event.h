#pragma once
// A one-shot wake-up for coroutines, usable across strands.
//
// A coroutine creates an `event` bound to its own executor and awaits wait(timeout);
// any thread may call notify(), which posts the wake-up to that executor, so the
// waiting coroutine is resumed on its own strand. Shared ownership lets a notifier
// that outlives the waiter (e.g. a partition holding fetch waiters) stay safe.

#include "broker/asio.h"

#include <atomic>
#include <chrono>
#include <memory>

namespace sluice::broker {

class event : public std::enable_shared_from_this<event> {
public:
    template <class Executor>
    static std::shared_ptr<event> make(const Executor& ex) {
        return std::shared_ptr<event>(new event(ex));
    }

    // Returns true if notified, false on timeout.
    awaitable<bool> wait(std::chrono::milliseconds timeout) {
        if (fired_.load(std::memory_order_acquire)) co_return true;
        timer_.expires_after(timeout);
        boost::system::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return fired_.load(std::memory_order_acquire);
    }

    void notify() {
        if (fired_.exchange(true, std::memory_order_acq_rel)) return;
        asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
    }

    bool fired() const { return fired_.load(std::memory_order_acquire); }

private:
    template <class Executor>
    explicit event(const Executor& ex) : timer_(ex, std::chrono::steady_clock::time_point::max()) {}

    asio::steady_timer timer_;
    std::atomic<bool> fired_{false};
};

}  // namespace sluice::broker
