// kafkajs over SASL (SaslHandshake v1 + SaslAuthenticate v1), run by
// tests/integration/test_sasl.py.
//
//   node sasl.js <brokers> <topic> <mechanism> <username> <password> [count]
//
// <mechanism> is kafkajs' name: plain, scram-sha-256 or scram-sha-512.
// Produces <count> (default 5) keyed records to partition 0 of an existing topic
// (acks -1), then reads them back with a group consumer from the beginning.
//
// The last stdout line is always one JSON object:
//   success: {"ok": true, "sent": [RecordMetadata...], "received": [{partition, offset, key, value}...], "elapsedMs"}
//   failure: {"ok": false, "stage": "connect"|"produce"|"consume", "error": <error name>,
//             "message": <error message>, "elapsedMs"}  (exit code 1)
// The stack of a failure goes to stderr. A watchdog exits 4 after 60 s.
'use strict'
const { kafkajs } = require('./common')
const { waitFor, groupConsumer } = require('./groups_common')

const stderrLogCreator = () => ({ namespace, label, log }) => {
  process.stderr.write(`[kafkajs ${label}] ${namespace}: ${log.message}\n`)
}

const [brokers, topic, mechanism, username, password, countArg] = process.argv.slice(2)
if (!brokers || !topic || !mechanism || username === undefined || password === undefined) {
  process.stderr.write('usage: node sasl.js <brokers> <topic> <mechanism> <username> <password> [count]\n')
  process.exit(2)
}
const count = countArg ? parseInt(countArg, 10) : 5
const started = Date.now()

const kafka = new kafkajs.Kafka({
  clientId: 'sluice-it-kafkajs-sasl',
  brokers: brokers.split(','),
  sasl: { mechanism, username, password },
  connectionTimeout: 5000,
  authenticationTimeout: 10000,
  requestTimeout: 15000,
  retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  logLevel: kafkajs.logLevel.WARN,
  logCreator: stderrLogCreator
})

let stage = 'connect'

async function main () {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  let sent
  try {
    stage = 'produce'
    sent = await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({
        partition: 0,
        key: `k${i}`,
        value: `kafkajs ${mechanism} value ${i}`
      }))
    })
  } finally {
    await producer.disconnect()
  }

  stage = 'consume'
  const groupId = `sluice-it-sasl-${process.pid}-${Date.now()}`
  const consumer = groupConsumer(kafka, groupId)
  const received = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString()
        })
      }
    })
    await waitFor(() => received.length >= count, 30000, `${count} messages of ${topic}`)
  } finally {
    await consumer.disconnect()
  }
  return { ok: true, sent, received, elapsedMs: Date.now() - started }
}

const watchdog = setTimeout(() => {
  process.stderr.write(`script timed out after 60s (stage ${stage})\n`)
  process.exit(4)
}, 60000)

main().then(result => {
  clearTimeout(watchdog)
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
}, err => {
  clearTimeout(watchdog)
  process.stderr.write(`error: ${err && err.stack ? err.stack : err}\n`)
  process.stdout.write(JSON.stringify({
    ok: false,
    stage,
    error: err && err.name ? err.name : String(err),
    message: err && err.message ? err.message : String(err),
    elapsedMs: Date.now() - started
  }) + '\n')
  process.exit(1)
})
