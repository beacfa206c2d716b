import type { Project } from '@swiftcloud/contracts';
import { Link } from 'react-router';
import { Money, Rate } from '../../components/money';
import { ErrorState, Loading } from '../../components/states';
import { formatHours, LOW_BALANCE_HOURS } from '../../lib/cost';
import { useBalance } from './balance';

/** Balance, burn rate and hours left, with a warning when they run low. */
export function BalanceSummary({ project }: { project: Project }) {
  const balance = useBalance(project.id);
  return (
    <section className="card" aria-labelledby="balance-heading">
      <h2 id="balance-heading">Balance</h2>
      {balance.isPending ? (
        <Loading rows={3} label="Loading the balance" />
      ) : balance.isError ? (
        <ErrorState error={balance.error} onRetry={() => void balance.refetch()} />
      ) : (
        <>
          <p className="big" data-testid="balance">
            <Money amount={balance.data.balance} />
          </p>
          <dl className="facts">
            <dt>Burn rate</dt>
            <dd>
              <Rate rate={balance.data.hourlyBurnRate} per="hour" />
            </dd>
            <dt>Lasts</dt>
            <dd data-testid="hours-left">
              {balance.data.hoursRemaining === null
                ? 'Nothing is running up charges'
                : `about ${formatHours(balance.data.hoursRemaining)}`}
            </dd>
          </dl>
          {balance.data.hoursRemaining !== null &&
          balance.data.hoursRemaining < LOW_BALANCE_HOURS ? (
            <p className="warning" role="alert">
              {balance.data.hoursRemaining === 0
                ? 'The balance has run out: VMs will be powered off after the grace period.'
                : `The balance runs out in about ${formatHours(balance.data.hoursRemaining)}; then the VMs are powered off.`}{' '}
              {project.role === 'owner' ? (
                <Link to={`/projects/${project.id}/billing`}>Top up with a coupon</Link>
              ) : (
                'Ask an owner of the project to top up.'
              )}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
