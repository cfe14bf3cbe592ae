// kafkajs admin on an (empty) consumer group. Args: <brokers> <topic> <groupId> <action>
//   inspect: listGroups, describeGroups, fetchOffsets, resetOffsets (earliest), fetchOffsets
//   delete:  deleteGroups, then listGroups and fetchOffsets
'use strict'
const { run } = require('./common')
const { extraArgs } = require('./groups_common')

const offsets = fetched => fetched.map(t => ({
  topic: t.topic,
  partitions: t.partitions.map(p => ({ partition: p.partition, offset: p.offset }))
    .sort((a, b) => a.partition - b.partition)
}))

run(async (kafka, topic) => {
  const [groupId, action] = extraArgs()
  const admin = kafka.admin()
  await admin.connect()
  try {
    if (action === 'inspect') {
      const listed = await admin.listGroups()
      const described = await admin.describeGroups([groupId])
      const before = await admin.fetchOffsets({ groupId, topics: [topic] })
      await admin.resetOffsets({ groupId, topic, earliest: true })
      const after = await admin.fetchOffsets({ groupId, topics: [topic] })
      return {
        listed: listed.groups,
        described: described.groups.map(g => ({
          groupId: g.groupId,
          errorCode: g.errorCode,
          state: g.state,
          protocolType: g.protocolType,
          members: g.members.length
        })),
        before: offsets(before),
        after: offsets(after)
      }
    }
    if (action === 'delete') {
      const deleted = await admin.deleteGroups([groupId])
      const listed = await admin.listGroups()
      const fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
      return {
        deleted: deleted.map(d => ({ groupId: d.groupId, errorCode: d.errorCode })),
        listed: listed.groups,
        fetched: offsets(fetched)
      }
    }
    throw new Error(`unknown action ${action}`)
  } finally {
    await admin.disconnect()
  }
})
