// How long the VM table takes to answer a keystroke in its filter: from the input event to
// the end of the frame that shows the result (a task queued from that frame's animation
// callback runs once it has been painted). The newest figure and a count are kept on the
// document (`data-filter-ms`, `data-filter-count`) for the end-to-end test and benchmarks to
// read; nothing in the app reads them.

export function measureInput(event: Event): void {
  const start = event.timeStamp;
  if (typeof requestAnimationFrame !== 'function' || typeof MessageChannel !== 'function') return;
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const root = document.documentElement;
      root.dataset.filterMs = (performance.now() - start).toFixed(1);
      root.dataset.filterCount = String(Number(root.dataset.filterCount ?? '0') + 1);
      channel.port1.close();
    };
    channel.port2.postMessage(null);
  });
}
