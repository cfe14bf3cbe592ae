// kafkajs over TLS (SSL and SASL_SSL listeners), run by tests/integration/test_tls.py.
//
//   node tls.js <brokers> <topic> <options-json>
//
// options (JSON): {
//   "ca": "<path of the CA PEM>",                         (required)
//   "cert": "<client certificate PEM path>", "key": "<client key PEM path>",  (optional)
//   "sasl": {"mechanism": "scram-sha-512", "username": "...", "password": "..."}, (optional)
//   "count": 5,              small keyed records k0..k<count-1> to partition 0
//   "bigBytes": 0,           if > 0: one more record, key "big", of that many random bytes
//   "compression": "none"    or "gzip" (kafkajs has GZIP built in)
// }
// Fetches the cluster's brokers with admin.describeCluster(), produces the records
// (acks -1) to partition 0 of an existing topic, then reads them back with a group
// consumer from the beginning.
//
// The last stdout line is always one JSON object:
//   success: {"ok": true, "brokers": [{nodeId, host, port}], "sent": [RecordMetadata...],
//             "sentRecords": [{key, length, sha256}], "received": [{partition, offset, key,
//             length, sha256, value (if shorter than 200 bytes)}], "elapsedMs"}
//   failure: {"ok": false, "stage": "connect"|"produce"|"consume", "error": <error name>,
//             "message": <error message>, "elapsedMs"}  (exit code 1)
// The stack of a failure goes to stderr. A watchdog exits 4 after 60 s.
'use strict'
const crypto = require('crypto')
const fs = require('fs')
const { kafkajs } = require('./common')
const { waitFor, groupConsumer } = require('./groups_common')

const stderrLogCreator = () => ({ namespace, label, log }) => {
  process.stderr.write(`[kafkajs ${label}] ${namespace}: ${log.message}\n`)
}

const [brokers, topic, optionsArg] = process.argv.slice(2)
if (!brokers || !topic || !optionsArg) {
  process.stderr.write('usage: node tls.js <brokers> <topic> <options-json>\n')
  process.exit(2)
}
const options = JSON.parse(optionsArg)
const count = options.count === undefined ? 5 : options.count
const bigBytes = options.bigBytes || 0
const compression = options.compression === 'gzip'
  ? kafkajs.CompressionTypes.GZIP
  : kafkajs.CompressionTypes.None
const started = Date.now()

const ssl = {
  ca: [fs.readFileSync(options.ca, 'utf-8')],
  rejectUnauthorized: true
}
if (options.cert) ssl.cert = fs.readFileSync(options.cert, 'utf-8')
if (options.key) ssl.key = fs.readFileSync(options.key, 'utf-8')

const kafka = new kafkajs.Kafka({
  clientId: 'sluice-it-kafkajs-tls',
  brokers: brokers.split(','),
  ssl,
  sasl: options.sasl,
  connectionTimeout: 5000,
  authenticationTimeout: 10000,
  requestTimeout: 15000,
  retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  logLevel: kafkajs.logLevel.WARN,
  logCreator: stderrLogCreator
})

const sha256 = buf => crypto.createHash('sha256').update(buf).digest('hex')
let stage = 'connect'

async function main () {
  const admin = kafka.admin()
  await admin.connect()
  let cluster
  try {
    cluster = await admin.describeCluster()
  } finally {
    await admin.disconnect()
  }

  const messages = Array.from({ length: count }, (_, i) => ({
    partition: 0,
    key: `k${i}`,
    value: Buffer.from(`kafkajs tls value ${i}`)
  }))
  const big = bigBytes > 0
    ? { partition: 0, key: 'big', value: crypto.randomBytes(bigBytes) }
    : null

  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const sent = []
  try {
    stage = 'produce'
    if (messages.length) {
      sent.push(...await producer.send({ topic, acks: -1, compression, messages }))
    }
    if (big) {
      sent.push(...await producer.send({ topic, acks: -1, compression, messages: [big] }))
    }
  } finally {
    await producer.disconnect()
  }
  const all = big ? messages.concat([big]) : messages
  const sentRecords = all.map(m => ({
    key: m.key, length: m.value.length, sha256: sha256(m.value)
  }))

  stage = 'consume'
  const groupId = `sluice-it-tls-${process.pid}-${Date.now()}`
  const consumer = groupConsumer(kafka, groupId)
  const received = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = message.value
        received.push({
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          length: value === null ? null : value.length,
          sha256: value === null ? null : sha256(value),
          value: value !== null && value.length < 200 ? value.toString() : undefined
        })
      }
    })
    await waitFor(() => received.length >= all.length, 30000, `${all.length} messages of ${topic}`)
  } finally {
    await consumer.disconnect()
  }
  return {
    ok: true,
    brokers: cluster.brokers.map(b => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    sent,
    sentRecords,
    received,
    elapsedMs: Date.now() - started
  }
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
