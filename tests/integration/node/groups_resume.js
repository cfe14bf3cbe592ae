// One kafkajs consumer of <groupId> reads exactly <count> records with eachMessage
// (autoCommit off), then, if <mode> is "commit", commits the offset after the last
// record of each partition, and disconnects. Args: <brokers> <topic> <groupId> <count> <mode>
'use strict'
const { run } = require('./common')
const { waitFor, groupConsumer, extraArgs } = require('./groups_common')

run(async (kafka, topic) => {
  const [groupId, countArg, mode] = extraArgs()
  const count = Number(countArg)
  const received = []
  const consumer = groupConsumer(kafka, groupId)
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, offset: Number(message.offset), value: message.value.toString() })
      }
    })
    await waitFor(() => received.length >= count, 45000,
      `${count} records for group ${groupId} (have ${received.length})`)
    const next = {}
    for (const r of received.slice(0, count)) {
      next[r.partition] = Math.max(next[r.partition] || 0, r.offset + 1)
    }
    let committed = null
    if (mode === 'commit') {
      committed = Object.entries(next).map(([p, o]) => ({ topic, partition: Number(p), offset: String(o) }))
      await consumer.commitOffsets(committed)
    }
    return { received, committed }
  } finally {
    await consumer.disconnect()
  }
})
