// The report's one stylesheet (report.css): readable tables, a contact-sheet grid, and the chart's scale switch.
export const REPORT_CSS = `:root { font-family: system-ui, sans-serif; color: #1b1f23; background: #fafafa; }
body { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.muted { color: #5c6670; } .note { background: #fff6d6; border-left: 4px solid #e0b400; padding: 0.5rem 0.8rem; }
code { font-size: 0.92em; }
.totals { display: flex; flex-wrap: wrap; gap: 0.6rem; margin: 0; }
.totals div { background: #fff; border: 1px solid #e2e4e8; border-radius: 6px; padding: 0.4rem 0.9rem; min-width: 7rem; }
.totals dt { font-size: 0.8rem; color: #5c6670; } .totals dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; margin: 0.6rem 0; background: #fff; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #eceef1; text-align: left; }
th { background: #f0f2f5; position: sticky; top: 0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.warn { color: #b3261e; font-weight: 600; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; border: 1px solid #0003; vertical-align: -0.1em; }
.scale-switch input { margin-left: 0.8rem; } .scale-switch svg { display: none; width: 100%; max-width: 900px; margin-top: 0.4rem; }
.scale-switch svg text { font-size: 12px; fill: #1b1f23; }
#scale-linear:checked ~ svg.linear, #scale-log:checked ~ svg.log { display: block; }
details { margin: 0.3rem 0; } details ul { max-height: 24rem; overflow: auto; }
.sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 0.8rem; }
.sheet figure { margin: 0; } .sheet img { width: 100%; height: auto; image-rendering: pixelated; background: #111; display: block; }
figcaption { font-size: 0.85rem; color: #5c6670; }
`;
