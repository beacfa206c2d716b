import { formatMoney } from '../../lib/money';
import type { UsageChartData } from '../../lib/usage';

const COLOURS = ['#0b5cad', '#c2410c', '#15803d', '#7c3aed', '#b45309', '#0e7490', '#be185d'];
const WIDTH = 720;
const HEIGHT = 180;

/** Charges per day as stacked bars, one colour per resource; the table below says the same. */
export function UsageChart({ data }: { data: UsageChartData }) {
  // A month fills the width; a few days do not stretch into a few huge bars.
  const slot = WIDTH / Math.max(data.bars.length, 14);
  const bar = Math.max(slot * 0.7, 2);
  const scale = data.max > 0n ? data.max : 1n;
  const colour = (i: number) => COLOURS[i % COLOURS.length]!;
  return (
    <figure className="usage-chart">
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT + 18}`}
        role="img"
        aria-label={`Charges by day, ${data.bars[0]?.date ?? ''} to ${data.bars.at(-1)?.date ?? ''}: ${formatMoney(data.total)} in all; the highest day ${formatMoney(data.max)}`}
      >
        <line x1="0" x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="#8a96a3" />
        {data.bars.map((day, i) => {
          let y = HEIGHT;
          return (
            <g key={day.date}>
              <title>{`${day.date}: ${formatMoney(day.total)}`}</title>
              {day.amounts.map((amount, r) => {
                const h = Number((amount * BigInt(HEIGHT - 4)) / scale);
                y -= h;
                return amount > 0n ? (
                  <rect key={r} x={i * slot} y={y} width={bar} height={h} fill={colour(r)} />
                ) : null;
              })}
              {i % 7 === 0 ? (
                <text x={i * slot} y={HEIGHT + 14}>
                  {day.date.slice(8)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          {data.resources.map((r, i) => (
            <li key={r}>
              <span style={{ background: colour(i) }} aria-hidden="true" />
              {r}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
