// kafkajs admin: createTopics (new and existing), listTopics, fetchTopicMetadata.
'use strict'
const { run } = require('./common')

run(async (kafka, topic) => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 10000
    })
    const createdAgain = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 10000
    })
    const listed = await admin.listTopics()
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
    return {
      created,
      createdAgain,
      listed: listed.includes(topic),
      topics: metadata.topics.map(t => ({
        name: t.name,
        partitions: t.partitions
          .map(p => ({
            partitionId: p.partitionId,
            errorCode: p.partitionErrorCode,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr
          }))
          .sort((a, b) => a.partitionId - b.partitionId)
      }))
    }
  } finally {
    await admin.disconnect()
  }
})
