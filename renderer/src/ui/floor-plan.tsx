import type { FloorPlan } from '../lib/content.ts';

/** A simple diagram of a floor: its areas, the place itself highlighted, and where the kiosk stands. */
export function FloorPlanDiagram({ plan, label, hereLabel }: { plan: FloorPlan; label: string; hereLabel: string }) {
  const unit = Math.max(plan.width, plan.height) / 60;
  return (
    <svg className="floor-plan" data-testid="floor-plan" viewBox={`0 0 ${plan.width} ${plan.height}`} role="img" aria-label={label}>
      {plan.areas.map((area, index) => (
        <g key={index} className={area.target ? 'floor-plan__area floor-plan__area--target' : 'floor-plan__area'}>
          <rect x={area.x} y={area.y} width={area.w} height={area.h} rx={unit * 0.6} strokeWidth={unit * 0.35} />
          {area.label !== '' && (
            <text x={area.x + area.w / 2} y={area.y + area.h / 2} fontSize={Math.min(area.h * 0.4, unit * 3.2)} textAnchor="middle" dominantBaseline="central">
              {area.label}
            </text>
          )}
        </g>
      ))}
      {plan.here !== null && (
        <g className="floor-plan__here">
          <circle cx={plan.here.x} cy={plan.here.y} r={unit * 1.6} />
          <text x={plan.here.x} y={plan.here.y - unit * 2.6} fontSize={unit * 2.6} textAnchor="middle">
            {hereLabel}
          </text>
        </g>
      )}
    </svg>
  );
}
