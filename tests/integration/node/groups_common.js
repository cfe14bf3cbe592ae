// Helpers for the consumer-group kafkajs scripts (groups_*.js), on top of common.js.
// Extra arguments after <brokers> <topic> are read from process.argv.slice(4).
'use strict'

const SESSION_TIMEOUT_MS = 6000 // the broker's default group.min.session.timeout.ms
const HEARTBEAT_MS = 500

// Bounded wait: resolves once pred() is truthy, rejects naming `what` after timeoutMs.
function waitFor (pred, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const tick = () => {
      let v
      try {
        v = pred()
      } catch (e) {
        return reject(e)
      }
      if (v) return resolve(v)
      if (Date.now() >= deadline) {
        return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }
      setTimeout(tick, 50)
    }
    tick()
  })
}

function groupConsumer (kafka, groupId, extra) {
  return kafka.consumer(Object.assign({
    groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_MS,
    maxWaitTimeInMs: 100,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 }
  }, extra || {}))
}

function extraArgs () {
  return process.argv.slice(4)
}

module.exports = { waitFor, groupConsumer, extraArgs, SESSION_TIMEOUT_MS }
