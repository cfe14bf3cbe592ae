// Shared setup for the kafkajs scripts run by tests/integration/test_kafkajs.py.
// Each script takes <brokers> <topic>, prints one JSON object as its last stdout
// line and exits 0, or prints the error on stderr and exits 1.
'use strict'

let kafkajs
try {
  kafkajs = require('kafkajs')
} catch (e) {
  process.stderr.write('kafkajs is not installed: run deploy/bootstrap.sh deps ' +
    '(npm install in tests/integration/node)\n')
  process.exit(3)
}

// kafkajs logs with console.info by default, which would mix with the JSON on
// stdout: send its log lines to stderr instead.
const stderrLogCreator = () => ({ namespace, level, label, log }) => {
  process.stderr.write(`[kafkajs ${label}] ${namespace}: ${log.message} ` +
    `${JSON.stringify(Object.assign({}, log, { message: undefined, timestamp: undefined, logger: undefined }))}\n`)
}

function makeKafka (brokers) {
  return new kafkajs.Kafka({
    clientId: 'sluice-it-kafkajs',
    brokers: brokers.split(','),
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: kafkajs.logLevel.WARN,
    logCreator: stderrLogCreator
  })
}

function run (main) {
  const [brokers, topic] = process.argv.slice(2)
  if (!brokers || !topic) {
    process.stderr.write('usage: node script.js <brokers> <topic>\n')
    process.exit(2)
  }
  // Never hang: the pytest side also has a timeout, this one reports first.
  const watchdog = setTimeout(() => {
    process.stderr.write('script timed out after 60s\n')
    process.exit(4)
  }, 60000)
  main(makeKafka(brokers), topic).then(result => {
    clearTimeout(watchdog)
    process.stdout.write(JSON.stringify(result) + '\n')
    process.exit(0)
  }, err => {
    clearTimeout(watchdog)
    process.stderr.write(`error: ${err && err.stack ? err.stack : err}\n`)
    process.exit(1)
  })
}

module.exports = { kafkajs, run }
