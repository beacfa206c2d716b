import { Api } from './api';
import { ADMIN } from './server';

let coupons = 0;

/** A coupon made through the admin API, as an operator would for a customer. */
export async function makeCoupon(url: string, amount: string): Promise<string> {
  const admin = await Api.signIn(url, ADMIN.email, ADMIN.password);
  coupons += 1;
  const code = `E2E${Date.now().toString(36).toUpperCase()}${coupons}`;
  const res = await admin.request('POST', '/v1/admin/coupons', {
    code,
    amount,
    max_redemptions: 1,
  });
  if (res.status !== 201) throw new Error(`coupon: ${res.status} ${JSON.stringify(res.body)}`);
  return code;
}

/** Funds a project through the API (for tests whose subject is not the top-up). */
export async function fund(owner: Api, projectId: string, amount = '500.00'): Promise<void> {
  const code = await makeCoupon(owner.url, amount);
  const res = await owner.request('POST', '/v1/billing/topup', {
    project_id: projectId,
    coupon_code: code,
  });
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`top-up: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
