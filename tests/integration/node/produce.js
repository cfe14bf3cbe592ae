// kafkajs producer: acks -1, one GZIP-compressed send and one uncompressed send
// to partition 0 of an existing topic. Prints the RecordMetadata of both sends.
'use strict'
const { kafkajs, run } = require('./common')

run(async (kafka, topic) => {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    const gzip = await producer.send({
      topic,
      acks: -1,
      compression: kafkajs.CompressionTypes.GZIP,
      messages: Array.from({ length: 20 }, (_, i) => ({
        partition: 0,
        key: `k${i}`,
        value: `gzip value ${i} `.repeat(1 + (i % 5)),
        headers: { source: 'kafkajs', index: String(i) },
        timestamp: String(1650000000000 + i)
      }))
    })
    const plain = await producer.send({
      topic,
      acks: -1,
      messages: [{ partition: 0, key: 'plain', value: 'uncompressed' }]
    })
    return { gzip, plain }
  } finally {
    await producer.disconnect()
  }
})
