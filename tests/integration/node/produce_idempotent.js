// kafkajs idempotent producer (idempotent: true, maxInFlightRequests: 1, acks -1):
// three sends of 50 keyed messages to an existing 3-partition topic. Prints the
// RecordMetadata of every send.
'use strict'
const { run } = require('./common')

run(async (kafka, topic) => {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1
  })
  await producer.connect()
  try {
    const sends = []
    for (let round = 0; round < 3; round++) {
      sends.push(await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 50 }, (_, i) => ({
          key: `key-${i % 7}`,
          value: `round ${round} message ${i}`
        }))
      }))
    }
    return { sends }
  } finally {
    await producer.disconnect()
  }
})
