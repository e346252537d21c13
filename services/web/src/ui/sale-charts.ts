// Line charts for the organiser (uPlot: small, fast, canvas). One chart per figure element; its
// series are rebuilt only when their names change (a new gate), otherwise the data is swapped in.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Aligned } from '../lib/sale-charts.ts';

const COLOURS = ['#3730a3', '#0f766e', '#b45309', '#be123c', '#4d7c0f', '#7c3aed', '#0369a1', '#a16207'];

export interface LiveChart {
  set(data: Aligned): void;
  destroy(): void;
}

export function lineChart(host: HTMLElement, options: { title: string; yLabel: string; rightAxis?: string }): LiveChart {
  let plot: uPlot | undefined;
  let names = '';
  const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(280, host.clientWidth), height: 220 }));
  resize.observe(host);

  const build = (data: Aligned) => {
    plot?.destroy();
    const seriesNames = Object.keys(data.series);
    plot = new uPlot({
      title: options.title,
      width: Math.max(280, host.clientWidth),
      height: 220,
      // One point (the page's first sample) still gets a readable minute either side, not a span of years.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 60, max + 60] : [min, max]) }, ...(options.rightAxis ? { right: { auto: true } } : {}) },
      axes: [
        {},
        { label: options.yLabel },
        ...(options.rightAxis ? [{ scale: 'right', side: 1 as const, label: options.rightAxis, grid: { show: false } }] : []),
      ],
      series: [
        {},
        ...seriesNames.map((name, i) => ({
          label: name,
          stroke: COLOURS[i % COLOURS.length]!,
          width: 2,
          ...(options.rightAxis === name ? { scale: 'right' } : {}),
        })),
      ],
    }, [data.x, ...seriesNames.map((n) => data.series[n]!)], host);
    names = seriesNames.join('\n');
  };

  return {
    set(data) {
      const seriesNames = Object.keys(data.series);
      if (!plot || seriesNames.join('\n') !== names) build(data);
      else plot.setData([data.x, ...seriesNames.map((n) => data.series[n]!)]);
    },
    destroy() {
      resize.disconnect();
      plot?.destroy();
      plot = undefined;
    },
  };
}
