import { formatMoney, formatRate } from '../lib/money';

/** An amount in kwacha, with its currency for screen readers and copy-paste. */
export function Money({ amount }: { amount: string | bigint }) {
  return (
    <span className="money" title="Zambian kwacha (ZMW)">
      {formatMoney(amount)}
    </span>
  );
}

export function Rate({ rate, per }: { rate: string | bigint; per: string }) {
  return (
    <span className="money" title="Zambian kwacha (ZMW)">
      {formatRate(rate)}
      <span className="per"> / {per}</span>
    </span>
  );
}
