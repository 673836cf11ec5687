// Preloaded into the soaked worker (`node --import scripts/soak-probe.mjs`): reports its heap and
// RSS to the soak script over the IPC channel, without keeping the process alive.
const every = Number(process.env.SOAK_PROBE_MS ?? 5000);
if (process.send) {
  process.channel?.unref();
  const timer = setInterval(() => {
    const { heapUsed, rss } = process.memoryUsage();
    process.send?.({ heapUsed, rss });
  }, every);
  timer.unref();
}
