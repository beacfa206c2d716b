import { Money } from '../../components/money';
import { useProject } from '../projects/project-context';

export function BillingPage() {
  const project = useProject();
  return (
    <section className="card">
      <h2>Billing</h2>
      <p>
        Balance: <Money amount={project.balance} />
      </p>
    </section>
  );
}
