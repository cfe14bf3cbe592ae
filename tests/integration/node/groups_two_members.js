// Two kafkajs consumers of one group, consumer.run with eachMessage: wait until they
// split the partitions, produce <count> records (explicit partitions), and collect
// every record each member receives. Args: <brokers> <topic> <groupId> <partitions> <count>
'use strict'
const { run } = require('./common')
const { waitFor, groupConsumer, extraArgs } = require('./groups_common')

run(async (kafka, topic) => {
  const [groupId, partitionsArg, countArg] = extraArgs()
  const partitions = Number(partitionsArg)
  const count = Number(countArg)
  const received = []
  const assignments = [null, null]
  const consumers = [groupConsumer(kafka, groupId), groupConsumer(kafka, groupId)]
  const producer = kafka.producer()
  const admin = kafka.admin()
  try {
    await producer.connect()
    await admin.connect()
    for (let i = 0; i < 2; i++) {
      const c = consumers[i]
      c.on(c.events.GROUP_JOIN, e => {
        assignments[i] = (e.payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b)
      })
      await c.connect()
      await c.subscribe({ topic, fromBeginning: true })
      await c.run({
        eachMessage: async ({ partition, message }) => {
          received.push({ member: i, partition, offset: Number(message.offset) })
        }
      })
    }
    const split = () => {
      if (!assignments[0] || !assignments[1]) return false
      const all = assignments[0].concat(assignments[1])
      return assignments[0].length > 0 && assignments[1].length > 0 &&
        new Set(all).size === partitions && all.length === partitions
    }
    await waitFor(split, 45000, `two members to split ${partitions} partitions ` +
      `(assignments ${JSON.stringify(assignments)})`)
    const described = await admin.describeGroups([groupId])

    const messages = []
    for (let i = 0; i < count; i++) {
      messages.push({ key: `k${i}`, value: `v${i}`, partition: i % partitions })
    }
    const sent = await producer.send({ topic, acks: -1, messages })
    await waitFor(() => received.length >= count, 30000,
      `${count} records across both members (have ${received.length})`)
    return {
      assignments,
      sent,
      received,
      described: described.groups.map(g => ({
        groupId: g.groupId,
        state: g.state,
        protocolType: g.protocolType,
        protocol: g.protocol,
        members: g.members.length
      }))
    }
  } finally {
    for (const c of consumers) await c.disconnect()
    await producer.disconnect()
    await admin.disconnect()
  }
})
